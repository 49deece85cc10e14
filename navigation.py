"""Which pages each role sees. A page is listed when the actor may perform its action;
services check again, so a hidden page reached some other way still shows nothing."""
from __future__ import annotations

from dataclasses import dataclass

from services.permissions import Actor, can


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    section: str
    action: str | None  # None: every signed-in user


PAGES: list[PageSpec] = [
    # The desk comes first: it is where duty roles land after signing in (app.py).
    PageSpec("pages/desk.py", "值班台", ":material/alarm:", "值班", "incident.read"),
    PageSpec("pages/home.py", "值班首页", ":material/home:", "值班", None),
    PageSpec("pages/shift.py", "当班", ":material/how_to_reg:", "值班", "shift.check_in"),
    PageSpec("pages/duty_board.py", "在岗情况", ":material/groups:", "值班", "duty_board.read"),
    PageSpec("pages/intake.py", "接报登记", ":material/call:", "接报与报告", "incident.create"),
    PageSpec("pages/incidents.py", "突发事件", ":material/emergency:", "接报与报告", "incident.read"),
    PageSpec("pages/verification.py", "核报", ":material/fact_check:", "接报与报告",
             "verification.manage"),
    PageSpec("pages/approvals.py", "审批", ":material/approval:", "接报与报告", "report.sign_off"),
    PageSpec("pages/deadline_table.py", "报告时限设置", ":material/timer:", "接报与报告",
             "deadline_table.edit"),
    PageSpec("pages/calls.py", "来电登记", ":material/phone_in_talk:", "值班记录", "call.write"),
    PageSpec("pages/instructions.py", "领导批示", ":material/assignment:", "值班记录",
             "instruction.read"),
    PageSpec("pages/hotline.py", "市长热线", ":material/support_agent:", "值班记录", "hotline.read"),
    PageSpec("pages/logbook.py", "值班记录本", ":material/menu_book:", "值班记录", "logbook.read"),
    PageSpec("pages/roster.py", "排班", ":material/calendar_month:", "排班", "roster.read"),
    PageSpec("pages/swaps.py", "换班/替班", ":material/swap_horiz:", "排班", "swap.request"),
    PageSpec("pages/calendar_admin.py", "节假日与特殊时期", ":material/event:", "排班",
             "calendar.write"),
    # oversight (issue 6, 第十六、十七条)
    PageSpec("pages/inspections.py", "检查抽查", ":material/fact_check:", "督查", "inspection.read"),
    PageSpec("pages/bulletins.py", "通报", ":material/campaign:", "督查", "bulletin.read"),
    PageSpec("pages/training.py", "培训", ":material/school:", "督查", "training.read"),
    PageSpec("pages/compliance.py", "合规看板", ":material/rule:", "督查", "compliance.read"),
    PageSpec("pages/statistics.py", "统计", ":material/bar_chart:", "督查", "statistics.read"),
    # end oversight
    PageSpec("pages/units.py", "单位与值班电话", ":material/apartment:", "组织", "unit.read"),
    PageSpec("pages/people.py", "人员", ":material/badge:", "组织", "person.read"),
    PageSpec("pages/contacts.py", "通讯录", ":material/contact_phone:", "组织", "contact.read"),
    PageSpec("pages/accounts.py", "账号与角色", ":material/manage_accounts:", "系统", "user.read"),
    PageSpec("pages/audit_log.py", "审计日志", ":material/policy:", "系统", "audit.read"),
    PageSpec("pages/password.py", "修改密码", ":material/key:", "我的", None),
]


def _allowed(actor: Actor, spec: PageSpec) -> bool:
    if spec.action is None:
        return True
    # Unit-scoped roles see a page when they may act on their own unit.
    return can(actor, spec.action) or can(actor, spec.action, actor.unit_id)


def pages_for(actor: Actor) -> list[PageSpec]:
    return [p for p in PAGES if _allowed(actor, p)]
