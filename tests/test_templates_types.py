"""The registry of question types (``transferkit.templates.types``).

Every module under ``templates/types/`` (except ``common``) is one question
type, registered under its own name; the built-in templates use only
registered types; and a new type is added by one module (the worked example
of ``docs/adding-a-question-type.md``, run on a copy of the package).
"""

from __future__ import annotations

import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import transferkit
from transferkit.templates import (
    QUESTION_TYPES,
    AnyQuestion,
    LikertQuestion,
    Question,
    list_templates,
    load_template,
    load_template_string,
)
from transferkit.templates import types as types_package
from transferkit.templates.types import NOT_TYPES, QUESTION_CLASSES, question_type, type_name
from transferkit.templates.validation import DRAFT_TOLERATED

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "adding-a-question-type.md"

#: The question types in the order of the documentation (docs/interfaces.md, DESIGN.md).
DOCUMENTED = (
    "text",
    "long_text",
    "single_choice",
    "multi_choice",
    "likert",
    "scale",
    "number",
    "ranking",
    "dot_vote",
    "action_items",
    "gas_goal",
)


def type_modules() -> set[str]:
    names = {m.name for m in pkgutil.iter_modules(types_package.__path__)}
    return {name for name in names if not name.startswith("_")} - NOT_TYPES


def test_every_type_module_is_registered_under_its_own_name() -> None:
    assert type_modules() == set(QUESTION_TYPES)
    for name in QUESTION_TYPES:
        cls = question_type(name)
        assert cls.__module__ == f"transferkit.templates.types.{name}"
        assert type_name(cls) == name
        assert issubclass(cls, Question)


def test_every_registered_type_cleans_answers_and_gives_examples() -> None:
    for name, cls in QUESTION_CLASSES.items():
        assert cls.clean_answer is not Question.clean_answer, f"{name} has no clean_answer"
        assert cls.example_answer is not Question.example_answer, f"{name} has no example_answer"
        assert cls.__doc__, f"{name} has no docstring (it is the type's description in the schema)"


def test_the_union_is_the_registry_in_documented_order() -> None:
    assert QUESTION_TYPES == DOCUMENTED
    union = get_args(get_args(AnyQuestion)[0])
    assert union == tuple(QUESTION_CLASSES.values())
    orders = [cls.type_order for cls in QUESTION_CLASSES.values()]
    assert orders == sorted(orders)
    assert len(set(orders)) == len(orders)


def test_every_type_has_a_row_in_the_interfaces_table() -> None:
    text = (ROOT / "docs" / "interfaces.md").read_text(encoding="utf-8")
    table = text.split("### Cleaned answer values, by question type", 1)[1].split("###", 1)[0]
    documented = {
        name.strip()
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith("| type")
        for name in line.split("|")[1].split(",")
    }
    assert set(QUESTION_TYPES) <= documented


def _question_types_in(data: Any) -> list[str]:
    questions = list(data.get("questions") or [])
    for phase in data.get("phases") or []:
        questions += phase.get("questions") or []
    return [q["type"] for q in questions]


def test_builtin_yaml_uses_only_registered_types() -> None:
    builtin = resources.files("transferkit.templates").joinpath("builtin")
    files = [entry for entry in builtin.iterdir() if entry.name.endswith(".yaml")]
    assert files
    for entry in files:
        used = _question_types_in(yaml.safe_load(entry.read_text(encoding="utf-8")))
        assert used, entry.name
        assert set(used) <= set(QUESTION_TYPES), (
            f"{entry.name}: {sorted(set(used) - set(QUESTION_TYPES))}"
        )


def test_question_type_lookup() -> None:
    assert question_type("likert") is LikertQuestion
    with pytest.raises(KeyError, match=r"unknown question type 'yes_no'; known: text, long_text"):
        question_type("yes_no")


def test_draft_tolerance_is_collected_from_the_types() -> None:
    # The set a draft tolerated before the types said it themselves (issue 11).
    assert DRAFT_TOLERATED == {
        "required",
        "too_short",
        "too_few",
        "missing_what",
        "missing_goal",
        "too_long",
        "not_a_number",
        "out_of_range",
        "step",
        "not_integer",
    }
    assert QUESTION_CLASSES["single_choice"].draft_tolerates == frozenset()
    assert QUESTION_CLASSES["number"].draft_tolerates == {
        "not_a_number",
        "out_of_range",
        "not_integer",
    }


def one_question_per_type() -> dict[str, Question]:
    """A question of every registered type: from the built-in templates, else made here."""
    found: dict[str, Question] = {}
    for name in list_templates():
        for q in load_template(name).all_questions():
            found.setdefault(q.type, q)
    found.setdefault(
        "ranking",
        load_template_string(
            "id: r\nversion: 1\ntitle: {de: R, en: R}\nquestions:\n"
            "  - {id: rank, type: ranking, top_n: 2, label: {de: Rang, en: Rank}, options: [\n"
            "      {value: a, label: {de: A, en: A}}, {value: b, label: {de: B, en: B}},\n"
            "      {value: c, label: {de: C, en: C}}]}\n"
        ).question("rank"),
    )
    return found


