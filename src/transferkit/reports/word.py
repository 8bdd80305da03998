"""Reports as Word files (DOCX): the HTML report rebuilt with python-docx.

The HTML report (whatever made it) is read with the standard library's HTML parser into
blocks, which python-docx writes with Word's own styles: the title as *Title*, section
headings as *Heading 1* (and below), paragraphs with their italics and bold, bullet lists
as *List Bullet*, tables as Word tables (header row repeated on each page, numbers
aligned right as in the HTML), figures as embedded PNG pictures (their caption as
alternative text) kept on the page of their *Caption*. The page is A4 with "Seite 3 von 7"
/ "Page 3 of 7" in the footer (Word's PAGE and NUMPAGES fields). The links to the
figures' data files are left out: they point into the report's folder.

python-docx rather than pandoc: it installs with pip on every platform (pandoc is a
separate program), and it gives direct control of the styles, the column alignment, the
page size and the page-number fields that a converter of generic HTML does not carry.
"""

from __future__ import annotations

import base64
import io
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkit.i18n import text

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

__all__ = ["Block", "html_blocks", "html_to_docx"]


@dataclass
class Run:
    """A piece of text with its emphasis; ``"\\n"`` is a line break."""

    text: str
    italic: bool = False
    bold: bool = False


@dataclass
class Block:
    """One block of a report: ``heading`` (``level``), ``paragraph`` (``css`` class),
    ``list`` (``items``), ``table`` (``rows``, the first ``head_rows`` of them the head,
    ``align`` per column) or ``image`` (``data``, ``alt``)."""

    kind: str
    level: int = 0
    css: str = ""
    runs: list[Run] = field(default_factory=list)
    items: list[list[Run]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    head_rows: int = 0
    align: list[str] = field(default_factory=list)
    data: bytes = b""
    alt: str = ""

    @property
    def text(self) -> str:
        """The block's text (runs joined)."""
        return "".join(r.text for r in self.runs)


_SKIP = {"head", "style", "script", "title", "svg", "noscript", "template"}
_INLINE_ITALIC = {"em", "i"}
_INLINE_BOLD = {"strong", "b"}
_ALIGN = re.compile(
    r"\.(tk-table-\d+) td:nth-child\((\d+)\)[^{]*\{\s*text-align:\s*(left|right|center)"
)


class _Reader(HTMLParser):
    """Collects the blocks of a report page (see :func:`html_blocks`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.styles: list[str] = []
        self.skip = 0
        self.hidden = 0  # inside a data-links paragraph
        self.italic = 0
        self.bold = 0
        self.runs: list[Run] | None = None  # the open heading, paragraph or list item
        self.current: Block | None = None
        self.lists: list[Block] = []
        self.table: Block | None = None
        self.table_css = ""
        self.in_head = False
        self.cell: list[str] | None = None
        self.row: list[str] | None = None

    # -- helpers
    def _open(self, block: Block) -> None:
        self._close()
        self.current = block
        self.runs = block.runs
        self.blocks.append(block)

    def _close(self) -> None:
        if self.current is not None:
            runs = self.current.runs
            while runs and not runs[-1].text.strip():
                runs.pop()
            while runs and not runs[0].text.strip():
                runs.pop(0)
            if runs:
                runs[0].text = runs[0].text.lstrip()
                runs[-1].text = runs[-1].text.rstrip()
            if not runs and self.current.kind in ("heading", "paragraph"):
                self.blocks.remove(self.current)
        self.current, self.runs = None, None

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if self.skip or tag in _SKIP:
            self.skip += tag in _SKIP
            return
        if self.hidden:
            self.hidden += tag == "p"
            return
        if tag == "p" and "tk-figure-data" in attr.get("class", ""):
            self.hidden = 1
            return
        if self.table is not None:
            self._table_start(tag)
            return
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._open(Block("heading", level=int(tag[1])))
        elif tag in {"p", "summary", "figcaption", "pre", "blockquote"}:
            css = attr.get("class", "")
            self._open(Block("paragraph", css=css))
            if tag == "summary" or "bold" in attr.get("style", ""):
                self.current.css = css or "bold"  # type: ignore[union-attr]
        elif tag in {"ul", "ol"}:
            self._close()
            block = Block("list", css=tag)
            self.blocks.append(block)
            self.lists.append(block)
        elif tag == "li" and self.lists:
            self._close()
            self.lists[-1].items.append([])
            self.runs = self.lists[-1].items[-1]
        elif tag == "br" and self.runs is not None:
            self.runs.append(Run("\n"))
        elif tag in _INLINE_ITALIC:
            self.italic += 1
        elif tag in _INLINE_BOLD:
            self.bold += 1
        elif tag == "table":
            self._close()
            self.table = Block("table")
            self.table_css = next(
                (c for c in attr.get("class", "").split() if re.fullmatch(r"tk-table-\d+", c)), ""
            )
        elif tag == "img":
            self._image(attr)
        elif tag in {"div", "section", "main", "details", "article", "body"}:
            self._close()

    def _table_start(self, tag: str) -> None:
        assert self.table is not None
        if tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.row = []
        elif tag in {"td", "th"}:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def _image(self, attr: dict[str, str]) -> None:
        src = attr.get("src", "")
        match = re.match(r"data:image/png;base64,(.*)", src, re.DOTALL)
        if match:
            self._close()
            data = base64.b64decode(match.group(1))
            self.blocks.append(Block("image", data=data, alt=attr.get("alt", "")))

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= tag in _SKIP
            return
        if self.hidden:
            self.hidden -= tag == "p"
            return
        if self.table is not None:
            self._table_end(tag)
            return
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6", "p", "summary", "figcaption", "pre"}:
            self._close()
        elif tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
            self.runs = None
        elif tag == "li":
            self.runs = None
        elif tag in _INLINE_ITALIC:
            self.italic = max(0, self.italic - 1)
        elif tag in _INLINE_BOLD:
            self.bold = max(0, self.bold - 1)
        elif tag in {"div", "section", "main", "details", "blockquote"}:
            self._close()

    def _table_end(self, tag: str) -> None:
        assert self.table is not None
        if tag in {"td", "th"} and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.table.rows.append(self.row)
            self.table.head_rows += self.in_head
            self.row = None
        elif tag == "thead":
            self.in_head = False
        elif tag == "table":
            self.table.css = self.table_css
            if self.table.rows:
                self.blocks.append(self.table)
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            if self.lasttag == "style":
                self.styles.append(data)
            return
        if self.hidden:
            return
        if self.table is not None:
            if self.cell is not None:
                self.cell.append(data)
            return
        text_ = re.sub(r"\s+", " ", data)
        if self.runs is None:
            if not text_.strip():
                return
            self._open(Block("paragraph"))  # text outside a paragraph
        assert self.runs is not None
        self.runs.append(Run(text_, italic=self.italic > 0, bold=self.bold > 0))


def html_blocks(page: str) -> list[Block]:
    """The blocks of a report's HTML page, in order, with each table's column alignment
    taken from the report's own ``text-align`` rules (``.tk-table-N td:nth-child(i)``).

    >>> [(b.kind, b.text) for b in html_blocks("<h2>Effekte</h2><p>a <em>b</em></p>")]
    [('heading', 'Effekte'), ('paragraph', 'a b')]
    """
    reader = _Reader()
    reader.feed(page)
    reader.close()
    reader._close()
    rules: dict[str, dict[int, str]] = {}
    for css in reader.styles:
        for name, column, align in _ALIGN.findall(css):
            rules.setdefault(name, {})[int(column)] = align
    for block in reader.blocks:
        if block.kind == "table":
            width = max(len(r) for r in block.rows)
            block.align = [rules.get(block.css, {}).get(i, "left") for i in range(1, width + 1)]
    return reader.blocks


# --------------------------------------------------------------------------- writing
def _field(paragraph: Any, instruction: str, shown: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in ``paragraph``, showing ``shown`` until Word
    updates it (python-docx has no field API: its ``OxmlElement`` makes the element)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    value = OxmlElement("w:t")
    value.text = shown
    run.append(value)
    simple.append(run)
    paragraph._p.append(simple)


def _repeat_header(row: Any) -> None:
    """Mark a table row as a header row, repeated at the top of each page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _add_runs(paragraph: Any, runs: list[Run]) -> None:
    for run in runs:
        if run.text == "\n":
            paragraph.add_run().add_break()
            continue
        added = paragraph.add_run(run.text)
        added.italic = run.italic or None
        added.bold = run.bold or None


def _setup(doc: DocxDocument, title: str, lang: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    doc.styles["Normal"].font.size = Pt(10.5)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(f"{text('exports.page', lang)} ")
    _field(footer, "PAGE", "1")
    footer.add_run(f" {text('exports.page_of', lang)} ")
    _field(footer, "NUMPAGES", "1")
    props = doc.core_properties
    props.title = title
    props.author = "transferkit"
    props.language = {"de": "de-DE", "en": "en-GB"}.get(lang, lang)
    props.created = props.modified = datetime.now()


def _table(doc: DocxDocument, block: Block) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    width = max(len(r) for r in block.rows)
    table = doc.add_table(rows=len(block.rows), cols=width)
    table.style = doc.styles["Light List Accent 1"]
    align = {"right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}
    for i, values in enumerate(block.rows):
        row = table.rows[i]
        if i < max(block.head_rows, 1):
            _repeat_header(row)
        for j, value in enumerate(values):
            paragraph = row.cells[j].paragraphs[0]
            paragraph.alignment = align.get(block.align[j] if j < len(block.align) else "")
            run = paragraph.add_run(value)
            run.font.size = Pt(9)
            run.bold = True if i < block.head_rows else None
    doc.add_paragraph()


def _picture(doc: DocxDocument, block: Block) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.image.image import Image
    from docx.shared import Mm

    native = Image.from_blob(block.data).width
    shape = doc.add_picture(io.BytesIO(block.data), width=min(native, Mm(170)))
    shape._inline.docPr.set("descr", block.alt)  # the caption as alternative text
    paragraph = doc.paragraphs[-1]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True  # with its caption


def blocks_to_docx(blocks: list[Block], title: str, lang: str = "de") -> DocxDocument:
    """A python-docx ``Document`` of the blocks (see the module docs)."""
    from docx import Document
    from docx.shared import Pt, RGBColor

    doc = Document()
    _setup(doc, title, lang)
    for block in blocks:
        if block.kind == "heading":
            style = "Title" if block.level == 1 else f"Heading {min(block.level - 1, 9)}"
            _add_runs(doc.add_paragraph(style=style), block.runs)
        elif block.kind == "paragraph":
            if "tk-caption" in block.css:
                paragraph = doc.add_paragraph(style="Caption")
            else:
                paragraph = doc.add_paragraph()
            _add_runs(paragraph, block.runs)
            if block.css == "bold":
                for run in paragraph.runs:
                    run.bold = True
                paragraph.paragraph_format.keep_with_next = True  # a table's caption
            if "tk-footer" in block.css:
                for run in paragraph.runs:
                    run.font.size = Pt(8)
                    run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
        elif block.kind == "list":
            style = "List Number" if block.css == "ol" else "List Bullet"
            for item in block.items:
                _add_runs(doc.add_paragraph(style=style), item)
        elif block.kind == "table":
            _table(doc, block)
        elif block.kind == "image":
            _picture(doc, block)
    return doc


def html_to_docx(
    html: str | os.PathLike[str], docx: str | os.PathLike[str], title: str, lang: str = "de"
) -> Path:
    """Write the HTML report ``html`` as the Word file ``docx`` (written whole or not at
    all); return its path. ``lang`` is that of the page footer ("Seite 1 von 5")."""
    text("exports.page", lang)  # refuses another language before anything is written
    page = Path(html).read_text(encoding="utf-8")
    document = blocks_to_docx(html_blocks(page), title, lang)
    out = Path(docx)
    tmp = out.with_name(f".{out.name}.tmp")
    document.save(str(tmp))
    tmp.replace(out)
    return out
