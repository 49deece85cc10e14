"""Official-style documents parsed back with python-docx (no database).

Layout after GB/T 9704: margins, fonts through w:eastAsia, 28-pt exact spacing,
page-number field. Content: the eleven elements of 第十九条 in order, the
边核实边报告 note of 第十八条, the log book of 第十三、十四条, the bulletin of
第十七条.
"""
from __future__ import annotations

import io
import shutil
from dataclasses import dataclass

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from documents import official
from documents.official import (
    REPORT_ELEMENT_LABELS,
    UNVERIFIED_NOTE,
    OfficialDocument,
    cn_number,
    docx_to_pdf,
    render_bulletin,
    render_incident_report,
    render_log_book,
)

HOSTILE = "<img src=x onerror=alert(1)> & <b>粗</b> \"引号\" 'x' > <"
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


# ---------------------------------------------------------------------------
# sample data
# ---------------------------------------------------------------------------
def report_data(**over):
    data = dict(
        unit_name="柏泉街道办事处",
        title="关于柏泉街某某社区液化气爆炸事故的首报",
        kind_label="首报",
        report_no="柏泉值〔2026〕15号",
        signer="张三",
        classification="内部",
        urgency="特急",
        recipients=["区人民政府办公室总值班室", "区应急管理局"],
        sent_at="2026年7月1日",
        unverified=False,
        elements=[(label, f"{label}的内容") for label in REPORT_ELEMENT_LABELS],
        changes_since_last="",
        delay_reason="",
    )
    data.update(over)
    return data


def log_book_data(**over):
    data = dict(
        unit_name="柏泉街道机关",
        duty_time="2026年7月1日8时30分至7月2日8时30分",
        shift_leader="李主任",
        duty_officers=["王五", "赵六"],
        entries=[
            dict(time="09:45", category="来电", content="网格员报告液化气爆炸",
                 handling="已报带班领导", recorder="王五"),
            dict(time="10:05", category="报告", content="向区总值班室书面首报",
                 handling="已发送", recorder="王五"),
            dict(time="14:30", category="批示", content="区领导批示：全力救治伤员",
                 handling="已转社区落实", recorder="赵六"),
        ],
        handover=dict(
            equipment=[dict(name="值班电话", ok=True, note=""),
                       dict(name="传真机", ok=False, note="卡纸，已报修")],
            open_items=["跟进伤员救治情况", "7月2日12时前反馈批示落实情况"],
            handed_over_at="2026年7月2日8时20分",
            outgoing="王五",
            incoming="孙七",
        ),
        addenda=[dict(corrects=1, content="来电时间应为9时43分", time="7月2日9时", recorder="王五")],
    )
    data.update(over)
    return data


def bulletin_data(**over):
    data = dict(
        title="关于2026年6月政务值班抽查情况的通报",
        number="柏办通〔2026〕3号",
        intro="为落实第十七条，党政办对各单位政务值班情况进行了抽查。现将有关情况通报如下。",
        results=[
            dict(unit="幸福社区", checked_at="6月25日22:10", method="电话", answered=True,
                 answer_seconds=8, staff="张某（在编）", log_book=True, equipment=True,
                 conclusion="合格"),
            dict(unit="城管中队", checked_at="6月26日03:15", method="电话", answered=False,
                 staff=False, log_book=False, equipment=True, conclusion="不合格"),
            dict(unit="社区卫生服务站", checked_at="6月27日10:00", method="实地", answered=True,
                 answer_seconds=15, staff="李某（在编）", log_book=False, equipment=False,
                 conclusion="基本合格"),
        ],
        problems=["城管中队值班电话无人接听，值班人员脱岗。"],
        rectifications=[dict(unit="城管中队", requirement="书面说明脱岗原因",
                             deadline="2026年7月5日前")],
        date="2026年6月30日",
    )
    data.update(over)
    return data


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def load(data: bytes):
    return Document(io.BytesIO(data))


def body_texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def rfonts(run):
    rpr = run._r.rPr
    return None if rpr is None else rpr.find(qn("w:rFonts"))


