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
    PageSpec("pages/home.py", "值班首页", ":material/home:", "值班", None),
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
