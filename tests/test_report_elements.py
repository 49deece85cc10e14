"""Report elements (第十九条), report titles (第十九条), channels by classification (第十五条、第二十二条)."""
import pytest

from rules.report_elements import (
    CHANNEL_LABELS,
    CLASSIFICATION_LABELS,
    ELEMENTS,
    allowed_channels,
    changed_elements,
    channel_problem,
    chinese_numeral,
    missing_elements,
    report_title,
)

ALL_LABELS = ["时间", "地点", "信息来源", "事件起因和性质", "基本情况", "已造成的后果",
              "影响范围", "事件发展趋势", "处置情况", "拟采取的措施", "下一步工作建议"]

COMPLETE = {
    "time": "2026年7月1日8时",
    "place": "柏泉街某村",
    "source": "村委会电话报告",
    "cause_nature": "强降雨引发山体滑坡，自然灾害",
    "situation": "一处民房受损",
    "consequences": {"deaths": 0, "injuries": 1, "missing": 0, "losses": "约5万元"},
    "scope": "周边3户",
    "trend": "降雨持续，有进一步滑坡可能",
    "handling": "已转移群众12人",
    "measures": "设置警戒线，继续监测",
    "suggestions": "请区应急管理局派专家研判",
}


def test_the_eleven_elements_in_the_regulations_order():
    """第十九条: 时间、地点、信息来源、事件起因和性质、基本情况、已造成的后果、影响范围、事件发展趋势、处置情况、拟采取的措施及下一步工作建议."""
    assert [code for code, _ in ELEMENTS] == [
        "time", "place", "source", "cause_nature", "situation", "consequences",
        "scope", "trend", "handling", "measures", "suggestions"]
    assert [label for _, label in ELEMENTS] == ALL_LABELS


def test_a_complete_report_misses_nothing():
    """第十九条: all elements present."""
    assert missing_elements(COMPLETE) == []


def test_an_empty_report_misses_everything_in_order():
    """第十九条: the completeness check lists every blank element."""
    assert missing_elements({}) == ALL_LABELS


@pytest.mark.parametrize("blank", [None, "", "   \n", {}, [], {"deaths": None, "injuries": ""}])
def test_blank_forms_count_as_missing(blank):
    """第十九条: whitespace or an empty sub-form is not an element."""
    assert missing_elements({**COMPLETE, "consequences": blank}) == ["已造成的后果"]


def test_zero_casualties_is_an_answer_not_a_blank():
    """第十九条: 已造成的后果 of 0 deaths is reported information."""
    assert missing_elements({**COMPLETE, "consequences": {"deaths": 0}}) == []
    assert missing_elements({**COMPLETE, "consequences": 0}) == []


def test_changed_elements_lists_what_a_follow_up_changed():
    """第十九条: a 续报 says what changed since the last report."""
    current = {**COMPLETE, "handling": "已转移群众30人",
               "consequences": {**COMPLETE["consequences"], "injuries": 2}}
    assert changed_elements(COMPLETE, current) == ["已造成的后果", "处置情况"]


def test_whitespace_and_blank_forms_are_not_changes():
    """第十九条: only substance counts as a new development."""
    previous = {**COMPLETE, "trend": None}
    current = {**COMPLETE, "trend": "  ", "place": " 柏泉街某村 "}
    assert changed_elements(previous, current) == []


def test_filling_a_gap_is_a_change():
    """第十九条: an urgent 首报 may have gaps the 续报 fills."""
    assert changed_elements({"time": "8时"}, {"time": "8时", "place": "某村"}) == ["地点"]


@pytest.mark.parametrize("kind,number,title", [
    ("initial", None, "首报"),
    ("final", None, "终报"),
    ("final", 7, "终报"),             # the number only counts follow-ups
    ("follow_up", 1, "续报一"),
    ("follow_up", 2, "续报二"),
    ("follow_up", 9, "续报九"),
    ("follow_up", 10, "续报十"),
    ("follow_up", 11, "续报十一"),
    ("follow_up", 19, "续报十九"),
    ("follow_up", 20, "续报二十"),
    ("follow_up", 21, "续报二十一"),
    ("follow_up", 99, "续报九十九"),
    ("follow_up", 100, "续报一百"),
    ("follow_up", 101, "续报一百零一"),
    ("follow_up", 110, "续报一百一十"),
    ("follow_up", 999, "续报九百九十九"),
])
def test_report_titles(kind, number, title):
    """第十九条: 首报, numbered 续报, 终报."""
    assert report_title(kind, number) == title


@pytest.mark.parametrize("kind,number", [
    ("follow_up", None), ("follow_up", 0), ("follow_up", -1), ("follow_up", 1000),
    ("follow_up", True), ("follow_up", "2"), ("interim", 1),
])
def test_bad_titles_are_refused(kind, number):
    """第十九条: only the three report kinds; follow-ups are numbered from 1."""
    with pytest.raises(ValueError):
        report_title(kind, number)


def test_numerals_one_to_ninety_nine_are_distinct():
    """第十九条: every follow-up has its own title."""
    assert len({chinese_numeral(n) for n in range(1, 100)}) == 99


def test_channel_and_classification_labels():
    """第二十二条、第十五条: 传真、电话、短信…; classification levels."""
    assert CHANNEL_LABELS == {"phone": "电话", "fax": "传真", "sms": "短信", "written": "书面",
                              "system": "国家突发事件信息报送系统"}
    assert CLASSIFICATION_LABELS == {"public": "公开", "internal": "内部", "secret": "秘密",
                                     "confidential": "机密"}


@pytest.mark.parametrize("classification,channels", [
    ("public", ["phone", "fax", "sms", "written", "system"]),
    ("internal", ["phone", "fax", "written", "system"]),
    ("secret", ["phone", "fax", "written", "system"]),
    ("confidential", ["phone", "fax", "written", "system"]),
])
def test_sms_only_for_public_information(classification, channels):
    """第十五条、第二十二条: information above 公开 may not go by SMS."""
    assert allowed_channels(classification) == channels


@pytest.mark.parametrize("classification", ["internal", "secret", "confidential"])
def test_sms_problem_names_the_classification_and_articles(classification):
    """第十五条、第二十二条: the refusal says why and cites the articles."""
    problem = channel_problem("sms", classification)
    assert CLASSIFICATION_LABELS[classification] in problem
    assert "短信" in problem and "第十五条、第二十二条" in problem


@pytest.mark.parametrize("classification", list(CLASSIFICATION_LABELS))
@pytest.mark.parametrize("channel", ["phone", "fax", "written", "system"])
def test_other_channels_carry_any_classification(channel, classification):
    """第二十二条: fax, phone, written and the national system are always allowed."""
    assert channel_problem(channel, classification) is None


def test_sms_of_public_information_is_fine():
    """第二十二条: 短信 is a listed channel."""
    assert channel_problem("sms", "public") is None


@pytest.mark.parametrize("channel,classification,fragment", [
    ("pigeon", "public", "pigeon"),
    ("sms", "top_secret", "top_secret"),
])
def test_unknown_codes_are_refused(channel, classification, fragment):
    """第十五条: an unknown classification must not silently allow a channel."""
    with pytest.raises(ValueError, match=fragment):
        channel_problem(channel, classification)
    with pytest.raises(ValueError):
        allowed_channels("top_secret")
