"""The question types: one module each, collected here into :data:`AnyQuestion`.

Every module in this package except :mod:`~transferkit.templates.types.common`
(and private ``_name`` modules) defines one question type and is named after
it: ``likert.py`` defines the :class:`~transferkit.templates.model.Question`
subclass with ``type: Literal["likert"]``. The class holds the type's fields
and template checks and says how an answer is cleaned (``clean_answer``),
what a draft of it tolerates (``draft_tolerates``), what an example answer
looks like (``example_answer``) and where it comes in lists (``type_order``).
Adding a type means adding its module here (and a renderer to the web
sheet); see ``docs/adding-a-question-type.md``.

Examples
--------
>>> QUESTION_TYPES[:3]
('text', 'long_text', 'single_choice')
>>> question_type("likert").__name__
'LikertQuestion'
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, TypeAlias, Union, get_args

from pydantic import Field

from transferkit.templates.model import Question

__all__ = [
    "NOT_TYPES",
    "QUESTION_CLASSES",
    "QUESTION_TYPES",
    "AnyQuestion",
    "question_type",
    "type_name",
]

#: Modules of this package that are not a question type (besides private ``_name`` ones).
NOT_TYPES = frozenset({"common"})


def type_name(cls: type[Question]) -> str | None:
    """The name in ``type: Literal["…"]`` of a question class (``None`` if it has none)."""
    field = cls.model_fields.get("type")
    names = get_args(field.annotation) if field is not None else ()
    return names[0] if len(names) == 1 and isinstance(names[0], str) else None


def _collect() -> dict[str, type[Question]]:
    found: list[type[Question]] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in NOT_TYPES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Question)
            and obj.__module__ == module.__name__
            and type_name(obj) == info.name
        ]
        if len(classes) != 1:
            msg = (
                f"{module.__name__} must define one question type {info.name!r} "
                f'(a Question subclass with `type: Literal["{info.name}"]`), found {len(classes)}'
            )
            raise TypeError(msg)
        found.append(classes[0])
    found.sort(key=lambda cls: (cls.type_order, type_name(cls)))
    return {str(type_name(cls)): cls for cls in found}


#: Question type name -> its model class, in documentation order.
QUESTION_CLASSES: Mapping[str, type[Question]] = MappingProxyType(_collect())

#: The question types a template may use, in documentation order.
QUESTION_TYPES: tuple[str, ...] = tuple(QUESTION_CLASSES)

if TYPE_CHECKING:
    #: A question of any type (for the type checker: a Question).
    AnyQuestion: TypeAlias = Question
else:
    #: A question of any type: the union of the type classes, told apart by ``type``.
    AnyQuestion = Annotated[Union[tuple(QUESTION_CLASSES.values())], Field(discriminator="type")]  # noqa: UP007


def question_type(name: str) -> type[Question]:
    """The model class of the question type ``name`` (``KeyError`` naming the types if unknown).

    Examples
    --------
    >>> question_type("scale").__name__
    'ScaleQuestion'
    """
    try:
        return QUESTION_CLASSES[name]
    except KeyError:
        msg = f"unknown question type {name!r}; known: {', '.join(QUESTION_TYPES)}"
        raise KeyError(msg) from None
