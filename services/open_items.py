"""Open items a handover passes on (未尽事宜, 第十四条), gathered from whoever owns them.

Each area that has unfinished business registers a provider for its kind, at import
time of its own service module:

    from services import open_items

    def _open_incidents(s, unit_id, now):
        for row in s.execute(...).scalars():
            yield open_items.OpenItem("incident", str(row.id), row.title, row.unit_id,
                                      row.owner_user_id, row.received_at, due_at=...)

    open_items.register("incident", _open_incidents, label="突发事件")

A provider is called with (session, unit_id, now) inside the handover's transaction,
reads only, and returns the unit's open items of its kind. PROVIDER_MODULES lists the
modules that register providers; a new area adds its module there.
"""
from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class OpenItem:
    kind: str
    ref_id: str
    title: str
    unit_id: int | None = None
    owner_user_id: int | None = None
    since: datetime | None = None
    due_at: datetime | None = None   # a running deadline, e.g. 第二十一条 report due


Provider = Callable[[Session, int, datetime], Iterable[OpenItem]]

_providers: dict[str, Provider] = {}
_labels: dict[str, str] = {}
_discovered = False
_lock = threading.Lock()
PROVIDER_MODULES = ("services.incidents.open_items", "services.daily.open_items")


def register(kind: str, provider: Provider, label: str | None = None) -> None:
    """Register (or replace) the provider of `kind`; `label` is its Chinese name."""
    if not kind or len(kind) > 30:
        raise ValueError("kind: 1–30 characters")
    _providers[kind] = provider
    _labels[kind] = label or _labels.get(kind) or kind


def unregister(kind: str) -> None:
    _providers.pop(kind, None)


def kind_label(kind: str) -> str:
    return _labels.get(kind, kind)


def kinds() -> list[str]:
    _discover()
    return list(_providers)


def gather(s: Session, unit_id: int, now: datetime) -> list[OpenItem]:
    """Every registered provider's open items for the unit, in registration order.

    A provider that fails makes the handover fail: an item silently missed would move
    responsibility (第十四条) without anybody knowing.
    """
    _discover()
    found: list[OpenItem] = []
    seen: set[tuple[str, str]] = set()
    for kind, provider in list(_providers.items()):
        for item in provider(s, unit_id, now) or ():
            if item.kind != kind or not isinstance(item.ref_id, str):  # the registered kind wins
                item = OpenItem(kind, str(item.ref_id), item.title, item.unit_id,
                                item.owner_user_id, item.since, item.due_at)
            if (item.kind, item.ref_id) in seen:
                continue
            seen.add((item.kind, item.ref_id))
            found.append(item)
    return found


def _discover() -> None:
    """Import the modules that register providers (once per process)."""
    global _discovered
    if _discovered:
        return
    with _lock:
        if not _discovered:
            for name in PROVIDER_MODULES:
                importlib.import_module(name)
            _discovered = True
