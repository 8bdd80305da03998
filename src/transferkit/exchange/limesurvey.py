"""LimeSurvey exports read for the response import: structure (``.lss``, TSV) and responses (``.lsr``, CSV, R).

- **Structure**: the survey structure file (``.lss``, XML; *Export → Survey
  structure*) or the tab-separated one (``.txt``/``.tsv``). It gives the survey
  id, each question's code and type, the codes and labels of its answer options
  and sub-questions, and the internal field names (``734488X11X299``, "SGQA")
  that a ``.lsr`` file uses.
- **Responses**: a ``.lsr`` file (XML, inside the survey archive), or the
  CSV export with question codes as headings (*Export results → Question code*),
  or the data file of the R export.
- **Survey archive** (``.lsa``, *Export → Survey archive*): a zip with the
  ``.lss`` structure and the ``.lsr`` responses, read as they are; its token
  table (names, e-mail addresses) is never read. A response without ``submitdate`` was not
  finished and is skipped as incomplete.

Submission ids are ``limesurvey-<survey id>-<response id>``.
"""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from transferkit.exceptions import DatasetError
from transferkit.exchange.survey_import import SourceRecord, SurveyData, read_delimited

__all__ = [
    "MAX_ARCHIVE_MEMBER",
    "LimeStructure",
    "read_limesurvey",
    "read_limesurvey_archive",
    "read_limesurvey_structure",
    "structure_document",
    "table_rows",
]

_METADATA = frozenset(
    {
        "id",
        "token",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "startdate",
        "datestamp",
        "ipaddr",
        "refurl",
        "interviewtime",
    }
)
_SGQA = re.compile(r"^_?(\d+)X(\d+)X(\d+)(.*)$")
_BRACKET = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\[([^\]]+)\]$")
_JOINED = re.compile(r"^([A-Za-z][A-Za-z0-9]*)[_.]([A-Za-z0-9]+)\.?$")
#: LimeSurvey writes this submitdate when the survey does not record dates.
_NO_DATE = "1980-01-01 00:00:00"
#: Question types with one column per sub-question (arrays, multiple choice, multiple numbers/texts).
_PER_SUBQUESTION = set("MPABCEFHKQ:;1")
#: Array types whose rows share the question's answer options (each row is a question ``CODE_SUB``).
_ARRAY_OF_ANSWERS = set("FH1")
#: Answer codes LimeSurvey fixes for its question types, with the labels it shows (English).
_FIXED_ANSWERS: dict[str, dict[str, str]] = {
    "C": {"Y": "Yes", "N": "No", "U": "Uncertain"},
    "E": {"I": "Increase", "S": "Same", "D": "Decrease"},
    "G": {"M": "Male", "F": "Female"},
    "Y": {"Y": "Yes", "N": "No"},
}
#: The answer code of "Other" in a list question; its text is in the field ``…other``.
_OTHER = "-oth-"


@dataclass
class LimeStructure:
    """What a survey structure tells the import: survey id, field names and labels."""

    survey_id: str
    #: SGQA field name → (question code, sub code or None)
    fields: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: question code → option or sub-question code → labels (one per language)
    labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: question code → LimeSurvey question type letter
    types: dict[str, str] = field(default_factory=dict)
    #: codes of the questions whose answers LimeSurvey stores encrypted
    encrypted: set[str] = field(default_factory=set)


def _parse_xml(path: Path, kind: str) -> ET.Element:
    if not path.is_file():
        msg = f"No such file: {path}"
        raise DatasetError(msg)
    try:
        root = ET.parse(path).getroot()  # expat: no external entities, entity expansion limited
    except ET.ParseError as error:
        msg = f"{path} is not a LimeSurvey {kind} file (XML): {error}"
        raise DatasetError(msg) from None
    doctype = (root.findtext("LimeSurveyDocType") or "").strip()
    wanted = "Survey" if kind == "structure" else "Responses"
    if doctype != wanted:
        msg = f"{path} is a LimeSurvey {doctype or 'unknown'!r} document, not {wanted!r}: " + (
            "give the .lss survey structure" if kind == "structure" else "give the .lsr responses"
        )
        raise DatasetError(msg)
    return root


