"""The pseudonymised export: rows about participants for sharing, codes replaced by
salted hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from transferkit.exceptions import StoreError
from transferkit.store.base import TemplateLike
from transferkit.store.evaluation_data import EvaluationDataMixin
from transferkit.store.registry import RegistryMixin
from transferkit.store.responses import RESPONSE_COLUMNS, ResponsesMixin

__all__ = ["ExportMixin"]

if TYPE_CHECKING:  # pandas is imported when a table is read, not by writers
    import pandas as pd


class ExportMixin(RegistryMixin, ResponsesMixin, EvaluationDataMixin):
    """The pseudonymised export (part of :class:`~transferkit.store.store.Store`); it reads
    through the registry, the responses and the evaluation data."""

    def export_pseudonymized(
        self,
        template: TemplateLike | str | None = None,
        pilot: str | None = None,
        salt: str | None = None,
        *,
        table: str = "responses",
        free_text: str = "keep",
    ) -> pd.DataFrame:
        """Rows about participants for sharing: participant codes replaced by salted hashes.

        ``table="responses"`` (default): the responses (of ``template`` and
        ``pilot``), without ``response_id`` and ``submission_id``.
        ``table="format_plans"``: the planned learning formats (of the
        participants registered for ``pilot``); ``template`` must be None.
        The same ``salt`` gives the same pseudonyms in every export and in both
        tables, so they can be linked (keep it secret); without a salt a random
        one is drawn, so two exports cannot be linked. ``free_text="keep"``
        exports answers written in people's own words as they are (check them
        before sharing); ``"drop"`` removes them
        (:func:`transferkit.privacy.without_free_text`: texts, the what/who of
        action items, GAS goal texts; for a template the store cannot load by
        its id, every answer that is not a number — pass the template object
        to keep its choices).
        """
        import pandas as pd

        if free_text not in ("keep", "drop"):
            msg = f"free_text must be 'keep' or 'drop', got {free_text!r}"
            raise StoreError(msg)
        if table == "responses":
            data = self.responses(template=template, pilot=pilot)
            data = data.drop(columns=["response_id", "submission_id"])
            if free_text == "drop":
                from transferkit.privacy import without_free_text

                given = template if template is not None and not isinstance(template, str) else None

                def template_of(template_id: str) -> TemplateLike | None:
                    if given is not None and given.id == template_id:
                        return given
                    return self._response_template(template_id)[1]

                answers = [c for c in data.columns if c not in RESPONSE_COLUMNS]
                data = without_free_text(data, template_of, answers)
        elif table == "format_plans":
            if template is not None:
                msg = "template selects responses; leave it out for table='format_plans'"
                raise StoreError(msg)
            data = self.format_plans()
            if pilot is not None:
                people = self.participants()
                codes = set(people.loc[people["pilot_id"] == pilot, "participant"])
                data = data[data["participant"].isin(codes)].reset_index(drop=True)
        else:
            msg = f"table must be 'responses' or 'format_plans', got {table!r}"
            raise StoreError(msg)
        key = (salt if salt is not None else secrets.token_hex(16)).encode()

        def pseudonym(code: object) -> object:
            if not isinstance(code, str):
                return code
            return "X" + hmac.new(key, code.encode(), hashlib.sha256).hexdigest()[:12]

        data["participant"] = pd.Series(
            [pseudonym(c) for c in data["participant"]], index=data.index, dtype="str"
        )
        return data
