"""Load templates from YAML: built-in names, files and strings; the JSON Schema.

Only PyYAML's ``SafeLoader`` is used. Every problem becomes a
:class:`~transferkit.exceptions.TemplateError` that names the file, the line
(and the field path for invalid templates) and says what to write instead.

Regenerate the JSON Schema file after changing the models with::

    python -m transferkit.templates.loader --write-schema

Examples
--------
>>> "needs_analysis" in list_templates()
True
>>> load_template("reflection_loop").phase_ids()
['information', 'anwendung', 'austausch', 'optimierung']
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import sys
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from transferkit.exceptions import TemplateError, TemplateNotFoundError, TemplateProblem
from transferkit.templates.feedback import FEEDBACK_KINDS
from transferkit.templates.model import (
    HintedError,
    JSONValue,
    Loc,
    Template,
    TemplateCheckError,
    format_location,
)
from transferkit.templates.salvage import clean_loc, cross_problems
from transferkit.templates.types import QUESTION_CLASSES, QUESTION_TYPES
from transferkit.templates.types.likert import LIKERT_POINT_COUNTS

__all__ = [
    "SCHEMA_FILE",
    "list_templates",
    "load_template",
    "load_template_string",
    "main",
    "template_json_schema",
    "write_schema",
]

_PACKAGE = "transferkit.templates"
_BUILTIN_DIR = "builtin"
#: File name of the JSON Schema shipped next to the models.
SCHEMA_FILE = "template.schema.json"
_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")


# --- built-ins -----------------------------------------------------------------------


def _builtin_dir() -> Traversable:
    return resources.files(_PACKAGE).joinpath(_BUILTIN_DIR)


def list_templates() -> list[str]:
    """Names of the built-in templates, sorted.

    Examples
    --------
    >>> list_templates()[:2]
    ['competence_self_assessment', 'education_plan']
    """
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _builtin_dir().iterdir()
        if entry.name.endswith(".yaml")
    )


@functools.lru_cache(maxsize=32)
def _load_builtin(name: str) -> Template:
    entry = _builtin_dir().joinpath(f"{name}.yaml")
    return load_template_string(entry.read_text(encoding="utf-8"), source=f"builtin:{name}")


def _not_found(what: str, message: str) -> TemplateNotFoundError:
    available = ", ".join(list_templates())
    return TemplateNotFoundError(
        what,
        [
            TemplateProblem(
                what,
                message,
                f"use a built-in name ({available}) or the path of a .yaml file",
            )
        ],
    )


def load_template(name_or_path: str | os.PathLike[str]) -> Template:
    """Load a built-in template by name or a template file by path.

    Parameters
    ----------
    name_or_path : str or path
        A built-in name such as ``"needs_analysis"`` (see :func:`list_templates`)
        or the path of a ``.yaml`` / ``.yml`` file.

    Raises
    ------
    TemplateNotFoundError
        Unknown name or missing file; the message lists the built-in names.
    TemplateError
        The file is not valid YAML or not a valid template.
    """
    if not isinstance(name_or_path, str | os.PathLike):
        raise _not_found(repr(name_or_path), "a template name or path must be a text or a path")
    text = os.fspath(name_or_path)
    is_path = (
        isinstance(name_or_path, os.PathLike)
        or text.lower().endswith((".yaml", ".yml"))
        or "/" in text
        or os.sep in text
    )
    if not is_path and _NAME.match(text):
        if text in list_templates():
            return _load_builtin(text).model_copy(deep=True)
        if not Path(text).is_file():
            close = difflib.get_close_matches(text, list_templates(), n=1)
            extra = f" (did you mean {close[0]!r}?)" if close else ""
            raise _not_found(text, f"there is no built-in template {text!r}{extra}")
    path = Path(text)
    if not path.is_file():
        raise _not_found(text, f"there is no template file {text!r}")
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = TemplateProblem(
            f"byte {exc.start}", "the file is not UTF-8 text", "save the file as UTF-8"
        )
        raise TemplateError(str(path), [problem]) from None
    except OSError as exc:
        problem = TemplateProblem("file", f"cannot read the file: {exc.strerror or exc}", "")
        raise TemplateError(str(path), [problem]) from None
    return load_template_string(content, source=str(path))


# --- parsing --------------------------------------------------------------------------


def _yaml_hint(problem: str) -> str:
    """A fix for a common YAML syntax problem."""
    p = problem.lower()
    if "tab" in p or "\\t" in p or "\t" in p:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in p:
        return "put quotes around a text that contains ': ', e.g. de: \"Ziel: mehr Austausch\""
    if "could not find expected ':'" in p or "simple key" in p:
        return "every field needs 'name: value'; check the colon and the indentation"
    if "did not find expected key" in p or "expected <block end>" in p:
        return "check the indentation: fields of one item must start in the same column"
    if "did not find expected '-'" in p:
        return "list items must all start with '- ' in the same column"
    if "found character" in p and "cannot start any token" in p:
        return "put quotes around texts that start with a special character such as @ or `"
    if "while parsing a flow" in p:
        return 'inside { } or [ ] put texts with , ? : # in quotes, e.g. {de: "Wie oft?", en: "How often?"}'
    if "found undefined alias" in p:
        return "define the anchor (&name) before using it (*name)"
    if "expected a single document" in p:
        return "a template file holds one document; remove the extra '---'"
    if "unacceptable character" in p or "special characters are not allowed" in p:
        return "remove control characters; save the file as plain UTF-8 text"
    if "while scanning a quoted scalar" in p or "end of stream" in p:
        return "a quotation mark is not closed"
    return "check indentation and quoting around this line; quote texts containing ':' or '#'"


_KEY_LINE = re.compile(
    r"^(?P<indent> *)(?P<dash>(?:- +)*)(?P<key>[A-Za-z_][A-Za-z0-9_.\-]*) *:(?: |$)"
)
_INDENT_PROBLEMS = (
    "expected <block end>",
    "did not find expected key",
    "did not find expected '-'",
    "mapping values are not allowed",
)


def _indent_hint(text: str, mark: yaml.Mark | None, problem: str) -> str:
    """The hint for a line indented differently from the key (or list item) above it; ``""``
    if the problem is not one of indentation.
    """
    if mark is None or not any(p in problem for p in _INDENT_PROBLEMS):
        return ""
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines):
        return ""
    here = _KEY_LINE.match(lines[mark.line])
    if here is None:
        return ""
    column = len(here["indent"]) + len(here["dash"])  # where the key starts (0-based)
    if "mapping values" in problem and mark.column != lines[mark.line].find(":", here.end("key")):
        return ""  # a colon inside a value, not after the key: a quoting problem
    for number in range(mark.line - 1, -1, -1):
        above = _KEY_LINE.match(lines[number])
        if above is None:
            continue
        if here["dash"]:  # a list item: align its '-' with the '-' of the item above
            if not above["dash"]:
                continue
            where = len(above["indent"])
            if where == len(here["indent"]):
                return ""
            return (
                "indent with spaces, align this '-' with the '-' of the list item above: "
                f"line {number + 1} starts it in column {where + 1}"
            )
        where = len(above["indent"]) + len(above["dash"])
        if where == column:
            return ""
        return (
            f"indent with spaces, align `{here['key']}:` with the key above: "
            f"`{above['key']}:` in line {number + 1} starts in column {where + 1}"
        )
    return ""


def _mark_location(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _parse(
    text: str, source: str, duplicates: list[TemplateProblem]
) -> tuple[JSONValue, dict[Loc, int]]:
    """YAML text -> (data, map from field path to 1-based line); fields written twice are
    added to ``duplicates`` (the later one counts)."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        bad_char = TemplateProblem(
            f"line {line}, column {column}",
            f"character #x{exc.character:04x} is not allowed in YAML",
            "remove control characters; save the file as plain UTF-8 text",
        )
        raise TemplateError(source, [bad_char]) from None
    node = None
    try:
        node = loader.get_single_node()
        lines: dict[Loc, int] = {}
        if node is not None:
            _walk(node, (), lines, duplicates)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = str(getattr(exc, "problem", None) or exc).strip()
        context = getattr(exc, "context", None)
        message = f"{problem} ({context})" if context else problem
        location = _mark_location(mark) if mark is not None else "YAML"
        hint = _indent_hint(text, mark, problem) or _yaml_hint(f"{problem} {context or ''}")
        raise TemplateError(source, [TemplateProblem(location, message, hint)]) from None
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
        location = _bad_scalar(node) if isinstance(exc, ValueError) else "YAML"
        bad = TemplateProblem(
            location,
            f"cannot read a value: {exc}",
            "write dates as YYYY-MM-DD with a real day, or put the value in quotes",
        )
        raise TemplateError(source, [bad]) from None
    finally:
        loader.dispose()
    return data, lines