def table_rows(root: ET.Element, section: str) -> list[dict[str, str]]:
    """The rows of one table of a LimeSurvey XML document, as field → text."""
    table = root.find(section)
    if table is None:
        return []
    return [{child.tag: (child.text or "") for child in row} for row in table.iterfind("rows/row")]


def _add_label(labels: dict[str, dict[str, list[str]]], code: str, sub: str, text: str) -> None:
    text = re.sub(r"<[^>]+>", "", text).strip()  # LimeSurvey texts may hold HTML
    if text:
        found = labels.setdefault(code, {}).setdefault(sub, [])
        if text not in found:
            found.append(text)


def _structure_from_lss(path: Path) -> LimeStructure:
    root = _parse_xml(path, "structure")
    questions: dict[str, dict[str, str]] = {}
    for row in table_rows(root, "questions"):
        if row.get("parent_qid", "0") in ("0", ""):
            questions.setdefault(row["qid"], row)
    subs: dict[str, list[dict[str, str]]] = {}
    seen_sub: set[str] = set()
    texts: dict[str, list[str]] = {}
    for row in table_rows(root, "subquestions") + [
        r for r in table_rows(root, "questions") if r.get("parent_qid", "0") not in ("0", "")
    ]:
        if row["qid"] not in seen_sub:
            seen_sub.add(row["qid"])
            subs.setdefault(row["parent_qid"], []).append(row)
        if row.get("question"):
            texts.setdefault(row["qid"], []).append(row["question"])
    for row in table_rows(root, "question_l10ns"):
        texts.setdefault(row["qid"], []).append(row.get("question", ""))
    survey_id = next((r.get("sid", "") for r in table_rows(root, "surveys")), "") or next(
        (q.get("sid", "") for q in questions.values()), ""
    )
    structure = LimeStructure(survey_id)
    codes = {qid: q.get("title", "") for qid, q in questions.items()}
    answer_texts: dict[str, list[str]] = {}
    for row in table_rows(root, "answer_l10ns"):
        answer_texts.setdefault(row["aid"], []).append(row.get("answer", ""))
    answer_count: dict[str, int] = {}
    #: question code → scale → answer code → labels (the rows of an array share them)
    answers: dict[str, dict[str, dict[str, list[str]]]] = {}
    for row in table_rows(root, "answers"):
        code = codes.get(row.get("qid", ""))
        if code is None:
            continue
        labels = [row["answer"]] if row.get("answer") else answer_texts.get(row.get("aid", ""), [])
        if row.get("code") not in structure.labels.get(code, {}):
            answer_count[code] = answer_count.get(code, 0) + 1
        for text in labels:
            _add_label(structure.labels, code, row.get("code", ""), text)
            _add_label(
                answers.setdefault(code, {}), row.get("scale_id") or "0", row.get("code", ""), text
            )
        structure.labels.setdefault(code, {}).setdefault(row.get("code", ""), [])
    other_texts: dict[str, list[str]] = {}
    for row in table_rows(root, "question_attributes"):
        if row.get("attribute") == "other_replace_text" and row.get("value"):
            other_texts.setdefault(row.get("qid", ""), []).append(row["value"])
    for qid, question in questions.items():
        code, kind = question.get("title", ""), question.get("type", "")
        structure.types[code] = kind
        if question.get("encrypted") == "Y":
            structure.encrypted.add(code)
        for answer, text in _FIXED_ANSWERS.get(kind, {}).items():
            _add_label(structure.labels, code, answer, text)
            _add_label(answers.setdefault(code, {}), "0", answer, text)
        if question.get("other") == "Y" and kind not in "MP":
            for text in ["Other", *other_texts.get(qid, [])]:
                _add_label(structure.labels, code, _OTHER, text)
        base = f"{question.get('sid', survey_id)}X{question.get('gid', '')}X{qid}"
        rows = sorted(
            subs.get(qid, []),
            key=lambda r: (r.get("scale_id", "0"), int(r.get("question_order") or 0)),
        )
        for row in rows:
            for text in texts.get(row["qid"], []):
                _add_label(structure.labels, code, row.get("title", ""), text)
        if kind in _PER_SUBQUESTION:
            first = [r["title"] for r in rows if r.get("scale_id", "0") in ("0", "")]
            second = [r["title"] for r in rows if r.get("scale_id") == "1"]
            for sub in first:
                if kind in ":;" and second:
                    for other in second:
                        structure.fields[f"{base}{sub}_{other}"] = (code, f"{sub}_{other}")
                elif kind == "1":
                    structure.fields[f"{base}{sub}#0"] = (code, f"{sub}#0")
                    structure.fields[f"{base}{sub}#1"] = (code, f"{sub}#1")
                else:
                    structure.fields[base + sub] = (code, sub)
                if kind == "P":
                    structure.fields[f"{base}{sub}comment"] = (code, f"{sub}comment")
        elif kind == "R":
            for rank in range(1, answer_count.get(code, 0) + 1):
                structure.fields[f"{base}{rank}"] = (code, str(rank))
        elif kind != "X":
            structure.fields[base] = (code, None)
        if kind == "O":
            structure.fields[f"{base}comment"] = (code, "comment")
        if question.get("other") == "Y":
            structure.fields[f"{base}other"] = (code, "other")
    _label_array_rows(structure, answers)
    return structure


