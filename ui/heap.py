"""The start-up heap, frozen once per process.

A full garbage collection walks every object the process holds: after the first page has
run, some 200,000 objects of Streamlit, SQLAlchemy, pandas and the app's own modules that
live as long as the server. Measured on the 10-year street (bench/pages.py, issue 7): every
few dozen runs such a collection paused a page for ~110 ms, which was the p95 of most pages.
gc.freeze() moves those objects out of the collector's sight, so later collections walk
only what was made since; it is done once, after the first page run has imported them.
"""
from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_frozen = False


def freeze_once() -> bool:
    """Collect, then freeze what survives; True the one time it does so."""
    global _frozen
    with _lock:
        if _frozen:
            return False
        gc.collect()
        gc.freeze()
        _frozen = True
        return True