def _bad_scalar(node: yaml.Node | None) -> str:
    """Location of the first scalar that SafeLoader cannot construct (e.g. 2024-02-30)."""
    stack = [node]
    seen = 0
    while stack and seen < 100_000:
        current = stack.pop()
        seen += 1
        if isinstance(current, yaml.ScalarNode):
            constructor = yaml.SafeLoader("")
            try:
                constructor.construct_object(current, deep=True)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):
                return _mark_location(current.start_mark)
            finally:
                constructor.dispose()
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            for key, value in reversed(current.value):
                stack.extend([value, key])
    return "YAML"


def _walk(
    node: yaml.Node,
    loc: Loc,
    lines: dict[Loc, int],
    duplicates: list[TemplateProblem],
    depth: int = 0,
) -> None:
    if depth > 100:
        return
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                duplicates.append(
                    TemplateProblem(
                        f"line {line}",
                        f"the field {key!r} appears twice (first in line {seen[key]})",
                        "keep one of them",
                    )
                )
            seen.setdefault(key, line)
            child = (*loc, key)
            lines.setdefault(child, line)
            _walk(value_node, child, lines, duplicates, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*loc, i), lines, duplicates, depth + 1)


def load_template_string(text: str, source: str = "<string>") -> Template:
    """Parse and validate a template from YAML ``text``.

    Parameters
    ----------
    text : str
        The YAML document.
    source : str
        Name used in error messages (a file path or ``"<string>"``).

    Raises
    ------
    TemplateError
        Broken YAML (with line and column) or an invalid template (with the
        field path, its line and a hint).

    Examples
    --------
    >>> t = load_template_string('''
    ... id: mini
    ... version: 1
    ... title: {de: Mini, en: Mini}
    ... questions:
    ...   - {id: q1, type: text, label: {de: Team, en: Team}}
    ... ''')
    >>> t.kind, [q.id for q in t.questions]
    ('sheet', ['q1'])
    """
    if not isinstance(text, str):
        problem = TemplateProblem("input", "the template must be YAML text", "pass a str")
        raise TemplateError(source, [problem])
    duplicates: list[TemplateProblem] = []
    data, lines = _parse(text, source, duplicates)
    if duplicates and not isinstance(data, dict):
        raise TemplateError(source, duplicates)
    if data is None:
        problem = TemplateProblem(
            "line 1", "the template is empty", "start with `id:`, `version:`, `title:`"
        )
        raise TemplateError(source, [problem])
    if not isinstance(data, dict):
        problem = TemplateProblem(
            "line 1",
            f"a template is a mapping of fields, not a {_kind_name(data)}",
            "start with `id: my_sheet`, `version: 1`, `title: {de: …, en: …}`, `questions:`",
        )
        raise TemplateError(source, [problem])
    try:
        template = Template.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(source, _sorted(duplicates + _problems(exc, data, lines))) from None
    except (ArithmeticError, TypeError, ValueError) as exc:
        problem = TemplateProblem("template", f"cannot check the template: {exc}", "")
        raise TemplateError(source, [problem]) from None
    except RecursionError:
        problem = TemplateProblem("YAML", "the template is nested too deeply", "simplify it")
        raise TemplateError(source, [problem]) from None
    if duplicates:
        raise TemplateError(source, duplicates)
    return template