def _label_array_rows(
    structure: LimeStructure, answers: dict[str, dict[str, dict[str, list[str]]]]
) -> None:
    """File the answer labels of each array row under its field and its ``CODE_SUB`` too.

    A template takes one row of an array as a question of its own (``G01Q01_SQ1``,
    or any id through a mapping of the field); its answers (``AO01``) are the
    array's, labelled once for the whole question. The second scale of a
    dual-scale array (``…SQ001#1``) has answers of its own.
    """
    for name, (code, sub) in structure.fields.items():
        scales = answers.get(code)
        if not scales or sub is None or sub.endswith(("other", "comment")):
            continue
        own = scales.get("1", {}) if sub.endswith("#1") else scales.get("0", {})
        for key in (name, f"{code}_{sub}"):
            structure.labels.setdefault(key, {}).update({a: list(t) for a, t in own.items()})


def _structure_from_tsv(path: Path) -> LimeStructure:
    header, rows, _ = read_delimited(path, delimiter="\t")
    index = {name: i for i, name in enumerate(header)}
    if not {"class", "name"} <= index.keys():
        msg = (
            f"{path} is not a LimeSurvey survey structure in TSV form: its first line lacks the "
            "columns 'class' and 'name' (export the structure as .lss or as tab-separated .txt)"
        )
        raise DatasetError(msg)

    def cell(cells: list[str], name: str) -> str:
        i = index.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    structure = LimeStructure("")
    code = ""
    for _, cells in rows:
        kind = cell(cells, "class")
        if kind == "S" and cell(cells, "name") == "sid":
            structure.survey_id = cell(cells, "text")
        elif kind == "Q":
            code = cell(cells, "name")
            structure.types[code] = cell(cells, "type/scale")
        elif kind in ("SQ", "A") and code:
            _add_label(structure.labels, code, cell(cells, "name"), cell(cells, "text"))
    return structure


def read_limesurvey_structure(path: str | Path) -> LimeStructure:
    """The structure of a LimeSurvey survey from its ``.lss`` file or its TSV (``.txt``/``.tsv``) export."""
    path = Path(path)
    if path.suffix.lower() in (".lss", ".xml") or _is_xml(path):
        return _structure_from_lss(path)
    return _structure_from_tsv(path)


def _is_xml(path: Path) -> bool:
    """Whether the file starts like an XML document (whatever its suffix)."""
    try:
        with path.open("rb") as handle:
            return handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    except OSError:
        return False