QUESTIONS = one_question_per_type()
values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 12),
        st.floats(),
        st.text(max_size=12),
        st.sampled_from(["3", "2,5", "a", "open", "2025-03-31", "-2", "idea_1"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.text(max_size=6)
            | st.sampled_from(["what", "who", "due", "status", "goal", "levels", "baseline"]),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=12,
)


def test_every_registered_type_has_a_question_here() -> None:
    assert set(QUESTIONS) == set(QUESTION_TYPES)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(QUESTIONS)), values)
def test_clean_answer_gives_a_clean_value_or_problems(name: str, value: Any) -> None:
    q = QUESTIONS[name]
    clean, problems = q.clean_answer(value)
    if problems:
        assert all(code and de and en for code, de, en in problems)
    else:
        assert q.clean_answer(clean) == (clean, [])  # cleaning is idempotent


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(QUESTIONS)), st.randoms(use_true_random=False))
def test_example_answers_are_clean(name: str, rng: Any) -> None:
    q = QUESTIONS[name]
    example = q.example_answer(rng, {})
    assert q.clean_answer(example) == (example, [])


# --- a new type by one module -----------------------------------------------------------

NEW_TYPE_SCRIPT = r"""
import json, sys
import transferkit
from transferkit.exceptions import AnswerValidationError, TemplateError
from transferkit.templates import QUESTION_TYPES, load_template_string, template_json_schema

YAML = '''
id: meeting
version: 1
title: {de: Treffen, en: Meeting}
questions:
  - id: next_meeting
    type: date
    label: {de: Nächstes Treffen, en: Next meeting}
    earliest: 2025-01-01
  - {id: note, type: text, required: false, label: {de: Notiz, en: Note}}
'''

def codes(call):
    try:
        call()
    except AnswerValidationError as exc:
        return [p.code for p in exc.problems]
    return []

t = load_template_string(YAML)
try:
    load_template_string(YAML.replace("earliest: 2025-01-01", "earliest: 2025-02-01\n    latest: 2025-01-01"))
    broken = None
except TemplateError as exc:
    broken = str(exc)
print(json.dumps({
    "package": transferkit.__file__,
    "types": list(QUESTION_TYPES),
    "clean": t.validate({"next_meeting": " 2025-03-31 "}),
    "invalid": codes(lambda: t.validate({"next_meeting": "31.03.2025"})),
    "early": codes(lambda: t.validate({"next_meeting": "2024-12-31"})),
    "required": codes(lambda: t.validate({})),
    "draft_ok": t.validate_draft({"note": "so far"}),
    "draft_bad": codes(lambda: t.validate_draft({"next_meeting": "morgen"})),
    "example": t.validate(t.example_answers(seed=3)) == t.example_answers(seed=3),
    "broken": broken,
    "schema": "DateQuestion" in template_json_schema()["$defs"],
}))
"""


def guide_module() -> str:
    """The module ``templates/types/date.py`` as the guide writes it."""
    text = GUIDE.read_text(encoding="utf-8")
    marker = r"<!-- module: templates/types/date.py -->\n```python\n(.*?)```"
    found = re.search(marker, text, re.DOTALL)
    assert found, "the guide's module block is missing"
    return found.group(1)


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package under test, outside the repository."""
    root = tmp_path_factory.mktemp("package")
    source = Path(transferkit.__file__).parent
    shutil.copytree(source, root / "transferkit", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def run_python(root: Path, script: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_a_new_type_is_one_module(package_copy: Path) -> None:
    (package_copy / "transferkit" / "templates" / "types" / "date.py").write_text(
        guide_module(), encoding="utf-8"
    )
    done = run_python(package_copy, NEW_TYPE_SCRIPT)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert Path(result["package"]).is_relative_to(package_copy)  # the copy, not the checkout
    assert result["types"] == [*DOCUMENTED[:7], "date", *DOCUMENTED[7:]]
    assert result["clean"] == {"next_meeting": "2025-03-31"}
    assert result["invalid"] == ["invalid_date"]
    assert result["early"] == ["out_of_range"]
    assert result["required"] == ["required"]
    assert result["draft_ok"] == {"note": "so far"}
    assert result["draft_bad"] == ["invalid_date"]
    assert result["example"] is True
    assert "earliest (2025-02-01) is after latest (2025-01-01)" in result["broken"]
    assert "swap earliest and latest" in result["broken"]
    assert result["schema"] is True


@pytest.mark.slow
def test_a_type_module_without_its_type_stops_the_import(package_copy: Path) -> None:
    broken = package_copy / "transferkit" / "templates" / "types" / "yes_no.py"
    broken.write_text('"""Forgot the class."""\n', encoding="utf-8")
    try:
        done = run_python(package_copy, "import transferkit.templates")
    finally:
        broken.unlink()
    assert done.returncode != 0
    assert (
        "transferkit.templates.types.yes_no must define one question type 'yes_no'" in done.stderr
    )
