"""Mayor-hotline items (市长热线代办事项, 第八条(六)).

On statutory holidays the duty officer signs for hotline items in the system, forwards each
to the person in charge of hotline items with the time of notice, and follows it to done.
Outside statutory holidays the desk refuses (the holiday table of services.calendar
decides, as the office keeps it). received → signed → forwarded → done is
workflows/hotline.py's machine; items not done are open items at the handover.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.daily import HotlineItem
from models.org import Person
from services import audit, calendar, clock, shifts, view_cache
from services.daily.common import aware, load, person_names, text_of, unit_of, user_names
from services.paging import Paged, page_bounds
from services.errors import DomainError, ValidationError
from services.permissions import Actor, require, scoped_unit
from services.uow import reading, transaction
from workflows import hotline as flow
from workflows.errors import TransitionRefused

ARTICLE = flow.ARTICLE
STATE_LABELS = flow.STATE_LABELS
OPEN_STATES = tuple(x for x in flow.STATES if x != "done")   # an index-friendly "not done"
PER_PAGE = 20


@dataclass
class HotlineInput:
    item_no: str
    content: str
    deadline: object = None            # datetime; naive = Beijing time
    received_at: object = None         # datetime; None = now
    unit_id: int | None = None


@dataclass(frozen=True)
class HotlineRow:
    id: int
    version: int
    unit_id: int
    item_no: str
    content: str
    deadline: datetime | None
    received_at: datetime
    signed_at: datetime | None
    signed_by: str
    forwarded_to_person_id: int | None
    forwarded_to: str
    notified_at: datetime | None
    done_at: datetime | None
    result: str | None
    state: str
    overdue: bool

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def allowed(self) -> list[str]:
        return flow.allowed_triggers(self.state)


def is_statutory_holiday(s: Session, at: datetime) -> bool:
    """第八条(六): the day (Beijing time) of `at` is a statutory holiday in the office's table."""
    day = clock.local(at).date()
    return calendar.calendar_for([day.year], s).is_statutory_holiday(day)


def _holiday_or_refuse(s: Session, now: datetime) -> None:
    if not is_statutory_holiday(s, now):
        raise DomainError(flow.GUARD_MESSAGES["on_statutory_holiday"])


def _fire(item: HotlineItem, trigger: str, **facts) -> None:
    try:
        flow.fire(item, trigger, **facts)
    except TransitionRefused as exc:
        raise DomainError(exc.message) from exc


def _rows(s: Session, items: list[HotlineItem], now: datetime) -> list[HotlineRow]:
    users = user_names(s, {i.signed_by_id for i in items})
    persons = person_names(s, {i.forwarded_to_person_id for i in items})
    return [HotlineRow(i.id, i.version, i.unit_id, i.item_no, i.content, i.deadline, i.received_at,
                       i.signed_at, users.get(i.signed_by_id, ""), i.forwarded_to_person_id,
                       persons.get(i.forwarded_to_person_id, ""), i.notified_at, i.done_at,
                       i.result, i.state, _overdue(i.state, i.deadline, now))
            for i in items]


def _overdue(state: str, deadline: datetime | None, now: datetime) -> bool:
    return state != "done" and deadline is not None and now > deadline


def _item(s: Session, actor: Actor, item_id: int, version: int) -> HotlineItem:
    item = load(s, HotlineItem, item_id, "热线事项", version, lock=True)
    require(actor, "hotline.write", item.unit_id)
    return item


def receive_and_sign(actor: Actor, form: HotlineInput) -> int:
    """签收: record the item from the hotline system and sign for it at once — on a
    statutory holiday only (第八条(六))."""
    with transaction() as s:
        require(actor, "hotline.write", form.unit_id if form.unit_id is not None else actor.unit_id)
        unit_id = unit_of(s, actor, form.unit_id)
        now = clock.now()
        _holiday_or_refuse(s, now)
        problems = []
        item_no, content = text_of(form.item_no), text_of(form.content)
        if not item_no:
            problems.append("工单编号：不能为空")
        elif len(item_no) > 50:
            problems.append("工单编号：不超过50字")
        elif s.execute(select(HotlineItem.id).where(HotlineItem.item_no == item_no)).first():
            problems.append(f"工单编号：{item_no} 已签收过")
        if not content:
            problems.append("事项内容：不能为空")
        deadline = received_at = None
        try:
            deadline = aware(form.deadline, "办理时限")
            received_at = aware(form.received_at, "接收时间") or now
        except DomainError as exc:
            problems.append(exc.message)
        if received_at is not None and received_at > now:
            problems.append("接收时间：不能晚于当前时间")
        if problems:
            raise ValidationError(problems)
        item = HotlineItem(unit_id=unit_id, item_no=item_no, content=content, deadline=deadline,
                           received_at=received_at, received_by_id=actor.user_id,
                           state=flow.INITIAL_STATE)
        _fire(item, "sign", on_statutory_holiday=True)
        item.signed_at, item.signed_by_id = now, actor.user_id
        s.add(item)
        s.flush()
        audit.record(s, actor, "hotline.sign", "hotline_item", item.id,
                     details={"item_no": item_no, "deadline": deadline})
        return item.id


