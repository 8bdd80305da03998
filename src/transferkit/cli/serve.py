"""``transferkit serve``: the workshop apps for a room (a thin layer over :func:`transferkit.serve.serve`)."""

from __future__ import annotations

from pathlib import Path

import click

from transferkit.exceptions import TransferkitError
from transferkit.guard import ServerLimits
from transferkit.serve import serve

__all__ = ["serve_command"]


@click.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", default=8866, show_default=True, type=int, help="Port.")
@click.option(
    "--db",
    "store_url",
    default=None,
    help="Store URL (default: $TRANSFERKIT_DB or data/transferkit.db).",
)
@click.option(
    "--pool-size",
    default=None,
    type=int,
    hidden=True,
    help="Deprecated, ignored: no participant page needs a kernel, none is preheated.",
)
@click.option(
    "--cull-idle-timeout",
    default=600,
    show_default=True,
    type=int,
    help="Shut down kernels of pages idle and disconnected this long (s).",
)
@click.option(
    "--cull-interval", default=60, show_default=True, type=int, help="Culling check interval (s)."
)
@click.option(
    "--max-kernels",
    default=6,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Most moderator screens (kernels) at once; the next one gets a clear page.",
)
@click.option(
    "--max-connections",
    default=1000,
    show_default=True,
    type=click.IntRange(10, 100_000),
    help="Most open connections (and --max-per-address from one device).",
)
@click.option(
    "--max-per-address",
    default=64,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Most open connections from one address.",
)
@click.option(
    "--moderator-token",
    default=None,
    help="Moderator secret (default: a new random one, printed in this terminal only).",
)
@click.option(
    "--participant-token",
    default=None,
    help="Participant secret in the join link (default: a new random one).",
)
@click.option(
    "--open",
    "open_event",
    is_flag=True,
    help="Open event: no participant secret, anyone on the network may fill in the sheet.",
)
@click.option(
    "--certfile",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="TLS certificate (PEM) for HTTPS on a shared network (with --keyfile).",
)
@click.option(
    "--keyfile",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="TLS private key (PEM) for HTTPS.",
)
@click.option("--pilot", default=None, help="Pilot id put into the join link.")
@click.option("--loop", default=None, type=int, help="Loop number put into the join link.")
@click.option(
    "--template", default="needs_analysis", show_default=True, help="Template of the join link."
)
@click.option(
    "--phase", default=None, help="Phase of a loop template in the join link (e.g. information)."
)
@click.option(
    "--workshops",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Workshops folder (default: ./workshops).",
)
@click.option("--dry-run", is_flag=True, help="Print links and the Voilà command, do not start.")
def serve_command(
    host: str,
    port: int,
    store_url: str | None,
    pool_size: int | None,
    cull_idle_timeout: int,
    cull_interval: int,
    max_kernels: int,
    max_connections: int,
    max_per_address: int,
    moderator_token: str | None,
    participant_token: str | None,
    open_event: bool,
    certfile: Path | None,
    keyfile: Path | None,
    pilot: str | None,
    loop: int | None,
    template: str,
    phase: str | None,
    workshops: Path | None,
    dry_run: bool,
) -> None:
    """Serve the workshop apps: the participants' web sheet and the moderator screens (Voilà)."""
    if open_event and participant_token:
        msg = "--open and --participant-token exclude each other"
        raise click.UsageError(msg)
    if bool(certfile) != bool(keyfile):
        msg = "HTTPS needs both --certfile and --keyfile"
        raise click.UsageError(msg)
    if pool_size is not None:
        click.echo(
            "transferkit: --pool-size is deprecated and ignored: participants use the web sheet, "
            "which needs no kernel, so no kernels are preheated.",
            err=True,
        )
    limits = ServerLimits(
        max_kernels=max_kernels, max_connections=max_connections, max_per_address=max_per_address
    )
    try:
        code = serve(
            workshops=workshops,
            host=host,
            port=port,
            store_url=store_url,
            cull_idle_timeout=cull_idle_timeout,
            cull_interval=cull_interval,
            moderator_token=moderator_token,
            participant_token=participant_token,
            open_event=open_event,
            pilot=pilot,
            loop=loop,
            template=template,
            phase=phase,
            limits=limits,
            certfile=certfile,
            keyfile=keyfile,
            echo=click.echo,
            dry_run=dry_run,
        )
    except TransferkitError as error:
        raise click.ClickException(str(error)) from error
    if code:
        raise SystemExit(code)