def east_asia(run) -> str | None:
    rf = rfonts(run)
    return None if rf is None else rf.get(qn("w:eastAsia"))


def find_paragraph(doc, startswith: str):
    for p in doc.paragraphs:
        if p.text.startswith(startswith):
            return p
    raise AssertionError(f"no paragraph starts with {startswith!r}: {body_texts(doc)}")


def table_with_header(doc, first_header: str):
    for t in doc.tables:
        if t.rows and t.rows[0].cells[0].text == first_header:
            return t
    raise AssertionError(f"no table with header {first_header!r}")


def all_runs_xml(doc):
    """Every w:r in the body (tables included) and in the footers."""
    runs = list(doc.element.body.iter(qn("w:r")))
    for section in doc.sections:
        runs.extend(section.footer._element.iter(qn("w:r")))
    return runs


RENDERERS = {
    "report": lambda: render_incident_report(report_data()),
    "log_book": lambda: render_log_book(log_book_data()),
    "bulletin": lambda: render_bulletin(bulletin_data()),
}


# ---------------------------------------------------------------------------
# layout shared by every document
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", RENDERERS)
def test_a4_with_gbt9704_margins(kind):
    section = load(RENDERERS[kind]()).sections[0]
    tolerance = Mm(0.5)
    assert abs(section.page_width - Mm(210)) <= tolerance
    assert abs(section.page_height - Mm(297)) <= tolerance
    for side, mm in (("top", 37), ("bottom", 35), ("left", 28), ("right", 26)):
        assert abs(getattr(section, f"{side}_margin") - Mm(mm)) <= tolerance, side


@pytest.mark.parametrize("kind", RENDERERS)
def test_every_run_has_explicit_east_asian_font_and_no_theme_font(kind):
    doc = load(RENDERERS[kind]())
    runs = all_runs_xml(doc)
    assert runs
    for r in runs:
        rf = r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        assert rf is not None, r.xml
        assert rf.get(qn("w:eastAsia")), r.xml
        assert rf.get(qn("w:ascii")) == rf.get(qn("w:eastAsia")) == rf.get(qn("w:hAnsi"))
        for attr in THEME_ATTRS:
            assert rf.get(qn(attr)) is None, (attr, r.xml)


@pytest.mark.parametrize("kind", RENDERERS)
def test_normal_style_and_defaults_use_fangsong_without_theme_fonts(kind):
    doc = load(RENDERERS[kind]())
    normal = doc.styles["Normal"].element
    rf = normal.find(qn("w:rPr") + "/" + qn("w:rFonts"))
    assert rf.get(qn("w:eastAsia")) == "仿宋_GB2312"
    defaults = doc.styles.element.find(qn("w:docDefaults")).iter(qn("w:rFonts"))
    for el in [rf, *defaults]:
        for attr in THEME_ATTRS:
            assert el.get(qn(attr)) is None
    assert doc.styles["Normal"].font.size == Pt(16)


@pytest.mark.parametrize("kind", RENDERERS)
def test_footer_has_centred_page_field_between_dashes(kind):
    doc = load(RENDERERS[kind]())
    footer = doc.sections[0].footer
    xml = footer._element.xml
    instr = [el.text for el in footer._element.iter(qn("w:instrText"))]
    simple = [el.get(qn("w:instr")) for el in footer._element.iter(qn("w:fldSimple"))]
    assert any("PAGE" in (t or "") for t in instr + simple), xml
    p = footer.paragraphs[0]
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert p.text.startswith("— ") and p.text.endswith(" —")
    for run in p.runs:
        assert east_asia(run) == "宋体"
        assert run.font.size == Pt(14)


@pytest.mark.parametrize("kind", RENDERERS)
def test_text_paragraphs_have_exact_28pt_spacing(kind):
    doc = load(RENDERERS[kind]())
    checked = 0
    for p in doc.paragraphs:
        if not p.text or p.text.startswith("封存时间"):
            continue
        pf = p.paragraph_format
        assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY, p.text
        assert pf.line_spacing == Pt(28), p.text
        checked += 1
    assert checked > 5


