"""Official-style Chinese documents (GB/T 9704-like) built with python-docx.

Pure rendering: functions take plain values (dicts, dataclasses or any object
with the named attributes) and return ``.docx`` bytes. No database, no
streamlit.

Layout, after GB/T 9704-2012 (the red masthead is left out):

* A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
* Title 方正小标宋简体 二号 (22 pt), centred.
* Body 仿宋_GB2312 三号 (16 pt), fixed 28 pt line spacing, first line
  indented two characters. First-level headings (一、) 黑体 三号,
  second-level headings (（一）) 楷体_GB2312 三号.
* Classification (密级) and urgency (紧急程度) top left in 黑体 三号.
* Page number "— N —" centred in the footer, 宋体 四号 (a PAGE field).
* Tables 仿宋_GB2312 小四 (12 pt) with single-line borders.

Fonts: ``run.font.name`` only sets the Latin (ascii) font. Chinese text is
drawn with the ``w:eastAsia`` font, so every run here gets ``w:rFonts`` with
ascii, hAnsi, eastAsia and cs set explicitly and any theme-font attribute
(asciiTheme, eastAsiaTheme, ...) removed, because theme attributes override
explicit names. Built-in Heading styles are not used for the same reason.

Three renderers sit on top of :class:`OfficialDocument`:
:func:`render_incident_report` (第十八、十九、二十一、二十二条),
:func:`render_log_book` (第十三、十四条) and :func:`render_bulletin` (第十七条).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

__all__ = [
    "FONT_TITLE", "FONT_BODY", "FONT_HEADING1", "FONT_HEADING2", "FONT_PAGE_NUMBER",
    "SIZE_TITLE", "SIZE_BODY", "SIZE_PAGE_NUMBER", "SIZE_TABLE", "LINE_SPACING",
    "MARGINS_MM", "REPORT_ELEMENT_LABELS", "UNVERIFIED_NOTE",
    "OfficialDocument", "render_incident_report", "render_log_book",
    "render_bulletin", "docx_to_pdf",
]

# ---------------------------------------------------------------------------
# Typography (GB/T 9704-2012)
# ---------------------------------------------------------------------------
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING1 = "黑体"
FONT_HEADING2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"

SIZE_TITLE = Pt(22)        # 二号
SIZE_BODY = Pt(16)         # 三号
SIZE_PAGE_NUMBER = Pt(14)  # 四号
SIZE_TABLE = Pt(12)        # 小四
LINE_SPACING = Pt(28)      # 固定值 28 磅
TABLE_LINE_SPACING = Pt(20)

MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156

# 第十九条: the eleven elements of an incident report, in the regulation's order.
REPORT_ELEMENT_LABELS = (
    "时间", "地点", "信息来源", "事件起因和性质", "基本情况", "已造成的后果",
    "影响范围", "事件发展趋势", "处置情况", "拟采取的措施", "下一步工作建议",
)
# 第十八条: a report sent while verification is still going on says so.
UNVERIFIED_NOTE = "（边核实边报告，部分情况待核实）"
PENDING_TEXT = "待核实"

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# XML 1.0 forbids most C0 control characters; lxml refuses them outright.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CN_DIGITS = "零一二三四五六七八九"
_PPR_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)
_TBLPR_AFTER_BORDERS = (
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
    "w:tblDescription", "w:tblPrChange",
)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
def _clean(value: Any) -> str:
    """Any value as XML-safe text: None -> "", newlines normalised."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL_XML.sub("", text)


def _lines(value: Any) -> list[str]:
    """Text split into paragraphs (one per line); blank lines dropped."""
    parts = [p.strip() for p in _clean(value).split("\n")]
    return [p for p in parts if p] or [""]


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """Read a field from a mapping or an object (dataclass etc.)."""
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        value = obj.get(key, default)
    else:
        value = getattr(obj, key, default)
    return default if value is None else value


def cn_number(n: int) -> str:
    """1 -> 一, 11 -> 十一, 23 -> 二十三 (1..99), for 一、 / （一） numbering."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


def _names(value: Any) -> str:
    """A person list (or a single string) as 张三、李四."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean(value)
    return "、".join(_clean(v) for v in value if _clean(v))


