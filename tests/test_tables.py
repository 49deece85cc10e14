"""ui.tables.painted: what st.dataframe sends for a painted table is what pandas' own Styler
rendering gives (styles and display text), without that rendering."""
from __future__ import annotations

import pandas as pd
import pytest
from pandas.io.formats.style import Styler
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from ui.tables import painted

RED = "background-color: #FBE3E1; color: #9F1C14; font-weight: 600"
AMBER = "background-color: #FFF1D2; color: #7A4A00"


def board(n: int) -> tuple[pd.DataFrame, list[list[str]]]:
    frame = pd.DataFrame([{"单位": f"第{i}村", "值班电话": "未登记" if i % 3 else "027-8388",
                           "状态": "无人值班" if i % 4 == 0 else "值班中",
                           "提示": "未登记值班电话（第二十三条）" if i % 3 else ""} for i in range(n)])
    styles = [[RED] * 4 if i % 4 == 0 else ["", "", "", AMBER if i % 3 else ""] for i in range(n)]
    return frame, styles


def marshalled(styler) -> ArrowData:
    styler.set_uuid("board")
    proto = ArrowData()
    marshall_styler(proto, styler, "default")
    return proto


@pytest.mark.parametrize("n", [0, 1, 12])
def test_painted_sends_what_pandas_rendering_sends(n):
    frame, styles = board(n)
    ours = marshalled(painted(frame, styles))
    pandas_own = marshalled(frame.style.apply(
        lambda _f: pd.DataFrame(styles, index=frame.index, columns=frame.columns), axis=None))
    assert ours.styler.styles == pandas_own.styler.styles
    assert ours.styler.display_values == pandas_own.styler.display_values
    if n:
        assert "#T_board_row0_col0, #T_board_row0_col1" in ours.styler.styles   # row 0 red


def test_painted_renders_no_cell_as_html(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("pandas rendered the table")

    monkeypatch.setattr(Styler, "_translate", refuse)
    monkeypatch.setattr(Styler, "_compute", refuse)
    frame, styles = board(12)
    assert "9F1C14" in marshalled(painted(frame, styles)).styler.styles


def test_columns_sends_the_rows_values_without_a_pandas_frame(monkeypatch):
    from streamlit import dataframe_util

    from ui.tables import columns

    rows = [{"事件": "积水", "未完成时限": 2, "最近时限": "07-01 10:05"},
            {"事件": "火情", "未完成时限": None, "最近时限": ""}]
    table = columns({k: [r[k] for r in rows] for k in rows[0]})
    assert table.to_pylist() == rows
    assert str(table.schema.field("未完成时限").type) == "int64"        # a count, not 2.0

    def refuse(*_a, **_k):
        raise AssertionError("a pandas frame was built")

    monkeypatch.setattr(dataframe_util, "convert_anything_to_pandas_df", refuse)
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        from ui.tables import columns
        st.dataframe(columns({"事件": ["积水", "火情"]}), hide_index=True)

    at = AppTest.from_function(script)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(at.dataframe[0].value["事件"]) == ["积水", "火情"]
