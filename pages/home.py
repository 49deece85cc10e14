"""The landing page: who I am and what needs attention in my scope."""
import streamlit as st

import ui
from services import overview

actor = ui.actor()
st.title("政务值班台")
st.caption(f"{actor.display_name}，您好。24小时值班，首接负责，及时报告。")
summary = overview.home_summary(actor)
cols = st.columns(len(summary.figures) or 1)
for col, (label, value, help_text) in zip(cols, summary.figures):
    col.metric(label, value, help=help_text)
for warning in summary.warnings:
    st.warning(warning)