@pytest.mark.parametrize("kind", RENDERERS)
def test_title_is_xiaobiaosong_22pt_centred(kind):
    doc = load(RENDERERS[kind]())
    titles = [p for p in doc.paragraphs
              if p.runs and east_asia(p.runs[0]) == "方正小标宋简体"]
    assert len(titles) == 1
    title = titles[0]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert all(r.font.size == Pt(22) for r in title.runs)
    assert doc.core_properties.title == title.text


# ---------------------------------------------------------------------------
# incident report (第十八、十九、二十一、二十二条)
# ---------------------------------------------------------------------------
def test_report_title_meta_line_and_marks():
    doc = load(render_incident_report(report_data()))
    texts = body_texts(doc)
    assert "关于柏泉街某某社区液化气爆炸事故的首报" in texts
    # 密级 and 紧急程度 top left, 黑体 三号
    assert texts[0] == "内部" and texts[1] == "特急"
    for p in doc.paragraphs[:2]:
        assert p.alignment == WD_ALIGN_PARAGRAPH.LEFT
        assert east_asia(p.runs[0]) == "黑体" and p.runs[0].font.size == Pt(16)
    meta = find_paragraph(doc, "柏泉值〔2026〕15号")
    assert meta.text == "柏泉值〔2026〕15号\t签发人：张三"
    assert meta.paragraph_format.tab_stops[0].alignment.name == "RIGHT"


def test_report_without_marks_starts_with_meta_line():
    doc = load(render_incident_report(report_data(classification=None, urgency="")))
    assert doc.paragraphs[0].text.startswith("柏泉值〔2026〕15号")


def test_report_lists_the_eleven_elements_of_article_19_in_order():
    doc = load(render_incident_report(report_data()))
    texts = body_texts(doc)
    positions = []
    for n, label in enumerate(REPORT_ELEMENT_LABELS, start=1):
        prefix = f"{cn_number(n)}、{label}："
        hits = [i for i, t in enumerate(texts) if t.startswith(prefix)]
        assert len(hits) == 1, prefix
        assert texts[hits[0]] == f"{prefix}{label}的内容"
        positions.append(hits[0])
    assert positions == sorted(positions)
    assert len(REPORT_ELEMENT_LABELS) == 11


def test_element_labels_match_the_rules_module():
    from rules import report_elements

    assert list(REPORT_ELEMENT_LABELS) == [label for _, label in report_elements.ELEMENTS]


def test_report_element_paragraphs_fonts_and_indent():
    doc = load(render_incident_report(report_data()))
    p = find_paragraph(doc, "五、基本情况：")
    label_run, text_run = p.runs
    assert east_asia(label_run) == "黑体"
    assert east_asia(text_run) == "仿宋_GB2312"
    assert text_run.font.size == Pt(16)
    assert rfonts(text_run).get(qn("w:ascii")) == "仿宋_GB2312"
    pf = p.paragraph_format
    assert pf.first_line_indent == Pt(32)
    assert p._p.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY and pf.line_spacing == Pt(28)


def test_report_elements_accept_dicts_and_multiline_text():
    elements = [{"label": label, "text": f"{label}甲\n{label}乙"} for label in REPORT_ELEMENT_LABELS]
    doc = load(render_incident_report(report_data(elements=elements)))
    texts = body_texts(doc)
    i = texts.index("一、时间：时间甲")
    assert texts[i + 1] == "时间乙"


def test_unverified_note_only_when_flagged():
    plain = all_text(load(render_incident_report(report_data(unverified=False))))
    assert UNVERIFIED_NOTE not in plain
    assert "边核实" not in plain
    elements = [(label, "") if label == "影响范围" else (label, "有") for label in REPORT_ELEMENT_LABELS]
    doc = load(render_incident_report(report_data(unverified=True, elements=elements)))
    texts = body_texts(doc)
    assert texts.count(UNVERIFIED_NOTE) == 1
    # the note sits right under the title
    title_at = texts.index("关于柏泉街某某社区液化气爆炸事故的首报")
    assert texts[title_at + 1] == UNVERIFIED_NOTE
    assert "七、影响范围：待核实" in texts


