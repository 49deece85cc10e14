"""Reporting deadlines of 第二十一条 (and the verification clocks of 第二十条) as pure functions.

Clocks run from the time the incident occurred (事发时间), except the "at once" reports,
which run from receipt (接报时间), and verification requests, which run from the request.
The numbers are data (`DeadlineTable`) so the office may tighten them, never loosen them.
Imports nothing from the project.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

ARTICLE = "第二十一条"
VERIFICATION_ARTICLE = "第二十条、第二十一条"

CATEGORY_LABELS = {
    "natural_disaster": "自然灾害",
    "accident": "事故灾难",
    "public_health": "公共卫生事件",
    "social_security": "社会安全事件",
}
LEVEL_LABELS = {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般", None: "未定级"}
RECIPIENT_LABELS = {
    "district_duty_office": "区政府办公室总值班室",
    "district_emergency_bureau": "区应急管理局",
    "office_head": "党政办负责人",
    "shift_leader": "带班领导",
    "principal_leader": "主要领导",
}
CHANNEL_LABELS = {"phone": "电话", "written": "书面"}
STATUS_LABELS = {"done": "已完成", "normal": "正常", "amber": "即将到期", "red": "已超时"}

MAJOR_LEVELS = ("I", "II")              # 重大、特别重大: the 10-minute phone clock
LARGER_LEVELS = ("I", "II", "III")      # 较大以上: the 1-hour district clock
EMERGENCY_CATEGORIES = ("natural_disaster", "accident")  # also to 区应急管理局
AT_ONCE_RECIPIENTS = ("office_head", "shift_leader", "principal_leader")


@dataclass(frozen=True)
class DeadlineTable:
    """The minutes of 第二十一条; an office table may only be tighter (smaller)."""

    district_written_minutes: int = 60        # 较大以上 → 区政府, ≤ 1 小时
    major_phone_minutes: int = 10             # 重大、特别重大 → 10 分钟内
    major_phone_latest_minutes: int = 30      # … 原则上不得超过 30 分钟
    verification_phone_minutes: int = 15      # 核报电话反馈 ≤ 15 分钟
    verification_written_minutes: int = 60    # 要求书面的 ≤ 1 小时


DEFAULT_TABLE = DeadlineTable()

TABLE_FIELD_LABELS = {
    "district_written_minutes": "较大以上事件上报区政府时限",
    "major_phone_minutes": "重大、特别重大事件电话报告时限",
    "major_phone_latest_minutes": "重大、特别重大事件最迟报告时限",
    "verification_phone_minutes": "核报电话反馈时限",
    "verification_written_minutes": "核报书面反馈时限",
}


@dataclass(frozen=True)
class Deadline:
    """One report owed to one recipient by one channel.

    `latest_at` equals `due_at` where the regulation gives a single number. `starts_at`
    is when the clock started (occurred_at, received_at or requested_at); it lets the desk
    turn amber when half the time is gone. None means no known start: no amber phase.
    """

    recipient: str
    channel: str
    due_at: datetime
    latest_at: datetime
    article: str
    starts_at: datetime | None = None

    @property
    def label(self) -> str:
        return f"{RECIPIENT_LABELS[self.recipient]}（{CHANNEL_LABELS[self.channel]}）"


def validate_table(table: DeadlineTable, default: DeadlineTable = DEFAULT_TABLE) -> list[str]:
    """Chinese problems with an office table: non-positive or looser than the regulation."""
    problems = []
    for f in fields(DeadlineTable):
        value, limit, label = getattr(table, f.name), getattr(default, f.name), TABLE_FIELD_LABELS[f.name]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            problems.append(f"{label}必须为正整数分钟，当前为 {value!r}（{ARTICLE}）")
        elif value > limit:
            problems.append(f"{label}不得超过规定的 {limit} 分钟，当前为 {value} 分钟（{ARTICLE}）")
    due, latest = table.major_phone_minutes, table.major_phone_latest_minutes
    if all(isinstance(v, int) and v > 0 for v in (due, latest)) and due > latest:
        problems.append(f"{TABLE_FIELD_LABELS['major_phone_minutes']}（{due} 分钟）不得晚于"
                        f"{TABLE_FIELD_LABELS['major_phone_latest_minutes']}（{latest} 分钟）（{ARTICLE}）")
    return problems


def reporting_deadlines(
    category: str,
    level: str | None,
    occurred_at: datetime,
    received_at: datetime,
    sensitive: bool = False,
    table: DeadlineTable | None = None,
) -> list[Deadline]:
    """Every report an incident owes under 第二十一条, most urgent first."""
    if category not in CATEGORY_LABELS:
        raise ValueError(f"未知的事件类别：{category!r}（应为 {'、'.join(CATEGORY_LABELS)}）")
    if level not in LEVEL_LABELS:
        raise ValueError(f"未知的事件等级：{level!r}（应为 I、II、III、IV 或未定级）")
    _require_aware(occurred_at, "事发时间")
    _require_aware(received_at, "接报时间")
    if occurred_at > received_at:
        raise ValueError(f"事发时间 {occurred_at.isoformat()} 不能晚于接报时间 {received_at.isoformat()}")
    t = _checked(table)

    def from_occurrence(recipient, channel, minutes, latest_minutes=None):
        due = occurred_at + timedelta(minutes=minutes)
        latest = occurred_at + timedelta(minutes=minutes if latest_minutes is None else latest_minutes)
        return Deadline(recipient, channel, due, latest, ARTICLE, starts_at=occurred_at)

    def at_once(recipient):  # "立即 / 及时": due the moment the desk knows
        return Deadline(recipient, "phone", received_at, received_at, ARTICLE, starts_at=received_at)

    found: list[Deadline] = []
    if level in LARGER_LEVELS:
        found += [at_once(r) for r in AT_ONCE_RECIPIENTS]
        district = ["district_duty_office"]
        if category in EMERGENCY_CATEGORIES:  # 报送总值班室的同时必须报送区应急管理局
            district.append("district_emergency_bureau")
        found += [from_occurrence(r, "written", t.district_written_minutes) for r in district]
    if level in MAJOR_LEVELS:  # 10 分钟内，原则上不超过 30 分钟，总值班室和区应急管理局
        found += [from_occurrence(r, "phone", t.major_phone_minutes, t.major_phone_latest_minutes)
                  for r in ("district_duty_office", "district_emergency_bureau")]
    if sensitive:  # 敏感时间、地点、性质：及时上报，无固定分钟数
        found.append(at_once("district_duty_office"))
    return _earliest_per_pair(found)


def verification_deadlines(
    requested_at: datetime, written_required: bool = False, table: DeadlineTable | None = None
) -> list[Deadline]:
    """Answers owed to a verification request (核报) from the district duty office."""
    _require_aware(requested_at, "核报要求时间")
    t = _checked(table)
    minutes = [("phone", t.verification_phone_minutes)]
    if written_required:
        minutes.append(("written", t.verification_written_minutes))
    return [
        Deadline("district_duty_office", channel, requested_at + timedelta(minutes=m),
                 requested_at + timedelta(minutes=m), VERIFICATION_ARTICLE, starts_at=requested_at)
        for channel, m in minutes
    ]


def deadline_status(deadline: Deadline, now: datetime, done_at: datetime | None = None) -> str:
    """done / normal / amber (half the time gone) / red (past due and not done; stays red)."""
    _require_aware(now, "当前时间")
    if done_at is not None:
        return "done"
    if now > deadline.due_at:
        return "red"
    start = deadline.starts_at or deadline.due_at
    halfway = start + (deadline.due_at - start) / 2
    return "amber" if now >= halfway else "normal"


def is_late(deadline: Deadline, sent_at: datetime) -> bool:
    """Sent after due_at: the report then needs a reason for the delay (说明原因, 第二十一条)."""
    _require_aware(sent_at, "报送时间")
    return sent_at > deadline.due_at


def _checked(table: DeadlineTable | None) -> DeadlineTable:
    # Never compute a clock looser than the regulation, whatever an admin stored.
    if table is None:
        return DEFAULT_TABLE
    problems = validate_table(table)
    if problems:
        raise ValueError("；".join(problems))
    return table


def _earliest_per_pair(found: list[Deadline]) -> list[Deadline]:
    # Sensitive + major can both owe 总值班室 a phone call: keep only the stricter clock.
    best: dict[tuple[str, str], Deadline] = {}
    for d in found:
        key = (d.recipient, d.channel)
        if key not in best or (d.due_at, d.latest_at) < (best[key].due_at, best[key].latest_at):
            best[key] = d
    order = list(RECIPIENT_LABELS)
    return sorted(best.values(), key=lambda d: (d.due_at, d.latest_at, order.index(d.recipient), d.channel))


def _require_aware(value: datetime, what: str) -> None:
    if not isinstance(value, datetime):
        raise ValueError(f"{what}必须是日期时间，当前为 {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what}必须带时区（当前为无时区时间 {value.isoformat()}）")
