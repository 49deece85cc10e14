"""bench.pages judges its table as issue 7 sets the targets: statements must not grow with
history (smaller street against the generated one); more than on the empty database is the
page's content, noted but not a miss."""
from __future__ import annotations

from bench.pages import PageMeasure, table


def _measure(times: list[float], statements: int) -> PageMeasure:
    m = PageMeasure("pages/shift.py", "当班", "office_admin")
    m.times = m.cold_times = times
    m.statements = m.cold_statements = [statements] * len(times)
    m.sql = m.cold_sql = [0.001] * len(times)
    return m


def test_statements_beyond_the_empty_databases_are_content_not_a_miss():
    empty, smaller, generated = _measure([0.010] * 20, 5), _measure([0.012] * 20, 10), _measure([0.012] * 20, 10)
    text, misses = table("sqlite", [empty], [generated], [smaller])
    assert misses == []
    assert "content: +5 SQL over empty" in text


def test_statements_growing_with_history_are_a_miss():
    empty, smaller, generated = _measure([0.010] * 20, 5), _measure([0.012] * 20, 10), _measure([0.012] * 20, 11)
    _text, misses = table("sqlite", [empty], [generated], [smaller])
    assert misses == ["sqlite 当班 (pages/shift.py): SQL grows with history"]


def test_without_a_smaller_street_more_statements_than_empty_is_flagged():
    _text, misses = table("sqlite", [_measure([0.010] * 20, 5)], [_measure([0.012] * 20, 10)])
    assert misses == ["sqlite 当班 (pages/shift.py): more SQL than empty"]


def test_a_p95_over_one_and_a_half_times_empty_is_a_miss():
    slow = [0.010] * 18 + [0.020, 0.020]      # p95 0.020 against 0.010
    _text, misses = table("sqlite", [_measure([0.010] * 20, 5)], [_measure(slow, 5)])
    assert misses == ["sqlite 当班 (pages/shift.py): rerun > 1.5× empty, first view > 1.5× empty"]