def test_kind_label_shown_under_title_when_title_does_not_name_it():
    doc = load(render_incident_report(report_data(
        title="关于某某社区液化气爆炸事故的续报", kind_label="续报一")))
    texts = body_texts(doc)
    assert texts[texts.index("关于某某社区液化气爆炸事故的续报") + 1] == "（续报一）"
    doc = load(render_incident_report(report_data()))  # title already says 首报
    assert "（首报）" not in body_texts(doc)


def test_follow_up_states_changes_and_late_report_states_reason():
    doc = load(render_incident_report(report_data(
        kind_label="续报一", changes_since_last="1名轻伤人员已出院。",
        delay_reason="现场通信中断，未能在1小时内完整报告。")))
    texts = body_texts(doc)
    assert "迟报原因：现场通信中断，未能在1小时内完整报告。" in texts
    assert "与上次报告相比的新进展和新情况：1名轻伤人员已出院。" in texts
    plain = all_text(load(render_incident_report(report_data())))
    assert "迟报原因" not in plain and "新进展" not in plain


def test_report_signature_and_recipients_line():
    doc = load(render_incident_report(report_data()))
    texts = body_texts(doc)
    unit = find_paragraph(doc, "柏泉街道办事处")
    assert unit.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert texts[texts.index("柏泉街道办事处") + 1] == "2026年7月1日"
    cc = find_paragraph(doc, "报送：")
    assert cc.text == "报送：区人民政府办公室总值班室，区应急管理局。"
    assert cc._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None
    assert texts.index(cc.text) > texts.index("2026年7月1日")


def test_report_without_recipients_has_no_cc_line():
    doc = load(render_incident_report(report_data(recipients=[])))
    assert not any(t.startswith("报送") for t in body_texts(doc))


# ---------------------------------------------------------------------------
# log book (第十三、十四条)
# ---------------------------------------------------------------------------
def test_log_book_header_table():
    doc = load(render_log_book(log_book_data()))
    assert "柏泉街道机关值班记录本" in body_texts(doc)
    header = doc.tables[0]
    cells = {row.cells[0].text: row.cells[1].text for row in header.rows}
    assert cells == {
        "值班时间": "2026年7月1日8时30分至7月2日8时30分",
        "带班领导": "李主任",
        "值班人员": "王五、赵六",
    }


def test_log_book_entries_in_given_order():
    doc = load(render_log_book(log_book_data()))
    table = table_with_header(doc, "序号")
    headers = [c.text for c in table.rows[0].cells]
    assert headers == ["序号", "时间", "类别", "内容", "处理情况", "记录人"]
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in body] == ["1", "2", "3"]
    assert [r[1] for r in body] == ["09:45", "10:05", "14:30"]
    assert body[2] == ["3", "14:30", "批示", "区领导批示：全力救治伤员", "已转社区落实", "赵六"]
    # header row repeats on each page
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_log_book_accepts_dataclasses():
    @dataclass
    class Entry:
        time: str
        category: str
        content: str
        handling: str
        recorder: str

    entries = [Entry("23:10", "来电", "夜间咨询", "已答复", "王五"),
               Entry("01:00", "巡查", "设备检查", "正常", "赵六")]
    doc = load(render_log_book(log_book_data(entries=entries)))
    body = [[c.text for c in row.cells] for row in table_with_header(doc, "序号").rows[1:]]
    assert [r[1] for r in body] == ["23:10", "01:00"]  # given order, not sorted