def _set_fonts(rpr_parent, name: str) -> None:
    """Set ascii/hAnsi/eastAsia/cs on the rFonts of an rPr; drop theme fonts."""
    rpr = rpr_parent.get_or_add_rPr() if hasattr(rpr_parent, "get_or_add_rPr") else rpr_parent
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_ATTRS:
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _style_run(run, font: str, size, *, bold: bool = False, color: RGBColor | None = None):
    run.font.name = font
    _set_fonts(run._element, font)
    run.font.size = size
    rpr = run._element.get_or_add_rPr()
    szcs = rpr.find(qn("w:szCs"))
    if szcs is None:
        szcs = OxmlElement("w:szCs")
        rpr.find(qn("w:sz")).addnext(szcs)
    szcs.set(qn("w:val"), str(int(size.pt * 2)))
    run.font.bold = bold or None
    if color is not None:
        run.font.color.rgb = color
    return run


def _border(tag: str, *, size: int = 4, color: str = "000000", space: int = 1):
    el = OxmlElement(tag)
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))          # eighths of a point
    el.set(qn("w:space"), str(space))
    el.set(qn("w:color"), color)
    return el


def _paragraph_borders(paragraph, *, top: int | None = None, bottom: int | None = None,
                       color: str = "000000") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = OxmlElement("w:pBdr")
    if top:
        pbdr.append(_border("w:top", size=top, color=color))
    if bottom:
        pbdr.append(_border("w:bottom", size=bottom, color=color))
    # Keep CT_PPr's element order (Word rejects out-of-order children).
    ppr.insert_element_before(pbdr, *_PPR_AFTER_PBDR)