def _sorted(problems: list[TemplateProblem]) -> list[TemplateProblem]:
    """The problems in the order of their lines (those without a line last), each once."""
    unique = list(dict.fromkeys(problems))

    def line(problem: TemplateProblem) -> int:
        found = re.search(r"\bline (\d+)", problem.location)
        return int(found.group(1)) if found else sys.maxsize

    return sorted(unique, key=line)


def _kind_name(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


# --- pydantic errors -> template problems ----------------------------------------------

_TEXT_FIELDS = frozenset(
    (
        "label",
        "title",
        "description",
        "intro",
        "help",
        "placeholder",
        "unit",
        "min_label",
        "max_label",
    )
)


def _line_of(loc: Loc, lines: dict[Loc, int]) -> int | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _where(loc: Loc, lines: dict[Loc, int]) -> str:
    line = _line_of(loc, lines)
    path = format_location(loc)
    return f"{path} (line {line})" if line is not None else path


def _all_field_names() -> set[str]:
    from transferkit.templates import feedback, model

    modules = [model, feedback, *(sys.modules[cls.__module__] for cls in QUESTION_CLASSES.values())]
    names: set[str] = set()
    for obj in (obj for module in modules for obj in vars(module).values()):
        fields = getattr(obj, "model_fields", None)
        if isinstance(fields, dict):
            for name, info in fields.items():
                names.add(info.alias or name)
    return names


def _in_text(loc: Loc) -> bool:
    """Whether ``loc`` is a key inside a German/English text (``label.fr``, ``scale_groups.x.fr``)."""
    if len(loc) >= 3 and loc[-3] == "scale_groups":
        return True
    return len(loc) >= 2 and loc[-2] in _TEXT_FIELDS


def _hint(err: ErrorDetails, loc: Loc) -> tuple[str, str]:
    """(message, hint) for one pydantic error."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    msg = err["msg"]
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    inp = err.get("input")
    if kind == "missing":
        if field in ("de", "en"):
            return (
                f"the {'German' if field == 'de' else 'English'} text ({field}) is missing",
                'every text needs German and English: write {de: "…", en: "…"}',
            )
        if field == "type":
            return "the question type is missing", "add `type:` with one of " + ", ".join(
                QUESTION_TYPES
            )
        if field in _TEXT_FIELDS:
            return (
                f"the field {field!r} is missing",
                f'add `{field}: {{de: "…", en: "…"}}` (German and English)',
            )
        return f"the field {field!r} is missing", f"add `{field}:`"
    if kind == "extra_forbidden" and _in_text(loc):
        return (
            f"unknown language {field!r} in a text",
            'a text has German (de) and English (en): write {de: "…", en: "…"}',
        )
    if kind in ("union_tag_invalid", "union_tag_not_found") and "kind" in str(
        ctx.get("discriminator")
    ):
        if kind == "union_tag_not_found":
            return "the feedback kind is missing", "add `kind:` with one of " + ", ".join(
                FEEDBACK_KINDS
            )
        return (
            f"unknown feedback kind {ctx.get('tag')!r}",
            "use one of " + ", ".join(FEEDBACK_KINDS),
        )
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(field), sorted(_all_field_names()), n=1)
        if close:
            hint = f"did you mean {close[0]!r}?"
        elif any(c in str(field) for c in " ()"):
            hint = 'a text with a comma inside {…} must be in quotes: {de: "a, b", en: "a, b"}'
        else:
            hint = "remove it or check the spelling"
        return f"unknown field {field!r}", hint
    if kind == "union_tag_invalid":
        return (
            f"unknown question type {ctx.get('tag')!r}",
            "use one of " + ", ".join(QUESTION_TYPES),
        )
    if kind == "union_tag_not_found":
        return "the question type is missing", "add `type:` with one of " + ", ".join(
            QUESTION_TYPES
        )
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if ctx.get("class_name") == "LocalizedText" or field in _TEXT_FIELDS:
            return (
                f"{field or 'this text'} must have a German and an English text",
                f'write {field or "label"}: {{de: "…", en: "…"}}',
            )
        return (
            f"expected a mapping (name: value lines), got a {_kind_name(inp)}",
            "write the fields of this item as `name: value` lines",
        )
    if kind == "list_type":
        return (
            f"expected a list, got a {_kind_name(inp)}",
            "write one item per line, each starting with '- '",
        )
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {inp!r}", "write a whole number such as 1"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"expected a number, got {inp!r}", "write a number such as 0.5"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {inp!r}", "write true or false"
    if kind == "string_type":
        return (
            f"expected a text, got {inp!r}",
            "write a text; put it in quotes if it looks like a number or yes/no",
        )
    if kind == "string_too_short":
        return "the text is empty", "write a text"
    if kind == "string_pattern_mismatch":
        if field in ("id", "question", "ideas_from"):
            return (
                f"{inp!r} is not a valid id",
                "use letters, digits and '_', starting with a letter, e.g. imp_ai_use",
            )
        return (
            f"{inp!r} is not a valid value",
            "use letters, digits, '_', '-' and '.', e.g. e_learning",
        )
    if kind == "literal_error":
        return f"{inp!r} is not allowed here", f"use one of {ctx.get('expected')}"
    if kind == "too_short":
        return msg, f"add at least {ctx.get('min_length')} item(s)"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{inp!r}: {msg.lower()}", "change the number"
    if kind == "value_error":
        error = ctx.get("error")
        if isinstance(error, HintedError):
            return str(error), error.hint
        return msg.removeprefix("Value error, "), ""
    if field == "points":
        return msg, f"likert needs {', '.join(map(str, LIKERT_POINT_COUNTS))} points"
    return msg, ""


def _problems(
    exc: ValidationError, data: JSONValue, lines: dict[Loc, int]
) -> list[TemplateProblem]:
    problems: list[TemplateProblem] = []
    broken: list[Loc] = []
    for err in exc.errors():
        ctx = err.get("ctx") or {}
        error = ctx.get("error")
        base = clean_loc(tuple(err["loc"]), data)
        if isinstance(error, TemplateCheckError):
            for sub_loc, message, hint in error.problems:
                loc = (*base, *sub_loc)
                problems.append(TemplateProblem(_where(loc, lines), message, hint))
            continue
        message, hint = _hint(err, base)
        broken.append(base)
        if err["type"] == "union_tag_invalid":  # point at the line of the wrong type or kind
            base = (*base, "kind" if "kind" in str(ctx.get("discriminator")) else "type")
        problems.append(TemplateProblem(_where(base, lines), message, hint))
    if broken and len(broken) == len(exc.errors()):  # the checks across fields did not run
        for loc, message, hint in cross_problems(data, broken):
            problems.append(TemplateProblem(_where(loc, lines), message, hint))
    return problems


# --- JSON Schema -----------------------------------------------------------------------


def template_json_schema() -> dict[str, JSONValue]:
    """The JSON Schema (draft 2020-12) of a template file.

    Examples
    --------
    >>> template_json_schema()["title"]
    'Template'
    """
    schema = Template.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }


def write_schema(path: str | os.PathLike[str] | None = None) -> Path:
    """Write :func:`template_json_schema` to ``path`` (default: the package's schema file)."""
    target = Path(path) if path is not None else Path(__file__).with_name(SCHEMA_FILE)
    text = json.dumps(template_json_schema(), indent=2, ensure_ascii=False) + "\n"
    target.write_text(text, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    """``python -m transferkit.templates.loader --write-schema [PATH]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "--write-schema":
        print("usage: python -m transferkit.templates.loader --write-schema [PATH]")
        return 2
    target = write_schema(args[1] if len(args) > 1 else None)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
