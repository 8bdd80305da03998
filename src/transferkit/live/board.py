"""Input cards from participants' text answers, the moderator's groups of them, and dots per group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:  # pandas is imported where a frame is built, not by the sheet page
    import pandas as pd


from transferkit.sheets.ideas import answer_lines


class DotCount(TypedDict):
    """Dots on one group (or loose card), as :meth:`Board.as_dict` lists them."""

    target: str
    dots: int


class BoardSummary(TypedDict, total=False):
    """:meth:`Board.as_dict`: card texts per group and the dots, most first (empty: no board)."""

    groups: dict[str, list[str]]
    dots: list[DotCount]


@dataclass
class InputItem:
    """One text input of a participant (anonymous: no code shown)."""

    item_id: str
    question: str
    text: str
    response_id: int
    phase: str | None = None
    participant: str | None = None


def collect_inputs(responses: pd.DataFrame, questions: Sequence[str]) -> list[InputItem]:
    """Text answers to ``questions`` as input cards, oldest first.

    Long texts are split into one card per non-empty line.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"response_id": [1, 2], "phase": ["information", "information"],
    ...                    "participant": ["A", "B"], "learned": ["Kanban\\nWIP limits", ""]})
    >>> [i.text for i in collect_inputs(df, ["learned"])]
    ['Kanban', 'WIP limits']
    """
    items: list[InputItem] = []
    if responses.empty:
        return items
    for row in responses.to_dict("records"):
        for question in questions:
            if question not in row:
                continue
            for n, text in enumerate(answer_lines(row[question])):
                items.append(
                    InputItem(
                        item_id=f"r{int(row['response_id'])}-{question}-{n}",
                        question=question,
                        text=text,
                        response_id=int(row["response_id"]),
                        phase=row.get("phase") if isinstance(row.get("phase"), str) else None,
                        participant=row.get("participant")
                        if isinstance(row.get("participant"), str)
                        else None,
                    )
                )
    return items


@dataclass
class Board:
    """Input cards, the moderator's groups of them, and dots per group.

    >>> b = Board()
    >>> b.add([InputItem("x1", "worked", "Kanban board", 1), InputItem("x2", "worked", "Stand-up", 2)])
    2
    >>> b.group("Visualisierung", ["x1"])
    >>> b.add_dots("Visualisierung", 3)
    >>> [(g, [i.text for i in items]) for g, items in b.groups().items()]
    [('Visualisierung', ['Kanban board']), ('', ['Stand-up'])]
    >>> b.ranking()
    [('Visualisierung', 3)]
    """

    items: dict[str, InputItem] = field(default_factory=dict)
    assignment: dict[str, str] = field(default_factory=dict)
    dots: dict[str, int] = field(default_factory=dict)
    group_order: list[str] = field(default_factory=list)

    def add(self, items: Iterable[InputItem]) -> int:
        """Add cards not seen before; return how many were new."""
        n = 0
        for item in items:
            if item.item_id not in self.items:
                self.items[item.item_id] = item
                n += 1
        return n

    def group(self, name: str, item_ids: Iterable[str]) -> None:
        """Put cards into group ``name`` (created if new); an empty name ungroups them."""
        name = name.strip()
        if name and name not in self.group_order:
            self.group_order.append(name)
        for item_id in item_ids:
            if item_id not in self.items:
                msg = f"unknown input card {item_id!r}"
                raise KeyError(msg)
            if name:
                self.assignment[item_id] = name
            else:
                self.assignment.pop(item_id, None)

    def groups(self) -> dict[str, list[InputItem]]:
        """Groups in creation order, then ungrouped cards under ``""``."""
        out: dict[str, list[InputItem]] = {name: [] for name in self.group_order}
        loose: list[InputItem] = []
        for item_id, item in self.items.items():
            name = self.assignment.get(item_id)
            if name:
                out.setdefault(name, []).append(item)
            else:
                loose.append(item)
        out = {k: v for k, v in out.items() if v}
        if loose:
            out[""] = loose
        return out

    def add_dots(self, target: str, n: int = 1) -> None:
        """Give ``n`` dots (negative: take away) to a group or a loose card id."""
        self.dots[target] = max(0, self.dots.get(target, 0) + int(n))

    def ranking(self) -> list[tuple[str, int]]:
        """(group or card, dots), most dots first, only those with dots."""
        ranked = [(k, v) for k, v in self.dots.items() if v > 0]
        return sorted(ranked, key=lambda kv: (-kv[1], kv[0]))

    def label(self, target: str) -> str:
        """A group name as is; a card id as its text."""
        item = self.items.get(target)
        return item.text if item is not None else target

    def as_dict(self) -> BoardSummary:
        """JSON-ready summary (for the protocol and the loop log)."""
        return {
            "groups": {
                (name or "—"): [i.text for i in items] for name, items in self.groups().items()
            },
            "dots": [{"target": self.label(k), "dots": v} for k, v in self.ranking()],
        }
