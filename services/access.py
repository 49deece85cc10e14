"""A page reached by its address. The menu lists only the pages a role may use, but anyone
can type an address; such a visit is refused like any service call, and so audited."""
from __future__ import annotations

from services.errors import PermissionDenied
from services.permissions import Actor, can
from services.uow import reading


def enter_page(actor: Actor, action: str) -> None:
    """Allowed, or PermissionDenied (audited) — the same rule as the menu (navigation.py)."""
    with reading():
        if not (can(actor, action) or can(actor, action, actor.unit_id)):
            raise PermissionDenied(f"无权访问该页面（{action}）", actor=actor, action=action)