def sign(actor: Actor, item_id: int, version: int) -> None:
    """Sign for an item received earlier (e.g. by the hotline system's import)."""
    with transaction() as s:
        item = _item(s, actor, item_id, version)
        now = clock.now()
        _fire(item, "sign", on_statutory_holiday=is_statutory_holiday(s, now))
        item.signed_at, item.signed_by_id = now, actor.user_id
        s.flush()
        shifts.record_item_action(s, "hotline_item", item.id, now)
        audit.record(s, actor, "hotline.sign", "hotline_item", item.id)


def forward(actor: Actor, item_id: int, version: int, person_id: int | None,
            notified_at=None) -> None:
    """转发通知: to the person in charge of hotline items, with the time they were notified."""
    with transaction() as s:
        item = _item(s, actor, item_id, version)
        person = s.get(Person, person_id) if person_id is not None else None
        _fire(item, "forward", has_person_in_charge=person is not None)
        now = clock.now()
        at = aware(notified_at, "通知时间") or now
        if at > now:
            raise ValidationError(["通知时间：不能晚于当前时间"])
        item.forwarded_to_person_id, item.forwarded_by_id, item.notified_at = person.id, actor.user_id, at
        s.flush()
        shifts.record_item_action(s, "hotline_item", item.id, now)
        audit.record(s, actor, "hotline.forward", "hotline_item", item.id,
                     details={"person_id": person.id, "notified_at": at})


def finish(actor: Actor, item_id: int, version: int, result: str) -> None:
    """办结, with its result."""
    with transaction() as s:
        item = _item(s, actor, item_id, version)
        result = text_of(result)
        _fire(item, "finish", has_result=bool(result))
        now = clock.now()
        item.result, item.done_at, item.done_by_id = result, now, actor.user_id
        s.flush()
        shifts.record_item_action(s, "hotline_item", item.id, now)
        audit.record(s, actor, "hotline.finish", "hotline_item", item.id)


def _items(actor: Actor, q, open_only: bool):
    unit = scoped_unit(actor, "hotline.read")
    if open_only:   # the ids from the (unit_id, state) index alone, then the rows by key
        ids = select(HotlineItem.id).where(HotlineItem.state.in_(OPEN_STATES))
        q = q.where(HotlineItem.id.in_(ids.where(HotlineItem.unit_id == unit)
                                       if unit is not None else ids))
    return q.where(HotlineItem.unit_id == unit) if unit is not None else q


def list_items(actor: Actor, open_only: bool = True, limit: int = 200) -> list[HotlineRow]:
    with reading() as s:
        items = list(s.execute(_items(actor, select(HotlineItem), open_only)
                               .order_by(HotlineItem.received_at.desc(), HotlineItem.id.desc())
                               .limit(limit)).scalars())
        return _rows(s, items, clock.now())


def items_page(actor: Actor, page: int = 1, per_page: int = PER_PAGE,
               open_only: bool = True) -> Paged[HotlineRow]:
    """One page of the items (not done, by default), newest first: a count and one page.
    Kept until an item (or a name shown) changes; only whether each is overdue is worked
    out again on each call."""
    with reading() as s:
        scope = scoped_unit(actor, "hotline.read")
        shown = view_cache.cached(s, ("hotline.items_page", scope, page, per_page, open_only),
                                  lambda: _items_page(s, actor, page, per_page, open_only))
    now = clock.now()
    return replace(shown, rows=[replace(r, overdue=_overdue(r.state, r.deadline, now))
                                for r in shown.rows])


def _items_page(s: Session, actor: Actor, page: int, per_page: int,
                open_only: bool) -> Paged[HotlineRow]:
    total = s.execute(_items(actor, select(func.count(HotlineItem.id)), open_only)).scalar_one()
    page, offset = page_bounds(page, per_page, total)
    items = list(s.execute(_items(actor, select(HotlineItem), open_only)
                           .order_by(HotlineItem.received_at.desc(), HotlineItem.id.desc())
                           .offset(offset).limit(per_page)).scalars()) if total else []
    return Paged(_rows(s, items, clock.now()), total, page, per_page)


def today_is_holiday(actor: Actor) -> bool:
    with reading() as s:
        require(actor, "hotline.read", actor.unit_id)
        return is_statutory_holiday(s, clock.now())


def persons_in_charge(actor: Actor) -> dict[int, str]:
    """Active people of the actor's scope: who an item can be forwarded to."""
    with reading() as s:
        unit = scoped_unit(actor, "hotline.write")
        q = select(Person.id, Person.name).where(Person.active.is_(True))
        if unit is not None:
            q = q.where(Person.unit_id == unit)
        return dict(s.execute(q.order_by(Person.name)).all())


def forward_options(actor: Actor, rows: list[HotlineRow]) -> dict[int, dict[int, str]]:
    """For the items on a page that can be forwarded, at once: item id → the active people
    of the item's unit (its desk's hotline person in charge is one of them), by name."""
    wanted = [r for r in rows if "forward" in r.allowed]
    if not wanted:
        return {}
    with reading() as s:
        units = {r.unit_id for r in wanted}
        for unit_id in units:
            require(actor, "hotline.write", unit_id)
        by_unit: dict[int, dict[int, str]] = {u: {} for u in units}
        for pid, name, unit_id in s.execute(
                select(Person.id, Person.name, Person.unit_id)
                .where(Person.active.is_(True), Person.unit_id.in_(sorted(units)))
                .order_by(Person.name, Person.id)):
            by_unit[unit_id][pid] = name
        return {r.id: by_unit[r.unit_id] for r in wanted}
