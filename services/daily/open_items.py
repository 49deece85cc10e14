"""What the daily record leaves open at a handover (第十四条): open calls (首接负责 第十二条),
instructions awaiting feedback or the reply to the leader (第八条(三)), hotline items not
done (第八条(六)), each with its next due time."""
from __future__ import annotations

from sqlalchemy import select

from models.daily import Call, HotlineItem, Instruction
from services import open_items
from workflows import hotline, instruction

# "not closed" / "not done" as state lists: the (unit_id, state) indexes can answer them
_INSTRUCTION_OPEN = tuple(x for x in instruction.STATES if x != "closed")
_HOTLINE_OPEN = tuple(x for x in hotline.STATES if x != "done")


def _open_calls(s, unit_id, now):
    for c in s.execute(select(Call).where(Call.unit_id == unit_id, Call.state == "open")
                       .order_by(Call.at, Call.id)).scalars():
        yield open_items.OpenItem("call", str(c.id), f"来电：{c.summary[:40]}", c.unit_id,
                                  c.owner_user_id, c.at)


def _open_instructions(s, unit_id, now):
    for i in s.execute(select(Instruction).where(Instruction.unit_id == unit_id,
                                                 Instruction.state.in_(_INSTRUCTION_OPEN))
                       .order_by(Instruction.given_at, Instruction.id)).scalars():
        waiting = [t.feedback_due for t in i.targets if t.fed_back_at is None]
        yield open_items.OpenItem("instruction", str(i.id), f"{i.leader_name}批示：{i.text[:40]}",
                                  i.unit_id, i.recorded_by_id, i.given_at,
                                  due_at=min(waiting) if waiting else None)


def _open_hotline_items(s, unit_id, now):
    for h in s.execute(select(HotlineItem).where(HotlineItem.unit_id == unit_id,
                                                 HotlineItem.state.in_(_HOTLINE_OPEN))
                       .order_by(HotlineItem.received_at, HotlineItem.id)).scalars():
        yield open_items.OpenItem("hotline_item", str(h.id), f"市长热线{h.item_no}：{h.content[:30]}",
                                  h.unit_id, h.signed_by_id, h.signed_at or h.received_at,
                                  due_at=h.deadline)


open_items.register("call", _open_calls, label="来电")
open_items.register("instruction", _open_instructions, label="领导批示")
open_items.register("hotline_item", _open_hotline_items, label="市长热线事项")
