"""Field checks shared by every form and import: phone numbers, names and texts.

Each check returns a Chinese message that names the field ("手机：应为11位手机号码"),
or None when the value is fine. An empty value is never a format problem here; whether
a field is required is the caller's business (`text_problem(..., required=True)`).
Pure functions; imports nothing from the project.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

# kinds of phone number a field accepts
MOBILE = "mobile"        # 手机: 11 digits, 1[3-9]…
LANDLINE = "landline"    # 固定电话 with area code: 027-83881234, 010-12345678-123
PHONE = "phone"          # either (a duty phone may be a fixed mobile number, 第二十三条)
PHONE_KINDS = (MOBILE, LANDLINE, PHONE)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area codes: 010 and 02X have three digits and 8-digit local numbers; all others
# (0[3-9]XX) have four digits and 7- or 8-digit local numbers, which never start with
# 0. An extension follows a dash or 转.
LANDLINE_RE = re.compile(
    r"^(?:(?P<a3>0(?:10|2\d))-?(?P<n8>[1-9]\d{7})"
    r"|(?P<a4>0[3-9]\d{2})-?(?P<n7>[1-9]\d{6,7}))"
    r"(?:(?:-|转)(?P<ext>\d{1,6}))?$"
)

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−－﹣"), "-")
_EXAMPLE = "如 027-83881234"
PHONE_MESSAGES = {
    MOBILE: "应为11位手机号码",
    LANDLINE: f"应为带区号的固定电话号码（{_EXAMPLE}）",
    PHONE: f"应为11位手机号码或带区号的固定电话号码（{_EXAMPLE}）",
}


def _clean(value: str) -> str:
    """Full-width to half-width, every dash to '-', no spaces, '(027)' to '027-'."""
    text = unicodedata.normalize("NFKC", str(value)).translate(_DASHES)
    text = re.sub(r"\s+", "", text)
    return re.sub(r"^\((0\d{2,3})\)-?", r"\1-", text)


def _mobile(text: str) -> str | None:
    digits = text.replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if MOBILE_RE.match(digits) else None


def _landline(text: str) -> str | None:
    m = LANDLINE_RE.match(text)
    if not m:
        return None
    area, number = (m["a3"], m["n8"]) if m["a3"] else (m["a4"], m["n7"])
    return f"{area}-{number}" + (f"-{m['ext']}" if m["ext"] else "")


def canonical_phone(value: str | None, kind: str = PHONE) -> str | None:
    """The stored form ('13812345678', '027-83881234-123'), or None if empty or invalid."""
    if kind not in PHONE_KINDS:
        raise ValueError(f"unknown phone kind {kind!r}")
    if value is None or not str(value).strip():
        return None
    text = _clean(value)
    if kind in (MOBILE, PHONE) and (found := _mobile(text)):
        return found
    if kind in (LANDLINE, PHONE):
        return _landline(text)
    return None


def phone_problem(label: str, value: str | None, kind: str = PHONE) -> str | None:
    """'手机：应为11位手机号码' when a non-empty value is not a number of this kind."""
    if value is None or not str(value).strip():
        return None
    if canonical_phone(value, kind) is None:
        return f"{label}：{PHONE_MESSAGES[kind]}"
    return None


def clean_text(value: str | None) -> str | None:
    """Trimmed text; an empty or blank value becomes None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


_ALLOWED_CONTROLS = frozenset("\t\n\r")


def has_control(value: str | None) -> bool:
    """Whether a text holds a control character other than tab and line breaks (NUL, ESC…).
    PostgreSQL refuses NUL outright, and none of them belongs in a duty record."""
    return value is not None and any(
        unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in str(value))


def control_problem(label: str, value: str | None) -> str | None:
    if has_control(value):
        return f"{label}：含有不可见的控制字符，请删除后重新输入"
    return None


def text_problem(label: str, value: str | None, max_length: int,
                 required: bool = False) -> str | None:
    text = clean_text(value)
    if text is None:
        return f"{label}：不能为空" if required else None
    if has_control(text):
        return control_problem(label, text)
    if len(text) > max_length:
        return f"{label}：不能超过{max_length}个字"
    return None


def date_problem(label: str, value: date | None, today: date) -> str | None:
    """A date of something that has happened (training, a review) cannot lie ahead."""
    if value is not None and value > today:
        return f"{label}：不能晚于今天（{today.isoformat()}）"
    return None
