"""What the roster and shift pages share: inert user text, running a service whose refusal
lists rule violations (RosterViolations), and notices that outlive the rerun after a click."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

import streamlit as st

from services import clock
from services.errors import ConcurrentEditError, DomainError, ValidationError
from services.roster_common import RosterViolations
from ui import forms

T = TypeVar("T")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")
_NOTICES = "_roster_notices"
SHOWN = 30          # violations listed in a refusal; the rest are counted


def md(text: object) -> str:
    """User text made inert for st.markdown (no links, emphasis or colour directives)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text or ""))


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {md(line)}" for line in lines)


def fmt(dt, pattern: str = "%m-%d %H:%M") -> str:
    return clock.fmt(dt, pattern)


def attempt(fn: Callable[..., T], *args, snapshot: str | None = None, **kwargs) -> T | None:
    """Call a service like ui.run_action (the result, True for None, or None when refused),
    but show a refusal for rule violations as its lead and the list of violations, each
    naming its article. On a concurrent edit the snapshot (ui.forms) is dropped so the next
    run shows the record as it is now."""
    try:
        result = fn(*args, **kwargs)
    except RosterViolations as err:
        lead = err.message.split("：", 1)[0]
        more = len(err.violations) - SHOWN
        st.error(f"{md(lead)}：\n\n" + bullets(v.message for v in err.violations[:SHOWN])
                 + (f"\n\n……另有{more}处" if more > 0 else ""))
        return None
    except ValidationError as err:
        st.error(bullets(err.problems))
        return None
    except ConcurrentEditError as err:
        if snapshot:
            forms.forget(snapshot)
        st.error(md(err.message))
        return None
    except DomainError as err:
        st.error(md(err.message))
        return None
    return True if result is None else result


def notify(page: str, kind: str, text: str, lines: Iterable[str] = ()) -> None:
    """Keep a notice for the page's next run (kind: success | info | warning | error)."""
    st.session_state.setdefault(_NOTICES, {})[page] = (kind, text, list(lines))


def show_notice(page: str) -> None:
    """Show the page's pending notice once."""
    found = st.session_state.get(_NOTICES, {}).pop(page, None)
    if found:
        kind, text, lines = found
        body = md(text) + ("\n\n" + bullets(lines) if lines else "")
        getattr(st, kind)(body)
