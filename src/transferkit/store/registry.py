"""The registry: networks, companies, pilot projects and participant codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from transferkit.exceptions import StoreError
from transferkit.store.base import StoreBase, table_frame
from transferkit.store.checks import (
    check_code,
    check_currency,
    check_date,
    check_int,
    check_rate,
    id_list,
    optional_text,
    text_id,
)
from transferkit.store.schema import (
    ROLES,
    ActionItem,
    Company,
    CompanyRole,
    FormatPlan,
    KirkpatrickIndicator,
    LoopClosing,
    Network,
    Participant,
    Pilot,
    PilotBenefit,
    PilotCost,
    Response,
    pilot_companies,
)
from transferkit.store.sme import SIZE_CLASSES
from transferkit.store.sme import size_class as _size_class

__all__ = ["RegistryMixin"]

if TYPE_CHECKING:  # pandas is imported when a table is read, not by writers
    import pandas as pd


class RegistryMixin(StoreBase):
    """Networks, companies, pilots and participants (part of :class:`~transferkit.store.store.Store`)."""

    # ------------------------------------------------------------ networks and companies

    def add_network(self, id: str, name: str, region: str | None = None) -> str:
        """Add a network (or update the one with this id); return its id."""
        network_id = text_id(id, "network id")
        network_name = text_id(name, "network name", 300)
        network_region = optional_text(region, "region", 200)

        def work(session: Session) -> str:
            row = session.get(Network, network_id)
            if row is None:
                session.add(Network(id=network_id, name=network_name, region=network_region))
            else:
                row.name, row.region = network_name, network_region
            return network_id

        return self._run(work, write=True)

    def add_company(
        self,
        id: str,
        name: str,
        *,
        size_class: str | None = None,
        employees: int | None = None,
        turnover_eur: float | None = None,
        balance_sheet_eur: float | None = None,
        sector: str | None = None,
        region: str | None = None,
        network: str | None = None,
        roles: str | Iterable[str] = (),
    ) -> str:
        """Add a company (or update the one with this id); return its id.

        ``size_class`` is derived from ``employees`` (and turnover or
        balance sheet, if given) by :func:`~transferkit.store.size_class`
        unless given. ``roles`` (several, ``;``-joined text or a list) are
        taken from ``organiser``, ``financier``, ``sender``, ``best_practice``.
        """
        company_id = text_id(id, "company id")
        employees = check_int(employees, "employees")
        if size_class is None and employees is not None:
            size_class = _size_class(employees, turnover_eur, balance_sheet_eur)
        if size_class is not None and size_class not in SIZE_CLASSES:
            msg = f"size_class must be one of {', '.join(SIZE_CLASSES)}, got {size_class!r}"
            raise StoreError(msg)
        role_list = id_list(roles, "role")
        unknown = [r for r in role_list if r not in ROLES]
        if unknown:
            msg = f"Unknown role(s) {', '.join(unknown)} for company {company_id!r}; use {ROLES}"
            raise StoreError(msg)
        network_id = optional_text(network, "network id")
        fields = {
            "name": text_id(name, "company name", 300),
            "size_class": size_class,
            "employees": employees,
            "sector": optional_text(sector, "sector"),
            "region": optional_text(region, "region"),
            "network_id": network_id,
        }

        def work(session: Session) -> str:
            if network_id is not None:
                self._require(
                    session,
                    Network,
                    network_id,
                    "network",
                    "Add it with `transferkit network add` (or store.add_network).",
                )
            row = session.get(Company, company_id)
            if row is None:
                row = Company(id=company_id, **fields)
                session.add(row)
            else:
                for key, value in fields.items():
                    setattr(row, key, value)
            row.roles = [CompanyRole(company_id=company_id, role=r) for r in role_list]
            session.flush()
            return company_id

        return self._run(work, write=True)

    # ------------------------------------------------------------ pilots and participants

    def add_pilot(
        self,
        id: str,
        title_de: str,
        title_en: str | None = None,
        *,
        network: str | None = None,
        topic: str | None = None,
        companies: str | Iterable[str] = (),
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        loops: int | None = None,
        hourly_rate: float | None = None,
        currency: str = "EUR",
    ) -> str:
        """Add a pilot project (or update the one with this id); return its id.

        ``companies`` (ids, a list or ``;``-joined) must exist already;
        ``loops`` is the number of planned reflection loops. ``hourly_rate`` is
        the loaded labour cost of one hour of the participants' working time in
        ``currency`` (an ISO 4217 code): the needs report costs planned learning
        time with it, and shows hours only while it is not set (``None``).
        Updating a pilot replaces every field, the rate too.
        """
        pilot_id = text_id(id, "pilot id")
        company_ids = id_list(companies, "company id")
        start_date, end_date = check_date(start, "start"), check_date(end, "end")
        if start_date and end_date and end_date < start_date:
            msg = f"Pilot {pilot_id!r} ends ({end_date}) before it starts ({start_date})"
            raise StoreError(msg)
        network_id = optional_text(network, "network id")
        fields = {
            "title_de": text_id(title_de, "title_de", 500),
            "title_en": optional_text(title_en, "title_en", 500),
            "network_id": network_id,
            "topic": optional_text(topic, "topic", 200),
            "start": start_date,
            "end": end_date,
            "loops": check_int(loops, "loops", minimum=1),
            "hourly_rate": check_rate(hourly_rate),
            "currency": check_currency(currency),
        }

        def work(session: Session) -> str:
            if network_id is not None:
                self._require(
                    session,
                    Network,
                    network_id,
                    "network",
                    "Add it with `transferkit network add` (or store.add_network).",
                )
            found = session.scalars(select(Company).where(Company.id.in_(company_ids))).all()
            missing = sorted(set(company_ids) - {c.id for c in found})
            if missing:
                msg = (
                    f"Pilot {pilot_id!r}: unknown companies {', '.join(missing)}; "
                    "add them first with `transferkit company add` (or store.add_company(...))"
                )
                raise StoreError(msg)
            by_id = {c.id: c for c in found}
            row = session.get(Pilot, pilot_id)
            if row is None:
                row = Pilot(id=pilot_id, **fields)
                session.add(row)
            else:
                for key, value in fields.items():
                    setattr(row, key, value)
            row.companies = [by_id[c] for c in company_ids]
            session.flush()
            return pilot_id

        return self._run(work, write=True)

    def set_pilot_rate(self, pilot: str, hourly_rate: float | None, currency: str = "EUR") -> None:
        """Set (or with ``None`` clear) the hourly rate of a pilot, leaving its other fields.

        The rate is the loaded labour cost of one working hour in ``currency`` (ISO 4217);
        the needs report costs the planned learning time of the pilot's participants with it.

        >>> from transferkit.store import Store

        >>> with Store("sqlite://") as store:
        ...     _ = store.add_pilot("P01", "Agile Methoden", loops=3)
        ...     store.set_pilot_rate("P01", 52.5, "CHF")
        ...     store.pilots()[["loops", "hourly_rate", "currency"]].values.tolist()
        [[3, 52.5, 'CHF']]
        """
        pilot = text_id(pilot, "pilot id")
        rate, code = check_rate(hourly_rate), check_currency(currency)

        def work(session: Session) -> None:
            self._require_pilot(session, pilot)
            row = session.get(Pilot, pilot)
            if row is not None:
                row.hourly_rate, row.currency = rate, code

        self._run(work, write=True)

    def add_participant(
        self, code: str, *, company: str | None = None, pilot: str | None = None
    ) -> str:
        """Register a participant code (or update its company and pilot); return the code.

        Codes that look like real names are refused (see
        :func:`transferkit.privacy.looks_like_name`).
        """
        code = check_code(code)
        company = optional_text(company, "company id")
        pilot = optional_text(pilot, "pilot id")

        def work(session: Session) -> str:
            if company is not None:
                self._require(
                    session,
                    Company,
                    company,
                    "company",
                    "Add it with `transferkit company add` (or store.add_company).",
                )
            if pilot is not None:
                self._require_pilot(session, pilot)
            row = session.get(Participant, code)
            if row is None:
                session.add(
                    Participant(
                        code=code,
                        company_id=company,
                        pilot_id=pilot,
                        registered_at=dt.datetime.now(dt.UTC),
                    )
                )
            else:
                if company is not None:
                    row.company_id = company
                if pilot is not None:
                    row.pilot_id = pilot
            session.flush()
            return code

        return self._run(work, write=True)

    # ------------------------------------------------------------ removing set-up rows

    def _refuse_if_used(
        self, session: Session, what: str, key: str, uses: dict[str, Select[Any]]
    ) -> None:
        """Raise :class:`StoreError` naming every kind of row that still refers to ``key``."""
        counts = {
            name: int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
            for name, stmt in uses.items()
        }
        used = {name: n for name, n in counts.items() if n}
        if used:
            listed = ", ".join(f"{n} {name}" for name, n in used.items())
            msg = (
                f"{what} {key!r} is still used by {listed}; remove or move those first "
                "(nothing was removed)"
            )
            raise StoreError(msg)

    def remove_network(self, id: str) -> None:
        """Remove a network that no company and no pilot belongs to (else :class:`StoreError`)."""
        network_id = text_id(id, "network id")

        def work(session: Session) -> None:
            self._require(
                session, Network, network_id, "network", "See `transferkit network list`."
            )
            self._refuse_if_used(
                session,
                "network",
                network_id,
                {
                    "companies": select(Company.id).where(Company.network_id == network_id),
                    "pilots": select(Pilot.id).where(Pilot.network_id == network_id),
                },
            )
            session.execute(delete(Network).where(Network.id == network_id))

        self._run(work, write=True)

    def remove_company(self, id: str) -> None:
        """Remove a company that no pilot, participant or format plan refers to (else :class:`StoreError`)."""
        company_id = text_id(id, "company id")

        def work(session: Session) -> None:
            self._require(
                session, Company, company_id, "company", "See `transferkit company list`."
            )
            self._refuse_if_used(
                session,
                "company",
                company_id,
                {
                    "pilots": select(pilot_companies.c.pilot_id).where(
                        pilot_companies.c.company_id == company_id
                    ),
                    "participants": select(Participant.code).where(
                        Participant.company_id == company_id
                    ),
                    "format plans": select(FormatPlan.id).where(
                        FormatPlan.company_id == company_id
                    ),
                },
            )
            session.execute(delete(CompanyRole).where(CompanyRole.company_id == company_id))
            session.execute(delete(Company).where(Company.id == company_id))

        self._run(work, write=True)

    def remove_pilot(self, id: str) -> None:
        """Remove a pilot with no participants, responses, action items, closings or evaluation data.

        A pilot that has collected anything is refused with a :class:`StoreError` that
        counts what it holds: remove participants with ``erase_participant`` first.
        """
        pilot_id = text_id(id, "pilot id")

        def work(session: Session) -> None:
            self._require_pilot(session, pilot_id)
            self._refuse_if_used(
                session,
                "pilot",
                pilot_id,
                {
                    "participants": select(Participant.code).where(
                        Participant.pilot_id == pilot_id
                    ),
                    "responses": select(Response.id).where(Response.pilot_id == pilot_id),
                    "action items": select(ActionItem.id).where(ActionItem.pilot_id == pilot_id),
                    "closed loops": select(LoopClosing.id).where(LoopClosing.pilot_id == pilot_id),
                    "costs": select(PilotCost.id).where(PilotCost.pilot_id == pilot_id),
                    "benefits": select(PilotBenefit.id).where(PilotBenefit.pilot_id == pilot_id),
                    "indicators": select(KirkpatrickIndicator.id).where(
                        KirkpatrickIndicator.pilot_id == pilot_id
                    ),
                },
            )
            session.execute(delete(pilot_companies).where(pilot_companies.c.pilot_id == pilot_id))
            session.execute(delete(Pilot).where(Pilot.id == pilot_id))

        self._run(work, write=True)

    # ------------------------------------------------------------ tables as DataFrames

    def networks(self) -> pd.DataFrame:
        """Networks: ``network_id, name, region``."""
        stmt = select(Network.id.label("network_id"), Network.name, Network.region)
        columns = {"network_id": "str", "name": "str", "region": "str"}
        return table_frame(columns, self._select_rows(stmt.order_by(Network.id)))

    def company_ids(self) -> list[str]:
        """The companies' ids, sorted (without pandas: checks of a report's parameters use it
        before anything heavy is imported)."""
        return [
            str(row["id"]) for row in self._select_rows(select(Company.id).order_by(Company.id))
        ]

    def companies(self) -> pd.DataFrame:
        """Companies with size class, sector, region, network and ``;``-joined roles."""
        stmt = select(
            Company.id.label("company_id"),
            Company.name,
            Company.size_class,
            Company.employees,
            Company.sector,
            Company.region,
            Company.network_id.label("network"),
        ).order_by(Company.id)
        rows = self._select_rows(stmt)
        roles: dict[str, list[str]] = {}
        for row in self._select_rows(select(CompanyRole.company_id, CompanyRole.role)):
            roles.setdefault(row["company_id"], []).append(row["role"])
        for row in rows:
            mine = roles.get(row["company_id"], [])
            row["roles"] = ";".join(r for r in ROLES if r in mine)
        columns = {
            "company_id": "str",
            "name": "str",
            "size_class": "str",
            "employees": "Int64",
            "sector": "str",
            "region": "str",
            "network": "str",
            "roles": "str",
        }
        return table_frame(columns, rows)

    def pilot_company_names(self, pilot_id: str) -> list[tuple[str, str]]:
        """``(company id, name)`` of the companies of a pilot, by id; light (no pandas).

        The web sheet asks a participant without a company to pick one of these.
        """
        stmt = (
            select(Company.id, Company.name)
            .join(pilot_companies, pilot_companies.c.company_id == Company.id)
            .where(pilot_companies.c.pilot_id == pilot_id)
            .order_by(Company.id)
        )
        return [(str(r["id"]), str(r["name"])) for r in self._select_rows(stmt)]

    def participant_company(self, code: str) -> str | None:
        """The company of a registered participant code (``None``: unknown code or no company)."""
        rows = self._select_rows(select(Participant.company_id).where(Participant.code == code))
        return None if not rows or rows[0]["company_id"] is None else str(rows[0]["company_id"])

    def pilot_loops(self, pilot_id: str) -> int | None:
        """The planned number of loops of a pilot (``None`` if not planned).

        Raises :class:`StoreError` naming the known pilots if ``pilot_id`` is not
        in the store. Light (no pandas): the web sheet checks every link with it.
        """
        rows = self._select_rows(select(Pilot.id, Pilot.loops).where(Pilot.id == pilot_id))
        if not rows:
            known = [
                r["id"] for r in self._select_rows(select(Pilot.id).order_by(Pilot.id).limit(20))
            ]
            msg = f"unknown pilot {pilot_id!r}; known: {', '.join(known) or 'none yet'}"
            raise StoreError(msg)
        loops = rows[0]["loops"]
        return None if loops is None else int(loops)

    def pilot_ids(self) -> list[str]:
        """The pilots' ids, sorted (without pandas, like :meth:`company_ids`)."""
        return [str(row["id"]) for row in self._select_rows(select(Pilot.id).order_by(Pilot.id))]

    def pilots(self) -> pd.DataFrame:
        """Pilot projects with ``;``-joined company ids, start, end, planned loops, and
        the hourly rate (``float64``, NaN when not set) with its ``currency``."""
        stmt = select(
            Pilot.id.label("pilot_id"),
            Pilot.network_id.label("network"),
            Pilot.title_de,
            Pilot.title_en,
            Pilot.topic,
            Pilot.start,
            Pilot.end,
            Pilot.loops,
            Pilot.hourly_rate,
            Pilot.currency,
        ).order_by(Pilot.id)
        rows = self._select_rows(stmt)
        members: dict[str, list[str]] = {}
        link = select(pilot_companies.c.pilot_id, pilot_companies.c.company_id)
        for row in self._select_rows(link.order_by(pilot_companies.c.company_id)):
            members.setdefault(row["pilot_id"], []).append(row["company_id"])
        for row in rows:
            row["companies"] = ";".join(members.get(row["pilot_id"], []))
        columns = {
            "pilot_id": "str",
            "network": "str",
            "title_de": "str",
            "title_en": "str",
            "topic": "str",
            "companies": "str",
            "start": "datetime64[s]",
            "end": "datetime64[s]",
            "loops": "Int64",
            "hourly_rate": "float64",
            "currency": "str",
        }
        return table_frame(columns, rows)

    def participants(self) -> pd.DataFrame:
        """Participant codes with company, pilot and number of stored responses."""
        counts = (
            select(Response.participant, func.count().label("n"))
            .group_by(Response.participant)
            .subquery()
        )
        stmt = (
            select(
                Participant.code.label("participant"),
                Participant.company_id,
                Participant.pilot_id,
                Participant.registered_at,
                func.coalesce(counts.c.n, 0).label("responses"),
            )
            .outerjoin(counts, counts.c.participant == Participant.code)
            .order_by(Participant.code)
        )
        columns = {
            "participant": "str",
            "company_id": "str",
            "pilot_id": "str",
            "registered_at": "datetime64[us, UTC]",
            "responses": "int64",
        }
        return table_frame(columns, self._select_rows(stmt))