def _candidates(structure: LimeStructure | None) -> Callable[[str], list[tuple[str, str | None]]]:
    def candidates(column: str) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = [(column, None)]
        pair: tuple[str, str | None] | None = None
        if structure is not None and column.lstrip("_") in structure.fields:
            pair = structure.fields[column.lstrip("_")]
        elif (match := _BRACKET.match(column)) or (match := _JOINED.match(column)):
            pair = (match.group(1), match.group(2))
        sub_lower = (pair[1] or "").lower() if pair is not None else ""
        if pair is not None and sub_lower == "other":
            found.append((pair[0], "other"))  # a multiple choice's "Other": chosen if written in
        elif pair is not None and not sub_lower.endswith(("other", "comment")):
            code, sub = (
                pair  # "other" and comment fields hold free text beside the question: not imported
            )
            found += [(f"{code}_{sub}", None), (code, sub)] if sub else [(code, None)]
        return found

    return candidates


def _is_metadata(column: str) -> bool:
    """LimeSurvey's own columns: response id, dates, language, seed, and timings (``…time``)."""
    name = column.lstrip("_").lower()
    return name in _METADATA or name.endswith("time")


def _survey_id(
    path: Path, structure: LimeStructure | None, columns: list[str], given: str | None
) -> str:
    if given:
        return given
    if structure is not None and structure.survey_id:
        return structure.survey_id
    for column in columns:
        if match := _SGQA.match(column):
            return match.group(1)
    if match := re.search(r"survey_?(\d{3,})", path.name):
        return match.group(1)
    msg = (
        f"Cannot tell the LimeSurvey survey id of {path.name} (it is part of every submission id): "
        "give the survey structure (--structure survey.lss) or --survey-id"
    )
    raise DatasetError(msg)


def _element_name(field_name: str) -> str:
    """The XML element LimeSurvey writes for a field of its response table.

    Its exporter (``buildXMLFromQuery`` in ``application/helpers/export_helper.php``)
    puts ``_`` before a name that starts with a digit (``_734488X11X299``) and
    writes ``#`` as ``-`` (dual-scale fields ``…SQ001#0`` → ``…SQ001-0``). A
    field with no value (NULL) gets no element at all.
    """
    name = f"_{field_name}" if field_name[:1].isdigit() else field_name
    return name.replace("#", "-")


def _without_encrypted(
    columns: list[str], records: list[SourceRecord], structure: LimeStructure | None
) -> tuple[list[str], list[SourceRecord], list[str]]:
    """Leave out the fields of encrypted questions, whose cells in a survey archive are ciphertext."""
    if structure is None or not structure.encrypted:
        return columns, records, []
    secret = [
        c
        for c in columns
        if structure.fields.get(c, ("", None))[0] in structure.encrypted
        and any(r.values.get(c, "").strip() for r in records)
    ]
    if not secret:
        return columns, records, []
    questions = sorted({structure.fields[c][0] for c in secret})
    note = (
        f"question(s) {', '.join(questions)} are encrypted in the LimeSurvey survey and this "
        f"file holds their answers encrypted: their {len(secret)} field(s) were not imported "
        "(LimeSurvey's response export, Export results → CSV with question codes, writes them "
        "decrypted: import that file for these questions)"
    )
    keep = [c for c in columns if c not in secret]
    cleaned = [
        replace(r, values={k: v for k, v in r.values.items() if k not in secret}) for r in records
    ]
    return keep, cleaned, [note]


def _records(
    rows: list[tuple[int, list[str]]], columns: list[str], where: str
) -> list[SourceRecord]:
    records = []
    has_submitdate = "submitdate" in columns
    for number, (line, cells) in enumerate(rows, start=1):
        values = {
            name: (cells[i] if i < len(cells) else "") for i, name in enumerate(columns) if name
        }
        submitted = values.get("submitdate", "").strip()
        incomplete = None
        if has_submitdate and not submitted:
            last = values.get("lastpage", "").strip()
            incomplete = "incomplete: not finished (submitdate is empty" + (
                f", last page {last})" if last else ")"
            )
        records.append(
            SourceRecord(
                number=number,
                where=f"{where} {line}",
                response_id=values.get("id", "").strip() or None,
                values=values,
                incomplete=incomplete,
                submitted_at=None if not submitted or submitted == _NO_DATE else submitted,
            )
        )
    return records


