"""submit_report(…, content=…): the report page's "提交签发" saves what the form holds and
submits it in one transaction; refused, it saves nothing (第十九条). SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from incident_support import ALL_ELEMENTS, DISTRICT, LEADERS, content, intake, make_people, version
from services import incidents as inc
from services.errors import ValidationError


@pytest.fixture
def p(db, frozen_clock):
    return make_people()


def _draft_with_a_gap(p) -> int:
    iid = inc.receive(p.officer, intake())
    gappy = dict(ALL_ELEMENTS, scope="")
    return inc.draft_report(p.officer, iid, version(iid), "initial",
                            inc.ReportContent(elements=gappy, deaths=0, injuries=2, missing=0,
                                              recipients=DISTRICT + LEADERS))


def test_submit_saves_the_forms_content_and_submits_at_once(p):
    rid = _draft_with_a_gap(p)
    row = inc.report_detail(p.officer, rid)
    assert row.missing_elements == ["影响范围"]
    inc.submit_report(p.officer, rid, row.version,
                      content(elements=dict(ALL_ELEMENTS, trend="火势已扑灭")))
    row = inc.report_detail(p.officer, rid)
    assert row.status == "submitted" and row.missing_elements == []
    assert row.elements["scope"] == ALL_ELEMENTS["scope"] and row.elements["trend"] == "火势已扑灭"


def test_a_refused_submit_saves_nothing_of_the_form(p):
    rid = _draft_with_a_gap(p)
    before = inc.report_detail(p.officer, rid)
    still_gappy = content(elements=dict(ALL_ELEMENTS, scope="", handling="改写后的处置情况"))
    with pytest.raises(ValidationError, match="首报要素不全：缺少影响范围"):
        inc.submit_report(p.officer, rid, before.version, still_gappy)
    after = inc.report_detail(p.officer, rid)
    assert (after.status, after.version) == ("draft", before.version)
    assert after.elements["handling"] == ALL_ELEMENTS["handling"]
