"""Tables for st.dataframe without the pandas work it would redo on every run.

`columns`: a table given column by column goes to st.dataframe as Arrow, not as rows it
turns into a pandas frame first. `painted`: coloured cells without pandas' HTML rendering.

st.dataframe takes a colour per cell only from a pandas Styler, and of what the Styler
renders it keeps two things: the CSS rules of the styled cells and each cell's display
text. To get them it runs the Styler's whole HTML rendering, a dictionary per cell: on the
100 units of 在岗情况 that was ~40% of the page, on every run. For a table of text (shown
as it is, so the display text is the value) both are known beforehand: `painted` hands
st.dataframe a Styler that already holds them. What reaches the browser is the same
(tests/test_tables.py compares it with pandas' own rendering).
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa


def _declarations(css: str) -> tuple[tuple[str, str], ...]:
    """'color: red; font-weight: 600' → (('color', 'red'), ('font-weight', '600')), as pandas
    splits a style string."""
    return tuple((part.split(":")[0].strip(), ":".join(part.split(":")[1:]).strip())
                 for part in css.split(";") if part.strip())


def painted(frame: pd.DataFrame, styles: Sequence[Sequence[str]]):
    """`frame` (text only: every cell a str) for st.dataframe, cell [r][c] styled with the
    CSS `styles[r][c]` ("" for none) — what frame.style.apply(lambda _: styles, axis=None)
    shows, without rendering every cell as HTML on each run."""
    styler = frame.style
    # Grouped as pandas groups them: one rule per distinct style, cells in row order.
    rules: dict[tuple[tuple[str, str], ...], list[str]] = {}
    parsed: dict[str, tuple[tuple[str, str], ...]] = {}    # each distinct style split once
    for r, row in enumerate(styles):
        for c, css in enumerate(row):
            if css:
                props = parsed.get(css)
                if props is None:
                    props = parsed[css] = _declarations(css)
                rules.setdefault(props, []).append(f"row{r}_col{c}")
    translated = {
        "table_styles": [],
        "cellstyle": [{"props": list(props), "selectors": cells} for props, cells in rules.items()],
        "body": [],   # no display text to replace: the text is the value
    }
    # st.dataframe (streamlit/elements/lib/pandas_styler_utils.py) computes the styles and
    # reads them through these two; it accepts only a Styler itself, not a subclass.
    styler._compute = lambda: styler
    styler._translate = lambda *_args, **_kwargs: translated
    return styler


def columns(data: dict[str, Sequence]) -> pa.Table:
    """A table given column by column (str, int, datetime or None: None shows empty), for
    st.dataframe without a pandas frame: st.dataframe turns rows into a pandas frame and the
    frame into Arrow (~1 ms for a page of 50 rows × 12 columns, on every run); an Arrow
    table is sent as it is."""
    return pa.table({name: pa.array(list(values)) for name, values in data.items()})
