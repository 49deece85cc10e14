"""The server's garbage collector: the start-up heap frozen once per process, and young
collections made rarer.

A full garbage collection walks every object the process holds: after the first page has
run, some 200,000 objects of Streamlit, SQLAlchemy, pandas and the app's own modules that
live as long as the server. Measured on the 10-year street (bench/pages.py, issue 7): every
few dozen runs such a collection paused a page for ~110 ms, which was the p95 of most pages.
gc.freeze() moves those objects out of the collector's sight, so later collections walk
only what was made since; it is done once, after the first page run has imported them.

What is made since is still a lot: the read models services/view_cache keeps (a month of
the compliance dashboard is thousands of records) and every session's state, ~130,000
objects once every page has been opened on the 10-year street. With Python's default
thresholds (700, 10, 10) a full collection then came in about one first view of 合规看板 in
four, pausing it 120–150 ms (p95 above 300 ms). THRESHOLDS collect the youngest generation
every 10,000 new objects instead of 700 (a page run makes tens of thousands, so still
several times a run) and the older ones a few times less often: in 40 such first views no
full collection, p50 190 → 153 ms, max 347 → 179 ms. Unreachable cycles wait a little
longer to be freed; objects freed by reference counting, most of them, are not affected.
"""
from __future__ import annotations

import gc
import threading

THRESHOLDS = (10_000, 20, 20)

_lock = threading.Lock()
_frozen = False


def freeze_once() -> bool:
    """Collect, freeze what survives and set THRESHOLDS; True the one time it does so."""
    global _frozen
    with _lock:
        if _frozen:
            return False
        gc.collect()
        gc.freeze()
        gc.set_threshold(*THRESHOLDS)
        _frozen = True
        return True