#: Largest member of a survey archive that is unpacked (a zip can claim any size).
MAX_ARCHIVE_MEMBER = 256 * 1024 * 1024


def _archive_member(archive: zipfile.ZipFile, path: Path, suffix: str, what: str) -> bytes:
    names = [i for i in archive.infolist() if i.filename.lower().endswith(suffix)]
    if len(names) != 1:
        found = ", ".join(i.filename for i in archive.infolist()) or "nothing"
        msg = (
            f"{path.name} is not a LimeSurvey survey archive with one {what} ({suffix}): it holds "
            f"{found}. Export it again with Export → Survey archive (.lsa), or give the .lsr "
            "and the .lss files"
        )
        raise DatasetError(msg)
    member = names[0]
    if member.file_size > MAX_ARCHIVE_MEMBER:
        msg = (
            f"{path.name}: {member.filename} would unpack to {member.file_size:,} bytes, more "
            f"than the {MAX_ARCHIVE_MEMBER:,} this import reads: unpack it yourself and give "
            "the .lsr and .lss files"
        )
        raise DatasetError(msg)
    with archive.open(member) as handle:
        data = handle.read(MAX_ARCHIVE_MEMBER + 1)
    if len(data) > MAX_ARCHIVE_MEMBER:  # the header understated the size
        msg = f"{path.name}: {member.filename} unpacks to more than {MAX_ARCHIVE_MEMBER:,} bytes"
        raise DatasetError(msg)
    return data


def structure_document(path: str | Path) -> ET.Element:
    """The survey structure of a ``.lss`` file, or of the ``.lss`` inside a survey archive (``.lsa``)."""
    path = Path(path)
    if path.suffix.lower() != ".lsa":
        return _parse_xml(path, "structure")
    if not path.is_file():
        msg = f"No such file: {path}"
        raise DatasetError(msg)
    try:
        with zipfile.ZipFile(path) as archive:
            data = _archive_member(archive, path, ".lss", "survey structure")
    except zipfile.BadZipFile:
        msg = f"{path.name} is not a LimeSurvey survey archive (.lsa is a zip file): it cannot be opened"
        raise DatasetError(msg) from None
    with tempfile.TemporaryDirectory(prefix="transferkit-lss-") as folder:
        copy = Path(folder) / f"{path.stem}.lss"
        copy.write_bytes(data)
        try:
            return _parse_xml(copy, "structure")
        except DatasetError as error:
            raise DatasetError(str(error).replace(str(copy), f"{path.name} (its .lss)")) from None


def read_limesurvey_archive(path: str | Path, *, survey_id: str | None = None) -> SurveyData:
    """Responses of a LimeSurvey survey archive (``.lsa``): its ``.lsr`` read with its ``.lss``."""
    path = Path(path)
    if not path.is_file():
        msg = f"No such file: {path}"
        raise DatasetError(msg)
    try:
        with zipfile.ZipFile(path) as archive:
            structure_xml = _archive_member(archive, path, ".lss", "survey structure")
            responses_xml = _archive_member(archive, path, "_responses.lsr", "response table")
    except zipfile.BadZipFile:
        msg = f"{path.name} is not a LimeSurvey survey archive (.lsa is a zip file): it cannot be opened"
        raise DatasetError(msg) from None
    except RuntimeError as error:  # an encrypted member
        msg = f"{path.name} cannot be unpacked: {error}"
        raise DatasetError(msg) from None
    with tempfile.TemporaryDirectory(prefix="transferkit-lsa-") as folder:
        stem = path.stem
        (Path(folder) / f"{stem}.lss").write_bytes(structure_xml)
        responses = Path(folder) / f"{stem}.lsr"
        responses.write_bytes(responses_xml)
        try:
            data = read_limesurvey(
                responses,
                read_limesurvey_structure(Path(folder) / f"{stem}.lss"),
                survey_id=survey_id,
            )
        except DatasetError as error:  # name the archive, not the unpacked copy
            text = str(error).replace(str(Path(folder)) + "/", "")
            for part in ("lss", "lsr"):
                text = text.replace(f"{stem}.{part}", f"{path.name} (its .{part})")
            raise DatasetError(text) from None
    data.description = data.description.replace(f"({responses.name})", f"({path.name})")
    return data