def test_log_book_handover_equipment_items_and_signature_lines():
    doc = load(render_log_book(log_book_data()))
    equipment = table_with_header(doc, "设备")
    rows = [[c.text for c in row.cells] for row in equipment.rows[1:]]
    assert rows == [["值班电话", "正常", ""], ["传真机", "故障", "卡纸，已报修"]]
    texts = body_texts(doc)
    assert "1．跟进伤员救治情况" in texts and "2．7月2日12时前反馈批示落实情况" in texts
    assert "交接时间：2026年7月2日8时20分" in texts
    assert "交班人：王五　　签字：________" in texts
    assert "接班人：孙七　　签字：________" in texts
    assert texts.index("交班人：王五　　签字：________") < texts.index("接班人：孙七　　签字：________")


def test_log_book_addenda_name_what_they_correct():
    doc = load(render_log_book(log_book_data(addenda=[
        dict(corrects=1, content="来电时间应为9时43分", time="7月2日9时", recorder="王五"),
        dict(corrects="第2条记录的处理情况", content="已于10时10分发送", recorder="赵六"),
    ])))
    texts = body_texts(doc)
    assert "三、更正补记" in texts
    assert "补记1（更正第1条记录）：来电时间应为9时43分（7月2日9时，王五）" in texts
    assert "补记2（更正第2条记录的处理情况）：已于10时10分发送（赵六）" in texts


def test_log_book_empty_shift_and_no_addenda():
    doc = load(render_log_book(log_book_data(entries=[], addenda=[],
                                             handover=dict(outgoing="王五"))))
    texts = body_texts(doc)
    assert "本班次无值班记录。" in texts
    assert "三、更正补记" not in texts
    assert "接班人：________　　签字：________" in texts


def test_log_book_seal_line():
    doc = load(render_log_book(log_book_data(sealed_at="2026年7月2日8时25分", digest="abc123")))
    assert "封存时间：2026年7月2日8时25分；校验码：abc123" in body_texts(doc)


def test_table_cells_are_fangsong_small_four_with_borders():
    doc = load(render_log_book(log_book_data()))
    table = table_with_header(doc, "序号")
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        assert borders.find(qn(f"w:{edge}")).get(qn("w:val")) == "single"
    header_run = table.rows[0].cells[0].paragraphs[0].runs[0]
    assert east_asia(header_run) == "黑体"
    body_run = table.rows[1].cells[3].paragraphs[0].runs[0]
    assert east_asia(body_run) == "仿宋_GB2312" and body_run.font.size == Pt(12)


def test_headings_use_heiti_and_kaiti():
    doc = load(render_log_book(log_book_data()))
    h1 = find_paragraph(doc, "二、交接班情况")
    h2 = find_paragraph(doc, "（一）设备运行情况")
    assert east_asia(h1.runs[0]) == "黑体" and h1.runs[0].font.size == Pt(16)
    assert east_asia(h2.runs[0]) == "楷体_GB2312" and h2.runs[0].font.size == Pt(16)
    assert not h1.style.name.startswith("Heading") and not h2.style.name.startswith("Heading")


# ---------------------------------------------------------------------------
# bulletin (第十七条)
# ---------------------------------------------------------------------------
def test_bulletin_results_table_has_one_row_per_unit():
    data = bulletin_data()
    doc = load(render_bulletin(data))
    table = table_with_header(doc, "单位")
    assert [c.text for c in table.rows[0].cells] == [
        "单位", "检查时间", "方式", "接听情况", "在岗人员", "记录本", "设备", "结论"]
    assert len(table.rows) == 1 + len(data["results"])
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == ["幸福社区", "城管中队", "社区卫生服务站"]
    assert rows[0] == ["幸福社区", "6月25日22:10", "电话", "8秒接听", "张某（在编）", "完整", "正常", "合格"]
    assert rows[1] == ["城管中队", "6月26日03:15", "电话", "未接听", "不在岗", "不完整", "正常", "不合格"]
    assert rows[2][6] == "故障"


