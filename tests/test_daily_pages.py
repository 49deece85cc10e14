"""The daily-record pages through app.py signed in (AppTest), SQLite and PostgreSQL: the calls
page's quick entry (第十一、十二条) and the other three pages render without error."""
from __future__ import annotations

import pytest

from services.daily import calls
from test_incident_pages import by_label, errors, signed_in, street  # noqa: F401  (fixture)


def test_quick_call_entry_is_owned_by_the_taker(street):
    at = signed_in("wangwu", "pages/calls.py")
    by_label(at.text_area, "来电内容").input("某社区报告巨龙大道积水约30厘米")
    by_label(at.text_input, "来电人").input("张网格员")
    by_label(at.text_input, "来电号码").input("13800000000")
    next(b for b in at.button if b.label == "登记来电").click()
    at.run()
    assert not at.exception and not errors(at)
    rows = calls.open_calls(street.officer)
    assert len(rows) == 1 and rows[0].owner_user_id == street.officer.user_id
    assert rows[0].caller == "张网格员" and rows[0].summary.startswith("某社区报告")
    assert any("张网格员" in e.label for e in at.expander)
    # an empty entry is refused with the article
    next(b for b in at.button if b.label == "登记来电").click()
    at.run()
    assert "第十一条" in errors(at)


@pytest.mark.parametrize("page", ["pages/instructions.py", "pages/hotline.py", "pages/logbook.py"])
def test_the_other_daily_pages_render(street, page):
    at = signed_in("wangwu", page)
    assert not at.exception, [e.value for e in at.exception]
