"""What the landing page shows: figures of the actor's scope and warnings needing action."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from models.org import Contact, DutyPhoneFiling, Person, Unit
from services.directory.common import today
from services.directory.contacts import review_days
from services.permissions import Actor, can
from services.uow import reading


@dataclass
class HomeSummary:
    figures: list[tuple[str, int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def home_summary(actor: Actor) -> HomeSummary:
    summary = HomeSummary()
    with reading() as s:
        if can(actor, "unit.read"):
            units = s.execute(select(func.count(Unit.id)).where(Unit.active.is_(True))).scalar_one()
            people = s.execute(select(func.count(Person.id))
                               .where(Person.active.is_(True))).scalar_one()
            summary.figures += [("在册单位", units, "启用中的单位数"),
                                ("在册人员", people, "启用中的人员数")]
        if can(actor, "duty_phone.acknowledge"):
            pending = s.execute(select(func.count(DutyPhoneFiling.id))
                                .where(DutyPhoneFiling.acknowledged_at.is_(None))).scalar_one()
            summary.figures.append(("待确认值班电话报备", pending, "第二十三条：值班电话变更须报备党政办"))
            if pending:
                summary.warnings.append(f"有 {pending} 条值班电话变更报备待党政办确认（第二十三条）")
        if can(actor, "contact.read"):
            cutoff = today() - timedelta(days=review_days())  # the contacts page's own rule
            stale = s.execute(select(func.count(Contact.id)).where(
                Contact.active.is_(True), Contact.last_reviewed_on < cutoff)).scalar_one()
            summary.figures.append(("待核对联系人", stale, f"超过 {review_days()} 天未核对的通讯录条目"))
            if stale:
                summary.warnings.append(
                    f"通讯录中有 {stale} 条联系人超过 {review_days()} 天未核对，请核对后更新")
    return summary
