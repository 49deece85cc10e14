"""Forms that keep what they were loaded from, so a stale save is refused, not applied.

Submitting a Streamlit form reruns the page, which reloads every record. Were the form
to send the version of that fresh load, a save made from data another user has since
changed would overwrite it silently. So an edit form works from a snapshot taken when
the record was first shown: its fields default to the snapshot, its save carries the
snapshot's version, and its widget keys include that version. After a save (or a
"已被他人修改" refusal) the snapshot is dropped and the next run shows the record anew.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

import ui
from services.errors import ConcurrentEditError

R = TypeVar("R")
_SNAPSHOTS = "_loaded_records"
_GENERATIONS = "_form_generations"


def loaded(kind: str, row: R) -> R:
    """The record of this kind as first shown (one per kind: choosing another replaces it)."""
    snapshots = st.session_state.setdefault(_SNAPSHOTS, {})
    snap = snapshots.get(kind)
    if snap is None or snap.id != row.id:
        snapshots[kind] = snap = row
    return snap


def key(kind: str, snap) -> str:
    """A widget-key prefix bound to the snapshot: a fresh load brings fresh widgets."""
    return f"{kind}_{snap.id}_v{snap.version}"


def forget(kind: str) -> None:
    st.session_state.get(_SNAPSHOTS, {}).pop(kind, None)


def new_key(name: str) -> str:
    """A key for a create form; `submit(..., reset=name)` empties it after a success."""
    return f"{name}_{st.session_state.get(_GENERATIONS, {}).get(name, 0)}"


def renew(name: str) -> None:
    """Empty a create form: its next run gets fresh keys (see `new_key`)."""
    generations = st.session_state.setdefault(_GENERATIONS, {})
    generations[name] = generations.get(name, 0) + 1


def typed(key: str, *, enter: bool = True):
    """A form for typed fields and the buttons that use them.

    In the browser a click right after typing can be lost to the field's commit-on-blur
    rerun (streamlit/streamlit#8725); a form sends the fields with its button. Not cleared
    on submit: after a refusal the officer corrects what they wrote (a form that stays on
    the page after a success empties itself with `new_key`/`renew`). `enter=False` where
    Enter would press a decision (the form's first button)."""
    return st.form(key, border=False, clear_on_submit=False, enter_to_submit=enter)


def submit(fn: Callable[..., object], *args, success: str, snapshot: str | None = None,
           reset: str | None = None) -> bool:
    """Call a service through ui.run_action. On success drop the snapshot (or empty the
    create form) and rerun; on a concurrent edit drop the snapshot so the form reloads."""

    def call():
        try:
            fn(*args)
        except ConcurrentEditError:
            if snapshot:
                forget(snapshot)
            raise
        return True

    if not ui.run_action(call, success=success):
        return False
    if snapshot:
        forget(snapshot)
    if reset:
        renew(reset)
    st.rerun()
    return True


def pager(shown, key: str, caption: str) -> None:
    """The page selector above a paged list, when it has more than one page. `shown` is a
    service's page (page, pages, first, last, total); `caption` may use {first}, {last} and
    {total}. The chosen page is read back from st.session_state[key] on the next run."""
    if shown is None or shown.pages <= 1:
        return
    # One horizontal block, not columns (three blocks): Streamlit's cost is per block.
    with st.container(horizontal=True, vertical_alignment="center"):
        st.selectbox("页码", range(1, shown.pages + 1), index=shown.page - 1, key=key, width=220,
                     format_func=lambda n: f"第 {n} 页 / 共 {shown.pages} 页")
        st.caption(caption.format(first=shown.first, last=shown.last, total=shown.total))