def test_bulletin_number_title_sections_and_signature():
    doc = load(render_bulletin(bulletin_data()))
    texts = body_texts(doc)
    number = find_paragraph(doc, "柏办通〔2026〕3号")
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "关于2026年6月政务值班抽查情况的通报" in texts
    assert "各社区、各站所、机关各科室：" in texts
    order = [texts.index(t) for t in ("一、检查情况", "二、发现的问题", "三、整改要求")]
    assert order == sorted(order)
    assert "（一）城管中队值班电话无人接听，值班人员脱岗。" in texts
    assert "1．城管中队：书面说明脱岗原因（整改时限：2026年7月5日前）" in texts
    i = texts.index("柏泉街党政综合办公室")
    assert texts[i + 1] == "2026年6月30日"
    assert doc.paragraphs[i].alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_bulletin_without_problems_says_so():
    doc = load(render_bulletin(bulletin_data(problems=[], rectifications=[])))
    texts = body_texts(doc)
    assert "本次检查未发现问题。" in texts
    assert texts[texts.index("三、整改要求") + 1] == "无。"


# ---------------------------------------------------------------------------
# hostile and odd input
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["report", "log_book", "bulletin"])
def test_hostile_text_appears_literally(kind):
    if kind == "report":
        data = render_incident_report(report_data(
            title=f"关于{HOSTILE}的首报", signer=HOSTILE, recipients=[HOSTILE],
            elements=[(label, HOSTILE) for label in REPORT_ELEMENT_LABELS]))
    elif kind == "log_book":
        entries = log_book_data()["entries"]
        entries[0]["content"] = HOSTILE
        data = render_log_book(log_book_data(entries=entries, shift_leader=HOSTILE))
    else:
        results = bulletin_data()["results"]
        results[0]["unit"] = HOSTILE
        data = render_bulletin(bulletin_data(results=results, problems=[HOSTILE]))
    doc = load(data)
    assert HOSTILE in all_text(doc)
    xml = doc.element.xml
    assert "<img" not in xml and "&lt;img src=x onerror=alert(1)&gt; &amp;" in xml


def test_control_characters_are_dropped_not_fatal():
    doc = load(render_incident_report(report_data(title="标题\x00\x07\x1b带控制字符")))
    assert "标题带控制字符" in body_texts(doc)


def test_cn_number():
    assert [cn_number(n) for n in (1, 9, 10, 11, 19, 20, 21, 99)] == [
        "一", "九", "十", "十一", "十九", "二十", "二十一", "九十九"]


def test_builder_can_be_used_directly():
    doc = OfficialDocument()
    doc.marks("秘密", "加急")
    doc.title("第一行\n第二行")
    doc.heading1("一、总体情况")
    doc.heading2("（一）基本情况")
    doc.paragraph("正文。")
    doc.table(["甲", "乙"], [["1", "2"]], col_widths_mm=[50, 106])
    doc.signature_block(["柏泉街党政综合办公室", "2026年7月1日"])
    doc.cc_line("报送：区政府办公室。")
    parsed = load(doc.to_bytes())
    texts = body_texts(parsed)
    assert texts[:4] == ["秘密", "加急", "第一行", "第二行"]
    assert "报送：区政府办公室。" in texts  # not labelled twice
    with pytest.raises(ValueError):
        OfficialDocument().table(["甲", "乙"], [], col_widths_mm=[156])


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------
def test_docx_to_pdf_without_converter_returns_none(monkeypatch):
    monkeypatch.setattr(official.shutil, "which", lambda name: None)
    assert docx_to_pdf(render_incident_report(report_data())) is None


def test_docx_to_pdf_failing_converter_returns_none(monkeypatch):
    false = shutil.which("false") or "/bin/false"
    monkeypatch.setattr(official.shutil, "which", lambda name: false)
    assert docx_to_pdf(b"not a docx") is None


def test_docx_to_pdf_uses_libreoffice_where_installed():
    # PDF is offered only where a converter exists; without one the result is None.
    pdf = docx_to_pdf(render_bulletin(bulletin_data()))
    if shutil.which("libreoffice") or shutil.which("soffice"):
        assert pdf is not None and pdf.startswith(b"%PDF")
    else:
        assert pdf is None
