"""Evaluation data of pilots: costs, benefits, Kirkpatrick indicators and planned
learning formats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from transferkit.exceptions import StoreError
from transferkit.store.base import StoreBase, table_frame
from transferkit.store.checks import (
    check_amount,
    check_code,
    check_format,
    check_level,
    check_number,
    optional_text,
    required_int,
    text_id,
)
from transferkit.store.schema import (
    Company,
    FormatPlan,
    KirkpatrickIndicator,
    Participant,
    PilotBenefit,
    PilotCost,
)

__all__ = ["EvaluationDataMixin"]

if TYPE_CHECKING:  # pandas is imported when a table is read, not by writers
    import pandas as pd

_Money = TypeVar("_Money", PilotCost, PilotBenefit)


class EvaluationDataMixin(StoreBase):
    """Costs, benefits, indicators and format plans (part of :class:`~transferkit.store.store.Store`)."""

    # ------------------------------------------------------------ costs, benefits, indicators

    def _add_money(
        self,
        model: type[_Money],
        what: str,
        pilot: str,
        item: str,
        amount_eur: float,
        note: str | None,
    ) -> int:
        pilot = text_id(pilot, "pilot id")
        fields = {
            "item": text_id(item, f"{what} item", 200),
            "amount_eur": check_amount(amount_eur),
            "note": optional_text(note, "note", 2_000),
        }

        def work(session: Session) -> int:
            self._require_pilot(session, pilot)
            same = model.pilot_id == pilot, model.item == fields["item"]
            row = session.scalars(select(model).where(*same)).first()
            if row is None:
                row = model(pilot_id=pilot, **fields)
                session.add(row)
            else:
                for key, value in fields.items():
                    setattr(row, key, value)
            session.flush()
            return row.id

        return self._run(work, write=True)

    def add_cost(self, pilot: str, item: str, amount_eur: float, note: str | None = None) -> int:
        """Record a cost item of ``pilot`` in EUR (for the ROI); return its row id.

        ``amount_eur`` is a finite number >= 0 (fully loaded costs after Phillips:
        learning time, facilitation, licences, ...). One row per pilot and
        ``item``: adding the same item again replaces its amount and note.

        >>> from transferkit.store import Store

        >>> with Store("sqlite://") as store:
        ...     _ = store.add_pilot("P01", "Agile Methoden")
        ...     _ = store.add_cost("P01", "facilitation", 7200)
        ...     _ = store.add_cost("P01", "licences", 2400, note="Kanban-Tool, 12 Monate")
        ...     store.costs()[["pilot_id", "cost_item", "amount_eur"]]
          pilot_id     cost_item  amount_eur
        0      P01  facilitation      7200.0
        1      P01      licences      2400.0
        """
        return self._add_money(PilotCost, "cost", pilot, item, amount_eur, note)

    def add_benefit(self, pilot: str, item: str, amount_eur: float, note: str | None = None) -> int:
        """Record a monetised benefit of ``pilot`` in EUR (for the ROI); return its row id.

        Like :meth:`add_cost`: a finite amount >= 0, one row per pilot and ``item``.
        """
        return self._add_money(PilotBenefit, "benefit", pilot, item, amount_eur, note)

    def add_indicator(
        self,
        pilot: str,
        level: int,
        indicator: str,
        value: float,
        unit: str | None = None,
    ) -> int:
        """Record an indicator of ``pilot`` on Kirkpatrick ``level`` 1-4; return its row id.

        Levels: 1 reaction, 2 learning, 3 behaviour, 4 results. ``value`` is a
        finite number in ``unit`` (e.g. ``likert_1_5``, ``percent``; changes may
        be negative). One row per pilot and ``indicator``: adding it again
        replaces level, value and unit.
        """
        pilot = text_id(pilot, "pilot id")
        fields = {
            "level": check_level(level),
            "indicator": text_id(indicator, "indicator", 200),
            "value": check_number(value, "value"),
            "unit": optional_text(unit, "unit", 100),
        }

        def work(session: Session) -> int:
            self._require_pilot(session, pilot)
            same = (
                KirkpatrickIndicator.pilot_id == pilot,
                KirkpatrickIndicator.indicator == fields["indicator"],
            )
            row = session.scalars(select(KirkpatrickIndicator).where(*same)).first()
            if row is None:
                row = KirkpatrickIndicator(pilot_id=pilot, **fields)
                session.add(row)
            else:
                for key, given in fields.items():
                    setattr(row, key, given)
            session.flush()
            return row.id

        return self._run(work, write=True)

    def add_format_plan(
        self,
        company: str,
        participant: str,
        format: str,
        sessions: int,
        minutes_per_session: int,
    ) -> int:
        """Plan a learning format for a participant of ``company``; return the row id.

        ``format`` is one of :data:`transferkit.evaluation.formats.FORMATS`;
        ``sessions`` and ``minutes_per_session`` are whole numbers >= 1.
        ``participant`` is a pseudonymous code, checked like every participant
        code (names are refused); a new code is registered with ``company``, a
        code registered without a company gets it, a code of another company is
        refused. One row per participant and format: planning it again replaces
        company, sessions and minutes. :meth:`erase_participant` removes the rows.
        """
        company = text_id(company, "company id")
        code = check_code(participant)
        fields = {
            "company_id": company,
            "format": check_format(format),
            "sessions": required_int(sessions, "sessions", 1),
            "minutes_per_session": required_int(minutes_per_session, "minutes_per_session", 1),
        }
        now = dt.datetime.now(dt.UTC)

        def work(session: Session) -> int:
            self._require(
                session,
                Company,
                company,
                "company",
                "Add it first with `transferkit company add` (or store.add_company); the demo: `transferkit db import-demo`.",
            )
            person = session.get(Participant, code)
            if person is None:
                session.add(Participant(code=code, company_id=company, registered_at=now))
                session.flush()
            elif person.company_id is None:
                person.company_id = company
            elif person.company_id != company:
                msg = (
                    f"Participant {code!r} belongs to company {person.company_id!r}, not "
                    f"{company!r}: plan the format under {person.company_id!r}, or move the "
                    f"participant first with `transferkit participant add {code} --company {company}`"
                )
                raise StoreError(msg)
            same = FormatPlan.participant == code, FormatPlan.format == fields["format"]
            row = session.scalars(select(FormatPlan).where(*same)).first()
            if row is None:
                row = FormatPlan(participant=code, **fields)
                session.add(row)
            else:
                for key, value in fields.items():
                    setattr(row, key, value)
            session.flush()
            return row.id

        return self._run(work, write=True)

    def costs(self, pilot: str | None = None) -> pd.DataFrame:
        """Cost items (all, or of one pilot): ``pilot_id, cost_item, amount_eur, note``.

        The columns of the ``costs`` demo dataset plus ``note``; by pilot, then
        in the order they were added. ``amount_eur`` is ``float64``.
        """
        return self._money_frame(PilotCost, "cost_item", pilot)

    def benefits(self, pilot: str | None = None) -> pd.DataFrame:
        """Monetised benefits (all, or of one pilot): ``pilot_id, benefit_item, amount_eur, note``.

        The columns of the ``benefits`` demo dataset plus ``note``; ordered as :meth:`costs`.
        """
        return self._money_frame(PilotBenefit, "benefit_item", pilot)

    def _money_frame(
        self, model: type[PilotCost | PilotBenefit], item: str, pilot: str | None
    ) -> pd.DataFrame:
        stmt = select(
            model.pilot_id, model.item.label(item), model.amount_eur, model.note
        ).order_by(model.pilot_id, model.id)
        if pilot is not None:
            stmt = stmt.where(model.pilot_id == pilot)
        columns = {"pilot_id": "str", item: "str", "amount_eur": "float64", "note": "str"}
        return table_frame(columns, self._select_rows(stmt))

    def indicators(self, pilot: str | None = None) -> pd.DataFrame:
        """Kirkpatrick indicators (all, or of one pilot): ``pilot_id, level, indicator, value,
        unit`` (the columns of the ``indicators`` demo dataset), by pilot and level."""
        model = KirkpatrickIndicator
        stmt = select(
            model.pilot_id, model.level, model.indicator, model.value, model.unit
        ).order_by(model.pilot_id, model.level, model.id)
        if pilot is not None:
            stmt = stmt.where(model.pilot_id == pilot)
        columns = {
            "pilot_id": "str",
            "level": "int64",
            "indicator": "str",
            "value": "float64",
            "unit": "str",
        }
        return table_frame(columns, self._select_rows(stmt))

    def format_plans(self, company: str | None = None) -> pd.DataFrame:
        """Planned learning formats (all, or of one company): ``company_id, participant,
        format, sessions, minutes_per_session`` (the columns of the ``format_plan`` demo
        dataset), by company, then in the order they were added."""
        stmt = select(
            FormatPlan.company_id,
            FormatPlan.participant,
            FormatPlan.format,
            FormatPlan.sessions,
            FormatPlan.minutes_per_session,
        ).order_by(FormatPlan.company_id, FormatPlan.id)
        if company is not None:
            stmt = stmt.where(FormatPlan.company_id == company)
        columns = {
            "company_id": "str",
            "participant": "str",
            "format": "str",
            "sessions": "int64",
            "minutes_per_session": "int64",
        }
        return table_frame(columns, self._select_rows(stmt))

    def remove_evaluation_rows(self, kind: str, owners: Iterable[str]) -> int:
        """Delete the ``kind`` rows of some pilots (companies, for formats); return how many.

        ``kind`` is ``"costs"``, ``"benefits"``, ``"indicators"`` (``owners`` are
        pilot ids) or ``"format_plans"`` (``owners`` are company ids). For a
        corrected import (``transferkit db import --replace``): an item left out
        of the new file must not stay in the ROI.

        >>> from transferkit.store import Store

        >>> with Store("sqlite://") as store:
        ...     _ = store.add_pilot("P01", "Agile Methoden")
        ...     _ = store.add_cost("P01", "facilitation", 7200)
        ...     store.remove_evaluation_rows("costs", ["P01"]), len(store.costs())
        (1, 0)
        """
        tables: dict[str, InstrumentedAttribute[str]] = {
            "costs": PilotCost.pilot_id,
            "benefits": PilotBenefit.pilot_id,
            "indicators": KirkpatrickIndicator.pilot_id,
            "format_plans": FormatPlan.company_id,
        }
        if kind not in tables:
            msg = f"Unknown kind of evaluation data {kind!r}; use one of {', '.join(tables)}"
            raise StoreError(msg)
        column = tables[kind]
        ids = sorted({str(owner) for owner in owners})

        def work(session: Session) -> int:
            result = session.execute(delete(column.class_).where(column.in_(ids)))
            return int(getattr(result, "rowcount", 0) or 0)

        return self._run(work, write=True) if ids else 0
