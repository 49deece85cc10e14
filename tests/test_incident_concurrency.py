"""Two officers reporting the same incident at once: one wins, the other is told, nothing is
stored twice. Real commits from two threads on a database of their own (SQLite, PostgreSQL)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from incident_support import DISTRICT, content, intake, make_people, version
from models.incident import Report
from services import incidents as inc
from services.errors import ConcurrentEditError
from services.uow import reading


def _race(*calls):
    """Run the calls in threads released together; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        barrier.wait()
        try:
            results.append(call())
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    return results, errors


def _reports(incident_id: int) -> int:
    with reading() as s:
        return s.execute(select(func.count(Report.id))
                         .where(Report.incident_id == incident_id)).scalar_one()


@pytest.mark.parametrize("round_", range(3))
def test_two_officers_drafting_the_same_report_store_exactly_one(fresh_db, frozen_clock, round_):
    p = make_people()
    iid = inc.receive(p.officer, intake())
    seen = version(iid)
    results, errors = _race(
        lambda: inc.draft_report(p.officer, iid, seen, "initial", content()),
        lambda: inc.draft_report(p.officer2, iid, seen, "initial", content()),
    )
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], ConcurrentEditError)
    assert str(errors[0]) == "该记录已被他人修改，请刷新后重试"
    assert _reports(iid) == 1
    assert version(iid) == seen + 1


def test_two_officers_recording_the_same_phone_report_store_exactly_one(fresh_db, frozen_clock):
    p = make_people()
    iid = inc.receive(p.officer, intake(level="II"))
    seen = version(iid)

    def phone(actor):
        return lambda: inc.record_phone_report(actor, iid, seen, inc.PhoneReportInput(
            recipients=DISTRICT, summary="电话报告"))

    results, errors = _race(phone(p.officer), phone(p.officer2))
    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], ConcurrentEditError)
    assert _reports(iid) == 1
    detail = inc.incident_detail(p.officer, iid)
    assert detail.incident.state == "reported"
    assert [e.kind for e in detail.timeline].count("phone_report") == 1