# ---------------------------------------------------------------------------
# The builder
# ---------------------------------------------------------------------------
class OfficialDocument:
    """Builds one official-style document paragraph by paragraph.

    Every method writes its own runs with explicit East-Asian fonts; nothing
    relies on built-in Word styles. Call :meth:`to_bytes` at the end.
    """

    def __init__(self, *, doc_title: str = "") -> None:
        self.doc = Document()
        self._setup_page()
        self._setup_normal_style()
        self._setup_footer()
        if doc_title:
            self.doc.core_properties.title = _clean(doc_title)

    # -- setup ------------------------------------------------------------
    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = Mm(PAGE_WIDTH_MM)
        section.page_height = Mm(PAGE_HEIGHT_MM)
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        section.header_distance = Mm(15)
        # The page number sits about 7 mm below the text block (GB/T 9704 7.5).
        section.footer_distance = Mm(24)

    def _setup_normal_style(self) -> None:
        # Document defaults carry theme fonts; replace them with explicit names.
        styles_el = self.doc.styles.element
        rpr_default = styles_el.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr_default is not None:
            _set_fonts(rpr_default, FONT_BODY)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT_BODY
        normal.font.size = SIZE_BODY
        _set_fonts(normal.element, FONT_BODY)
        rpr = normal.element.get_or_add_rPr()
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")
        pf = normal.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = LINE_SPACING
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)

    def _setup_footer(self) -> None:
        footer = self.doc.sections[0].footer
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = Pt(0)
        _style_run(p.add_run("— "), FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER)
        self._field(p, "PAGE", "1")
        _style_run(p.add_run(" —"), FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER)

    @staticmethod
    def _field(paragraph, instruction: str, placeholder: str) -> None:
        """A complex field (fldChar begin / instrText / separate / result / end)."""
        def fld_char(kind: str):
            run = _style_run(paragraph.add_run(), FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER)
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)

        fld_char("begin")
        run = _style_run(paragraph.add_run(), FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER)
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {instruction} "
        run._r.append(instr)
        fld_char("separate")
        _style_run(paragraph.add_run(placeholder), FONT_PAGE_NUMBER, SIZE_PAGE_NUMBER)
        fld_char("end")

    # -- paragraph primitives ----------------------------------------------
    def _para(self, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars: float = 0,
              size=SIZE_BODY, line_spacing=LINE_SPACING, keep_with_next: bool = False):
        p = self.doc.add_paragraph()
        pf = p.paragraph_format
        p.alignment = align
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = line_spacing
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        if keep_with_next:
            pf.keep_with_next = True
        if indent_chars:
            pf.first_line_indent = Pt(size.pt * indent_chars)
            # Word measures firstLineChars in hundredths of a character.
            p._p.pPr.find(qn("w:ind")).set(qn("w:firstLineChars"), str(int(indent_chars * 100)))
        return p

    def _runs(self, p, parts: Iterable[tuple[str, str]], size=SIZE_BODY, **kw):
        for text, font in parts:
            if text:
                _style_run(p.add_run(_clean(text)), font, size, **kw)
        return p

    # -- public building blocks ---------------------------------------------
    def marks(self, classification: str | None = None, urgency: str | None = None):
        """密级 and 紧急程度 top left, 黑体 三号, one per line (GB/T 9704 7.2.2-7.2.3)."""
        for mark in (classification, urgency):
            if _clean(mark).strip():
                p = self._para(align=WD_ALIGN_PARAGRAPH.LEFT)
                self._runs(p, [(_clean(mark).strip(), FONT_HEADING1)])
        return self

    def blank_line(self):
        p = self._para()
        return p

    def title(self, text: str):
        """Title: 方正小标宋简体 二号, centred; each line of ``text`` its own paragraph."""
        last = None
        for line in _lines(text):
            last = self._para(align=WD_ALIGN_PARAGRAPH.CENTER, size=SIZE_TITLE,
                              keep_with_next=True)
            self._runs(last, [(line, FONT_TITLE)], size=SIZE_TITLE)
        return last

    def subtitle(self, text: str):
        """A centred line under the title in 楷体 (e.g. （续报一） or a note)."""
        p = self._para(align=WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=True)
        self._runs(p, [(_clean(text).strip(), FONT_HEADING2)])
        return p

    def meta_line(self, left: str = "", right: str = "", *, rule: bool = True):
        """发文字号 on the left, 签发人 on the right, one character in from each edge.

        In ``签发人：张三`` the label is 仿宋 and the name 楷体 (GB/T 9704 7.2.6).
        With ``rule`` a red separator line is drawn under it (版头分隔线).
        """
        p = self._para(align=WD_ALIGN_PARAGRAPH.LEFT)
        pf = p.paragraph_format
        pf.left_indent = SIZE_BODY
        # Tab positions are measured from the left margin: one character in from the right.
        pf.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - SIZE_BODY, WD_TAB_ALIGNMENT.RIGHT)
        self._runs(p, [(_clean(left).strip(), FONT_BODY)])
        right = _clean(right).strip()
        if right:
            _style_run(p.add_run("\t"), FONT_BODY, SIZE_BODY)
            label, sep, name = right.partition("：")
            if sep:
                self._runs(p, [(label + sep, FONT_BODY), (name, FONT_HEADING2)])
            else:
                self._runs(p, [(right, FONT_BODY)])
        if rule:
            self.rule(color="C00000", size=12)
        return p

    def doc_number(self, text: str, *, rule: bool = True):
        """发文字号 centred (下行文, e.g. 柏办通〔2026〕3号), red rule beneath."""
        p = self._para(align=WD_ALIGN_PARAGRAPH.CENTER)
        self._runs(p, [(_clean(text).strip(), FONT_BODY)])
        if rule:
            self.rule(color="C00000", size=12)
        return p

    def rule(self, *, color: str = "000000", size: int = 8):
        """A horizontal line the width of the text block (an empty bordered paragraph)."""
        p = self._para(size=Pt(4), line_spacing=Pt(4))
        _paragraph_borders(p, bottom=size, color=color)
        return p

    def addressee(self, text: str):
        """主送机关: flush left, ends with a full-width colon."""
        text = _clean(text).strip()
        if text and not text.endswith("："):
            text += "："
        p = self._para(align=WD_ALIGN_PARAGRAPH.LEFT)
        self._runs(p, [(text, FONT_BODY)])
        return p

    def heading1(self, text: str):
        """First-level heading (一、…), 黑体 三号, indented like body text."""
        p = self._para(indent_chars=2, keep_with_next=True)
        self._runs(p, [(_clean(text).strip(), FONT_HEADING1)])
        return p

    def heading2(self, text: str):
        """Second-level heading (（一）…), 楷体_GB2312 三号."""
        p = self._para(indent_chars=2, keep_with_next=True)
        self._runs(p, [(_clean(text).strip(), FONT_HEADING2)])
        return p

    def paragraph(self, text: str, *, label: str = "", label_font: str = FONT_HEADING1):
        """Body text, 仿宋_GB2312 三号, first line indented two characters.

        Each line of ``text`` becomes its own paragraph. An optional ``label``
        (e.g. ``一、时间：``) opens the first paragraph in ``label_font``.
        Returns the last paragraph written.
        """
        last = None
        for i, line in enumerate(_lines(text)):
            last = self._para(indent_chars=2)
            parts = [(label, label_font)] if (label and i == 0) else []
            parts.append((line, FONT_BODY))
            self._runs(last, parts)
        return last

    def table(self, headers: Sequence[str] | None, rows: Sequence[Sequence[Any]],
              col_widths_mm: Sequence[float] | None = None, *, label_first_col: bool = False,
              center_cols: Iterable[int] = ()):
        """A bordered table in 仿宋_GB2312 小四; header row in 黑体, repeated on each page.

        ``headers`` may be empty for a form-like table; ``label_first_col``
        sets the first column in 黑体 (for 项目：内容 forms); ``center_cols``
        are column indexes whose cells are centred (numbers, times, short words).
        Widths default to equal shares of the 156 mm text block.
        """
        center_cols = set(center_cols)
        headers = list(headers or [])
        rows = [list(r) for r in rows]
        ncols = len(headers) or max((len(r) for r in rows), default=1)
        if col_widths_mm is None:
            col_widths_mm = [TEXT_WIDTH_MM / ncols] * ncols
        if len(col_widths_mm) != ncols:
            raise ValueError(f"col_widths_mm has {len(col_widths_mm)} widths for {ncols} columns")
        table = self.doc.add_table(rows=0, cols=ncols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(_border(f"w:{edge}", size=4 if edge.startswith("inside") else 8))
        tbl_pr.insert_element_before(borders, *_TBLPR_AFTER_BORDERS)
        # Narrow cell margins (1 mm) so short headers like 接听情况 fit on one line.
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            m = OxmlElement(f"w:{side}")
            m.set(qn("w:w"), "57")
            m.set(qn("w:type"), "dxa")
            margins.append(m)
        tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption",
                                     "w:tblDescription", "w:tblPrChange")
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is not None:
            tbl_w.set(qn("w:type"), "dxa")
            tbl_w.set(qn("w:w"), str(round(sum(col_widths_mm) / 25.4 * 1440)))
        for col, width in zip(table.columns, col_widths_mm):
            col.width = Mm(width)

        def fill(cells_text, *, header: bool):
            row = table.add_row()
            if header:
                tr_pr = row._tr.get_or_add_trPr()
                tbl_header = OxmlElement("w:tblHeader")
                tr_pr.append(tbl_header)
            for idx, (cell, width) in enumerate(zip(row.cells, col_widths_mm)):
                cell.width = Mm(width)
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                value = cells_text[idx] if idx < len(cells_text) else ""
                bold_col = header or (label_first_col and idx == 0)
                font = FONT_HEADING1 if bold_col else FONT_BODY
                for n, line in enumerate(_lines(value)):
                    p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
                    centred = bold_col or idx in center_cols
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
                    pf = p.paragraph_format
                    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                    pf.line_spacing = TABLE_LINE_SPACING
                    pf.space_before = Pt(2)
                    pf.space_after = Pt(2)
                    pf.first_line_indent = Pt(0)
                    if line:
                        _style_run(p.add_run(line), font, SIZE_TABLE)

        if headers:
            fill(headers, header=True)
        for r in rows:
            fill(r, header=False)
        return table

    def signature_block(self, lines: Sequence[str], *, right_indent_chars: int = 4):
        """署名 and 成文日期, right-aligned, ``right_indent_chars`` in from the right
        margin (GB/T 9704 7.3.5.1: the date 右空四字). One blank line above."""
        self.blank_line()
        last = None
        for line in lines:
            text = _clean(line).strip()
            if not text:
                continue
            last = self._para(align=WD_ALIGN_PARAGRAPH.RIGHT)
            last.paragraph_format.right_indent = Pt(SIZE_BODY.pt * right_indent_chars)
            self._runs(last, [(text, FONT_BODY)])
        return last

    def cc_line(self, names: str | Sequence[str], *, label: str = "报送"):
        """版记 line (报送：… / 抄送：…) in 仿宋 四号 between two rule lines.

        ``names`` is a string or a list (joined with ，, ended with 。).
        A string that already starts with ``label：`` is not labelled twice.
        """
        if isinstance(names, str):
            text = _clean(names).strip()
        else:
            text = "，".join(n for n in (_clean(x).strip() for x in names) if n)
            if text:
                text += "。"
        if not text:
            return None
        if not text.startswith(f"{label}："):
            text = f"{label}：{text}"
        self.blank_line()
        p = self._para(align=WD_ALIGN_PARAGRAPH.LEFT, size=SIZE_PAGE_NUMBER)
        pf = p.paragraph_format
        pf.left_indent = SIZE_PAGE_NUMBER
        pf.right_indent = SIZE_PAGE_NUMBER
        _paragraph_borders(p, top=8, bottom=8)
        self._runs(p, [(text, FONT_BODY)], size=SIZE_PAGE_NUMBER)
        return p

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


