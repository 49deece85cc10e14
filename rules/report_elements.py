"""What a report contains (第十九条), what it is called, and how it may travel (第十五条、第二十二条).

Pure data and functions; imports nothing from the project.
"""
from __future__ import annotations

from collections.abc import Mapping

# The eleven elements of 第十九条, in the regulation's order.
ELEMENTS: list[tuple[str, str]] = [
    ("time", "时间"),
    ("place", "地点"),
    ("source", "信息来源"),
    ("cause_nature", "事件起因和性质"),
    ("situation", "基本情况"),
    ("consequences", "已造成的后果"),
    ("scope", "影响范围"),
    ("trend", "事件发展趋势"),
    ("handling", "处置情况"),
    ("measures", "拟采取的措施"),
    ("suggestions", "下一步工作建议"),
]
ELEMENT_LABELS = dict(ELEMENTS)
# The parts of 已造成的后果 a form asks for; `consequences` may be text or a dict of these.
CONSEQUENCE_FIELDS: list[tuple[str, str]] = [
    ("deaths", "死亡人数"),
    ("injuries", "受伤人数"),
    ("missing", "失踪人数"),
    ("losses", "经济损失"),
]

REPORT_KINDS = {"initial": "首报", "follow_up": "续报", "final": "终报"}

CHANNEL_LABELS = {
    "phone": "电话",
    "fax": "传真",
    "sms": "短信",
    "written": "书面",
    "system": "国家突发事件信息报送系统",
}
CLASSIFICATION_LABELS = {
    "public": "公开",
    "internal": "内部",
    "secret": "秘密",
    "confidential": "机密",
}
CHANNEL_ARTICLE = "第十五条、第二十二条"


def missing_elements(values: Mapping[str, object]) -> list[str]:
    """Labels of the elements still blank, in order (第十九条). Zero is an answer, not a blank."""
    return [label for code, label in ELEMENTS if _blank(values.get(code))]


def changed_elements(previous: Mapping[str, object], current: Mapping[str, object]) -> list[str]:
    """Labels of the elements a follow-up changed since the previous report (续报, 第十九条)."""
    return [label for code, label in ELEMENTS
            if _normalised(previous.get(code)) != _normalised(current.get(code))]


def report_title(kind: str, number: int | None = None) -> str:
    """首报 / 续报一, 续报二 … / 终报. `number` counts follow-ups from 1; ignored for the others."""
    if kind not in REPORT_KINDS:
        raise ValueError(f"未知的报告类型：{kind!r}（应为 {'、'.join(REPORT_KINDS)}）")
    if kind != "follow_up":
        return REPORT_KINDS[kind]
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 999:
        raise ValueError(f"续报序号必须是 1 至 999 的整数，当前为 {number!r}")
    return REPORT_KINDS[kind] + chinese_numeral(number)


def chinese_numeral(n: int) -> str:
    """1..999 as written in official titles: 一, 十, 十一, 二十, 一百零一, 一百一十."""
    digits = "零一二三四五六七八九"
    if not 1 <= n <= 999:
        raise ValueError(f"仅支持 1 至 999，当前为 {n!r}")
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = digits[hundreds] + "百" if hundreds else ""
    if tens:
        # 十一 on its own, but 一百一十一 inside a hundred.
        out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (digits[ones] if ones else "")


def allowed_channels(classification: str) -> list[str]:
    """Channels information of this classification may use: SMS for public only."""
    _check_classification(classification)
    return [c for c in CHANNEL_LABELS if c != "sms" or classification == "public"]


def channel_problem(channel: str, classification: str) -> str | None:
    """A Chinese reason why `channel` may not carry `classification`, or None when it may."""
    if channel not in CHANNEL_LABELS:
        raise ValueError(f"未知的报送渠道：{channel!r}（应为 {'、'.join(CHANNEL_LABELS)}）")
    if channel in allowed_channels(classification):
        return None
    return (f"密级为「{CLASSIFICATION_LABELS[classification]}」的信息不得通过{CHANNEL_LABELS[channel]}报送，"
            f"请选用{'、'.join(CHANNEL_LABELS[c] for c in allowed_channels(classification))}（{CHANNEL_ARTICLE}）")


def _check_classification(classification: str) -> None:
    if classification not in CLASSIFICATION_LABELS:
        raise ValueError(f"未知的密级：{classification!r}（应为 {'、'.join(CLASSIFICATION_LABELS)}）")


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping):
        return all(_blank(v) for v in value.values())
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(_blank(v) for v in value)
    return False


def _normalised(value: object) -> object:
    # Blank forms of "nothing" compare equal, and surrounding spaces are not a change.
    if _blank(value):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return {k: _normalised(v) for k, v in value.items() if not _blank(v)}
    return value