def read_limesurvey(
    path: str | Path,
    structure: str | Path | LimeStructure | None = None,
    *,
    survey_id: str | None = None,
) -> SurveyData:
    """Responses of a LimeSurvey export (``.lsa``, ``.lsr``, or CSV/R with question codes) for the import.

    ``structure`` (a ``.lss`` or TSV file, or one read before) is needed for a
    ``.lsr`` file, whose columns are internal field names; with a CSV export it
    adds the labels of answer options. A survey archive (``.lsa``) brings its own.
    """
    path = Path(path)
    if path.suffix.lower() == ".lsa":
        if structure is not None:
            msg = f"{path.name} is a survey archive with its own structure: leave out --structure"
            raise DatasetError(msg)
        return read_limesurvey_archive(path, survey_id=survey_id)
    if structure is not None and not isinstance(structure, LimeStructure):
        structure = read_limesurvey_structure(structure)
    notes: list[str] = []
    if path.suffix.lower() in (".lsr", ".xml"):
        root = _parse_xml(path, "responses")
        table = root.find("responses")
        columns = (
            [f.text or "" for f in table.iterfind("fields/fieldname")] if table is not None else []
        )
        elements = list(table.iterfind("rows/row")) if table is not None else []
        field_of = {_element_name(c): c for c in columns}
        rows: list[dict[str, str]] = []
        for element in elements:
            values: dict[str, str] = {}
            for child in element:
                if child.tag not in field_of:
                    msg = (
                        f"{path.name}, response {len(rows) + 1}: the element <{child.tag}> names "
                        "no field of the file's <fields> list: the file is damaged or not a "
                        "LimeSurvey export"
                    )
                    raise DatasetError(msg)
                values[field_of[child.tag]] = child.text or ""
            rows.append(values)
        sgqa = [c for c in columns if _SGQA.match(c)]
        if sgqa and (structure is None or not any(c in structure.fields for c in sgqa)):
            msg = (
                f"{path.name} names its columns by LimeSurvey field names ({sgqa[0]}, …): give the "
                "survey structure of the same survey (--structure survey.lss) to map them to question codes"
            )
            raise DatasetError(msg)
        table_rows = [
            (n, [values.get(c, "") for c in columns]) for n, values in enumerate(rows, start=1)
        ]
        records = _records(table_rows, columns, "row")
    else:
        columns, table_rows, _ = read_delimited(path)
        records = _records(table_rows, columns, "line")
    columns, records, secret_notes = _without_encrypted(columns, records, structure)
    notes += secret_notes
    undated = sum(1 for r in records if r.values.get("submitdate", "").strip() == _NO_DATE)
    if undated:
        notes.append(
            f"{undated} response(s) have LimeSurvey's submitdate {_NO_DATE} (the survey records "
            "no dates): they are stored with the time of this import"
        )
    if "submitdate" not in columns:
        notes.append("the file has no column 'submitdate': every response was taken as complete")
    sid = _survey_id(path, structure, columns, survey_id)
    return SurveyData(
        source="limesurvey",
        description=f"LimeSurvey survey {sid} ({path.name})",
        columns=columns,
        records=records,
        candidates=_candidates(structure),
        is_metadata=_is_metadata,
        labels=structure.labels if structure is not None else {},
        separator=";",
        notes=notes,
        id_prefix=f"limesurvey-{sid}",
    )