# ---------------------------------------------------------------------------
# Renderers
# ---------------------------------------------------------------------------
def _elements(value: Any) -> list[tuple[str, str]]:
    """Report elements as (label, text) pairs, in the order given."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [(_clean(k), _clean(v)) for k, v in value.items()]
    pairs = []
    for item in value:
        if isinstance(item, Mapping) or not isinstance(item, (tuple, list)):
            pairs.append((_clean(_get(item, "label", "")), _clean(_get(item, "text", ""))))
        else:
            label, text = item
            pairs.append((_clean(label), _clean(text)))
    return pairs


def render_incident_report(report: Mapping[str, Any] | Any) -> bytes:
    """Render a written incident report (首报 / 续报N / 终报) as .docx bytes.

    Fields (dict keys or attributes):

    * ``unit_name`` – reporting unit, signed at the end with ``sent_at``.
    * ``title`` – e.g. 关于某某社区液化气爆炸事故的首报; ``kind_label``
      (首报 / 续报一 / 终报) is added under it when the title does not name it.
    * ``report_no`` (left) and ``signer`` (签发人, right) on the meta line.
    * ``classification`` (密级) and ``urgency`` (紧急程度), top left.
    * ``unverified`` – adds 「（边核实边报告，部分情况待核实）」 under the
      title (第十八条); an empty element then reads 待核实.
    * ``delay_reason`` – for a late report, 「迟报原因：…」 (第二十一条).
    * ``changes_since_last`` – what changed since the previous report, for
      follow-ups and the final report (第十九条).
    * ``elements`` – ordered (label, text) pairs for the eleven elements of
      第十九条 (see :data:`REPORT_ELEMENT_LABELS`); a list of pairs, of
      ``{"label", "text"}`` dicts, or an ordered mapping. Rendered in the
      order given and numbered 一、二、…; completeness is the rules' job.
    * ``recipients`` – names for the 报送 line; ``sent_at`` – display text.
    """
    title = _clean(_get(report, "title", "")).strip()
    kind = _clean(_get(report, "kind_label", "")).strip()
    unverified = bool(_get(report, "unverified", False))

    doc = OfficialDocument(doc_title=title)
    doc.marks(_get(report, "classification"), _get(report, "urgency"))
    signer = _clean(_get(report, "signer", "")).strip()
    doc.meta_line(_get(report, "report_no", ""), f"签发人：{signer}" if signer else "")
    doc.blank_line()
    doc.title(title or kind or "突发事件信息报告")
    if kind and kind not in title:
        doc.subtitle(f"（{kind}）")
    if unverified:
        doc.subtitle(UNVERIFIED_NOTE)
    doc.blank_line()

    delay = _clean(_get(report, "delay_reason", "")).strip()
    if delay:
        doc.paragraph(delay, label="迟报原因：", label_font=FONT_HEADING2)
    changes = _clean(_get(report, "changes_since_last", "")).strip()
    if changes:
        doc.paragraph(changes, label="与上次报告相比的新进展和新情况：", label_font=FONT_HEADING2)

    for n, (label, text) in enumerate(_elements(_get(report, "elements")), start=1):
        text = text.strip() or (PENDING_TEXT if unverified else "无")
        doc.paragraph(text, label=f"{cn_number(n)}、{label.strip()}：")

    doc.signature_block([_get(report, "unit_name", ""), _get(report, "sent_at", "")])
    doc.cc_line(list(_get(report, "recipients", []) or []), label="报送")
    return doc.to_bytes()


_EQUIPMENT_OK = ("正常", "故障")


def render_log_book(book: Mapping[str, Any] | Any) -> bytes:
    """Render one shift's duty log book (值班记录本, 第十三、十四条) as .docx bytes.

    Fields (dict keys or attributes):

    * ``unit_name``; ``title`` (default ``{unit_name}值班记录本``).
    * ``duty_time`` (值班时间 text), ``shift_leader`` (带班领导),
      ``duty_officers`` (值班人员, list or text).
    * ``entries`` – the shift's records, already in time order (the
      service compiles them; they are printed in the order given and
      numbered 1, 2, …). Each has ``time``, ``category`` (类别),
      ``content`` (内容), ``handling`` (处理情况), ``recorder`` (记录人).
    * ``handover`` – ``equipment``: items with ``name``, ``ok`` (bool) and
      ``note``; ``open_items`` (交办事项, list of text); ``handed_over_at``
      (交接时间); ``outgoing`` / ``incoming`` (交班人 / 接班人) and optional
      ``outgoing_confirmed_at`` / ``incoming_confirmed_at``.
    * ``addenda`` – corrections made after sealing, each with ``corrects``
      (the entry number it corrects, or text), ``content``, ``time``,
      ``recorder``. History is not edited; a correction is printed as one.
    * ``sealed_at`` and ``digest`` – printed as the seal line when given.
    """
    unit = _clean(_get(book, "unit_name", "")).strip()
    title = _clean(_get(book, "title", "")).strip() or f"{unit}值班记录本"
    doc = OfficialDocument(doc_title=title)
    doc.title(title)
    doc.blank_line()

    doc.table(None, [
        ["值班时间", _get(book, "duty_time", "")],
        ["带班领导", _names(_get(book, "shift_leader", ""))],
        ["值班人员", _names(_get(book, "duty_officers", []))],
    ], col_widths_mm=[32, TEXT_WIDTH_MM - 32], label_first_col=True)

    doc.blank_line()
    doc.heading1("一、值班情况")
    entries = list(_get(book, "entries", []) or [])
    rows = [[
        str(i),
        _get(e, "time", ""),
        _get(e, "category", ""),
        _get(e, "content", ""),
        _get(e, "handling", ""),
        _get(e, "recorder", ""),
    ] for i, e in enumerate(entries, start=1)]
    if rows:
        doc.table(["序号", "时间", "类别", "内容", "处理情况", "记录人"], rows,
                  col_widths_mm=[13, 21, 17, 55, 34, 16], center_cols=(0, 1, 2, 5))
    else:
        doc.paragraph("本班次无值班记录。")

    doc.blank_line()
    doc.heading1("二、交接班情况")
    handover = _get(book, "handover", {}) or {}
    doc.heading2("（一）设备运行情况")
    equipment = list(_get(handover, "equipment", []) or [])
    if equipment:
        doc.table(["设备", "运行情况", "说明"], [[
            _get(item, "name", ""),
            _EQUIPMENT_OK[0] if _get(item, "ok", False) else _EQUIPMENT_OK[1],
            _get(item, "note", ""),
        ] for item in equipment], col_widths_mm=[40, 30, TEXT_WIDTH_MM - 70], center_cols=(1,))
    else:
        doc.paragraph("未记录设备检查情况。")
    doc.heading2("（二）交办事项")
    open_items = [_clean(x).strip() for x in (_get(handover, "open_items", []) or [])]
    open_items = [x for x in open_items if x]
    if open_items:
        for n, item in enumerate(open_items, start=1):
            doc.paragraph(f"{n}．{item}")
    else:
        doc.paragraph("无。")
    doc.heading2("（三）交接时间及人员")
    doc.paragraph(_clean(_get(handover, "handed_over_at", "")) or "________", label="交接时间：",
                  label_font=FONT_BODY)
    for role, key in (("交班人", "outgoing"), ("接班人", "incoming")):
        name = _names(_get(handover, key, "")) or "________"
        confirmed = _clean(_get(handover, f"{key}_confirmed_at", "")).strip()
        note = f"（系统确认：{confirmed}）" if confirmed else ""
        doc.paragraph(f"{role}：{name}　　签字：________{note}")

    addenda = list(_get(book, "addenda", []) or [])
    if addenda:
        doc.blank_line()
        doc.heading1("三、更正补记")
        for n, a in enumerate(addenda, start=1):
            target = _get(a, "corrects", "")
            target = f"第{target}条记录" if isinstance(target, int) else _clean(target).strip()
            meta = "，".join(x for x in (_clean(_get(a, "time", "")).strip(),
                                         _clean(_get(a, "recorder", "")).strip()) if x)
            label = f"补记{n}（更正{target}）：" if target else f"补记{n}："
            doc.paragraph(_clean(_get(a, "content", "")) + (f"（{meta}）" if meta else ""),
                          label=label, label_font=FONT_HEADING2)

    sealed_at = _clean(_get(book, "sealed_at", "")).strip()
    digest = _clean(_get(book, "digest", "")).strip()
    if sealed_at or digest:
        doc.blank_line()
        seal = "；".join(x for x in (f"封存时间：{sealed_at}" if sealed_at else "",
                                    f"校验码：{digest}" if digest else "") if x)
        p = doc._para(align=WD_ALIGN_PARAGRAPH.LEFT, size=SIZE_TABLE, line_spacing=TABLE_LINE_SPACING)
        doc._runs(p, [(seal, FONT_BODY)], size=SIZE_TABLE)
    return doc.to_bytes()


def _flag(value: Any, yes: str, no: str) -> str:
    """A bool as one of two words; text passes through; None -> ''."""
    if isinstance(value, bool):
        return yes if value else no
    return _clean(value)


def _answered(result: Any) -> str:
    answered = _get(result, "answered")
    seconds = _get(result, "answer_seconds")
    if isinstance(answered, bool):
        if not answered:
            return "未接听"
        return f"{seconds}秒接听" if seconds is not None else "接听"
    return _clean(answered)


def render_bulletin(bulletin: Mapping[str, Any] | Any) -> bytes:
    """Render a bulletin (通报) of duty inspections and spot checks (第十七条).

    Fields (dict keys or attributes):

    * ``title``, ``number`` (发文字号, e.g. 柏办通〔2026〕3号, centred),
      optional ``classification`` / ``urgency``.
    * ``addressee`` (主送, default 各社区、各站所、机关各科室).
    * ``intro`` – opening paragraph(s).
    * ``results`` – one per unit: ``unit``, ``checked_at``, ``method``,
      ``answered`` (bool, with ``answer_seconds``, or text), ``staff``
      (在岗人员: text, or bool 在岗/不在岗), ``log_book`` (bool 完整/不完整
      or text), ``equipment`` (bool 正常/故障 or text), ``conclusion``.
    * ``problems`` – list of text (发现的问题).
    * ``rectifications`` – items with ``unit``, ``requirement``,
      ``deadline`` (or plain text); ``closing`` – a final paragraph.
    * ``issuer`` (default 柏泉街党政综合办公室) and ``date``; ``cc``
      (抄送 names).
    """
    title = _clean(_get(bulletin, "title", "")).strip() or "关于政务值班检查情况的通报"
    doc = OfficialDocument(doc_title=title)
    doc.marks(_get(bulletin, "classification"), _get(bulletin, "urgency"))
    number = _clean(_get(bulletin, "number", "")).strip()
    if number:
        doc.doc_number(number)
    doc.blank_line()
    doc.title(title)
    doc.blank_line()
    doc.addressee(_get(bulletin, "addressee", "各社区、各站所、机关各科室"))
    intro = _clean(_get(bulletin, "intro", "")).strip()
    if intro:
        doc.paragraph(intro)

    doc.heading1("一、检查情况")
    results = list(_get(bulletin, "results", []) or [])
    if results:
        doc.table(
            ["单位", "检查时间", "方式", "接听情况", "在岗人员", "记录本", "设备", "结论"],
            [[
                _get(r, "unit", ""),
                _get(r, "checked_at", ""),
                _get(r, "method", ""),
                _answered(r),
                _flag(_get(r, "staff", ""), "在岗", "不在岗"),
                _flag(_get(r, "log_book", ""), "完整", "不完整"),
                _flag(_get(r, "equipment", ""), "正常", "故障"),
                _get(r, "conclusion", ""),
            ] for r in results],
            col_widths_mm=[22, 22, 13, 19, 24, 17, 13, 26],
            center_cols=(1, 2, 3, 4, 5, 6, 7),
        )
        doc.blank_line()
    else:
        doc.paragraph("本期未开展检查。")

    doc.heading1("二、发现的问题")
    problems = [p for p in (_clean(x).strip() for x in (_get(bulletin, "problems", []) or [])) if p]
    if problems:
        for n, text in enumerate(problems, start=1):
            doc.paragraph(text, label=f"（{cn_number(n)}）", label_font=FONT_HEADING2)
    else:
        doc.paragraph("本次检查未发现问题。")

    doc.heading1("三、整改要求")
    items = list(_get(bulletin, "rectifications", []) or [])
    if items:
        for n, item in enumerate(items, start=1):
            if isinstance(item, str):
                text = _clean(item).strip()
            else:
                unit = _clean(_get(item, "unit", "")).strip()
                requirement = _clean(_get(item, "requirement", "")).strip()
                deadline = _clean(_get(item, "deadline", "")).strip()
                text = (f"{unit}：" if unit else "") + requirement
                if deadline:
                    text += f"（整改时限：{deadline}）"
            doc.paragraph(text, label=f"{n}．", label_font=FONT_BODY)
    else:
        doc.paragraph("无。")
    closing = _clean(_get(bulletin, "closing", "")).strip()
    if closing:
        doc.paragraph(closing)

    doc.signature_block([_get(bulletin, "issuer", "柏泉街党政综合办公室"), _get(bulletin, "date", "")])
    cc = _get(bulletin, "cc", [])
    if cc:
        doc.cc_line(cc if isinstance(cc, str) else list(cc), label="抄送")
    return doc.to_bytes()


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------
def docx_to_pdf(docx_bytes: bytes, *, timeout: float = 120) -> bytes | None:
    """Convert .docx bytes to PDF with LibreOffice (``libreoffice`` or ``soffice``
    on PATH, headless). Returns None when no converter is installed, or the
    conversion fails or exceeds ``timeout`` seconds."""
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    if not exe:
        return None
    with tempfile.TemporaryDirectory(prefix="dutydesk-pdf-") as tmp:
        src = os.path.join(tmp, "document.docx")
        with open(src, "wb") as fh:
            fh.write(docx_bytes)
        # A private profile lets conversions run in parallel and as any user.
        profile = "file://" + os.path.join(tmp, "profile")
        try:
            subprocess.run(  # noqa: S603 - LibreOffice on a temp file, list arguments, no shell
                [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", tmp, src],
                check=True, timeout=timeout, capture_output=True,
                env={**os.environ, "HOME": tmp},
            )
        except (subprocess.SubprocessError, OSError):
            return None
        out = os.path.join(tmp, "document.pdf")
        if not os.path.exists(out):
            return None
        with open(out, "rb") as fh:
            return fh.read()
