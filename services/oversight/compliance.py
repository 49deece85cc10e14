"""Compliance by article: for each measurable article and each unit, where the regulation
was not met in a period, with the records behind every figure.

The roster measures (第二、九、十条) are not re-implemented here: each unit's published
roster of each month is checked by the roster services' own month context
(services/roster_common.load_month → rules/staffing.validate_roster); a unit without a
published roster for a month is uncovered for its days (rules/staffing.coverage_gaps).
The training measure is the staffing rules' person_problems (第十六条).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select

from models.incident import DeadlineRecord, Incident, VerificationRequest
from models.org import DutyPhoneFiling, Unit
from models.oversight import Inspection
from models.roster import CheckIn, Handover, Roster, Shift
from rules.deadlines import RECIPIENT_LABELS
from rules.staffing import coverage_gaps, local_day, month_window
from services import clock
from services.errors import ValidationError
from services.oversight.common import today, window
from services.oversight.training import flags_in
from services.permissions import Actor, require
from services.roster_common import load_month
from services.uow import reading

MAX_DAYS = 366

# code → (article, label); the order is the dashboard's.
MEASURES: dict[str, tuple[str, str]] = {
    "coverage_gap": ("第二、九条", "24小时值班有缺口"),
    "double_staffing": ("第九条", "双人值班期间单人值班"),
    "leader_missing": ("第十条", "节假日、敏感时期无领导带班"),
    "late_check_in": ("第十四条", "未提前10分钟到岗接班"),
    "unsigned_handover": ("第十四条", "交接班未双方签字"),
    "training_overdue": ("第十六条", "未岗前培训或年度培训逾期"),
    "failed_inspection": ("第十七条", "检查抽查不合格"),
    "rectification_overdue": ("第十七条", "逾期未整改"),
    "late_verification": ("第二十条", "核报反馈超时"),
    "late_report": ("第二十一条", "报告超过时限"),
    "duty_phone_unfiled": ("第二十三条", "值班电话变更未报备或未确认"),
}
_ROSTER_RULES = {"coverage_gap": "coverage_gap", "double_staffing_required": "double_staffing",
                 "shift_leader_required": "leader_missing"}


@dataclass(frozen=True)
class ComplianceRecord:
    """One record behind a figure: its kind (shift, day, check_in, handover, person,
    inspection, deadline, filing, unit), its id (None for a day without a shift) and why."""

    kind: str
    id: int | None
    day: date | None
    text: str
    reason: str = ""


@dataclass(frozen=True)
class ComplianceRow:
    measure: str
    article: str
    label: str
    unit_id: int
    unit_name: str
    records: tuple[ComplianceRecord, ...]

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def record_ids(self) -> tuple[int, ...]:
        return tuple(r.id for r in self.records if r.id is not None)

    @property
    def met(self) -> bool:
        return not self.records


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _fmt(dt) -> str:
    return clock.fmt(dt, "%m-%d %H:%M")


def compliance(actor: Actor, start: date, end: date) -> list[ComplianceRow]:
    """Rows per measure × active unit for the local days start..end (inclusive)."""
    if start is None or end is None or end < start:
        raise ValidationError(["统计期间：结束日期不能早于开始日期"])
    if (end - start).days >= MAX_DAYS:
        raise ValidationError([f"统计期间：不能超过{MAX_DAYS}天"])
    with reading() as s:
        require(actor, "compliance.read")
        lo, hi = window(start, end)
        now = clock.now()
        units = list(s.execute(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)).scalars())
        found: dict[tuple[str, int], list[ComplianceRecord]] = defaultdict(list)
        in_period = lambda d: d is not None and start <= d <= end  # noqa: E731

        # 第二、九、十条: the published rosters, checked by the roster rules.
        for year, month in _months(start, end):
            published = set(s.execute(select(Roster.unit_id).where(
                Roster.year == year, Roster.month == month, Roster.status == "published")).scalars())
            m_lo, m_hi = month_window(year, month)
            for u in units:
                if u.id in published:
                    violations = load_month(s, u.id, year, month).violations()
                else:
                    violations = coverage_gaps(u.id, [], max(m_lo, lo), min(m_hi, hi))
                for v in violations:
                    measure = _ROSTER_RULES.get(v.rule_code)
                    if measure and in_period(v.day):
                        kind = "shift" if v.shift_id is not None else "day"
                        text = v.message if u.id in published else f"{v.message}（本月无已发布的值班表）"
                        found[(measure, u.id)].append(ComplianceRecord(kind, v.shift_id, v.day, text))

        # 第十四条: late check-ins, and ended shifts of published rosters without a signed handover.
        rows = s.execute(select(CheckIn, Shift.unit_id, Shift.starts_at).join(Shift, Shift.id == CheckIn.shift_id)
                         .where(CheckIn.late.is_(True), CheckIn.at >= lo, CheckIn.at < hi)
                         .order_by(CheckIn.at)).all()
        for ci, unit_id, starts_at in rows:
            found[("late_check_in", unit_id)].append(ComplianceRecord(
                "check_in", ci.id, local_day(ci.at),
                f"班次{_fmt(starts_at)}开始，{_fmt(ci.at)}签到，晚于提前10分钟到岗的要求"))
        # NOT EXISTS, not NOT IN: PostgreSQL re-ran the NOT IN subquery per shift.
        signed = select(Handover.id).where(Handover.outgoing_shift_id == Shift.id,
                                           Handover.state == "signed").exists()
        rows = s.execute(select(Shift).join(Roster, Roster.id == Shift.roster_id).where(
            Roster.status == "published", Shift.ends_at >= lo, Shift.ends_at < hi,
            Shift.ends_at <= now, ~signed).order_by(Shift.ends_at)).scalars()
        for sh in rows:
            found[("unsigned_handover", sh.unit_id)].append(ComplianceRecord(
                "shift", sh.id, local_day(sh.ends_at),
                f"{_fmt(sh.starts_at)}–{_fmt(sh.ends_at)}班次结束时未完成双方签字的交接班"))

        # 第十六条: training as of the period's end (or today, if earlier).
        for f in flags_in(s, min(end, today())):
            found[("training_overdue", f.unit_id)].append(ComplianceRecord(
                "person", f.person_id, None, f.message))

        # 第十七条: failed checks, rectification overdue.
        for ins in s.execute(select(Inspection).where(
                Inspection.at >= lo, Inspection.at < hi, Inspection.passed.is_(False))
                .order_by(Inspection.at)).scalars():
            found[("failed_inspection", ins.unit_id)].append(ComplianceRecord(
                "inspection", ins.id, local_day(ins.at), f"{_fmt(ins.at)}检查不合格：{ins.findings}"))
        for ins in s.execute(select(Inspection).where(
                Inspection.rectification_required.is_(True),
                Inspection.rectification_deadline >= start, Inspection.rectification_deadline <= end)
                .order_by(Inspection.rectification_deadline)).scalars():
            done = clock.local(ins.rectified_at).date() if ins.rectified_at else None
            if (done is None and ins.rectification_deadline < today()) or \
                    (done is not None and done > ins.rectification_deadline):
                found[("rectification_overdue", ins.unit_id)].append(ComplianceRecord(
                    "inspection", ins.id, ins.rectification_deadline,
                    f"整改期限{ins.rectification_deadline.isoformat()}，"
                    + (f"{done.isoformat()}才完成整改" if done else "至今未完成整改")))

        # 第二十、二十一条: clocks met late, or past due and still open.
        late = or_(DeadlineRecord.satisfied_at > DeadlineRecord.due_at,
                   and_(DeadlineRecord.satisfied_at.is_(None), DeadlineRecord.due_at < now))
        rows = s.execute(select(DeadlineRecord, Incident.title, VerificationRequest.content)
                         .outerjoin(Incident, Incident.id == DeadlineRecord.incident_id)
                         .outerjoin(VerificationRequest,
                                    VerificationRequest.id == DeadlineRecord.verification_request_id)
                         .where(DeadlineRecord.due_at >= lo, DeadlineRecord.due_at < hi, late)
                         .order_by(DeadlineRecord.due_at)).all()
        for d, title, content in rows:
            measure = "late_verification" if d.kind == "verification" else "late_report"
            what = (content or title or "") if d.kind == "verification" else (title or "")
            recipient = RECIPIENT_LABELS.get(d.recipient, d.recipient)
            done = f"{_fmt(d.satisfied_at)}完成" if d.satisfied_at else "至今未完成"
            reason = (d.late_reason or "").strip()
            found[(measure, d.unit_id)].append(ComplianceRecord(
                "deadline", d.id, local_day(d.due_at),
                f"{what[:40]}：报{recipient}应于{_fmt(d.due_at)}前，{done}"
                f"；原因：{reason or '未说明'}", reason))

        # 第二十三条: filings not acknowledged; a phone that differs from its last filing.
        for f in s.execute(select(DutyPhoneFiling).where(
                DutyPhoneFiling.acknowledged_at.is_(None), DutyPhoneFiling.filed_at < hi)
                .order_by(DutyPhoneFiling.filed_at)).scalars():
            found[("duty_phone_unfiled", f.unit_id)].append(ComplianceRecord(
                "filing", f.id, local_day(f.filed_at),
                f"值班电话由{f.old_phone or '无'}变更为{f.new_phone}，党政办尚未确认备案"))
        latest = (select(DutyPhoneFiling.unit_id, func.max(DutyPhoneFiling.id).label("fid"))
                  .group_by(DutyPhoneFiling.unit_id).subquery())
        for u, phone in s.execute(select(Unit, DutyPhoneFiling.new_phone)
                                  .join(latest, latest.c.unit_id == Unit.id)
                                  .join(DutyPhoneFiling, DutyPhoneFiling.id == latest.c.fid)
                                  .where(Unit.active.is_(True))).all():
            if (u.duty_phone or "") != (phone or ""):
                found[("duty_phone_unfiled", u.id)].append(ComplianceRecord(
                    "unit", u.id, None,
                    f"现用值班电话{u.duty_phone or '无'}与备案号码{phone}不一致，变更未报备"))

        names = {u.id: u.name for u in units}
        extra = {uid for _m, uid in found if uid not in names}
        if extra:
            names |= dict(s.execute(select(Unit.id, Unit.name).where(Unit.id.in_(extra))).all())
        out = []
        for measure, (article, label) in MEASURES.items():
            for uid in [u.id for u in units] + sorted(extra):
                records = found.get((measure, uid), [])
                if uid in extra and not records:
                    continue
                out.append(ComplianceRow(measure, article, label, uid, names[uid],
                                         tuple(sorted(records, key=lambda r: (r.day or date.min, r.id or 0)))))
        return out


def matrix(rows: list[ComplianceRow]) -> list[dict]:
    """The dashboard table: one line per unit, one column per measure (article + label)."""
    by_unit: dict[int, dict] = {}
    for r in rows:
        line = by_unit.setdefault(r.unit_id, {"单位": r.unit_name})
        line[f"{r.label}（{r.article}）"] = r.count
    return list(by_unit.values())


RECORD_KIND_LABELS = {"shift": "班次", "day": "日期", "check_in": "签到", "handover": "交接班",
                      "person": "人员", "inspection": "检查", "deadline": "报告时限",
                      "filing": "值班电话报备", "unit": "单位"}


def drill_down(rows: list[ComplianceRow], measure: str | None = None,
               unit_id: int | None = None) -> list[dict]:
    """The records behind the figures, for a table or an .xlsx."""
    return [{"条款": r.article, "事项": r.label, "单位": r.unit_name,
             "记录类型": RECORD_KIND_LABELS.get(rec.kind, rec.kind),
             "记录编号": rec.id if rec.id is not None else "", "日期": rec.day.isoformat() if rec.day else "",
             "情况": rec.text}
            for r in rows if (measure is None or r.measure == measure)
            and (unit_id is None or r.unit_id == unit_id) for rec in r.records]
