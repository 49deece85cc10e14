"""The Excel import/export block the directory pages share."""
from __future__ import annotations

import streamlit as st

import ui
from services.directory import excel
from services.permissions import Actor, can


def excel_section(actor: Actor, kind: str) -> None:
    """Template, export and import of one kind, shown only to roles allowed to use them."""
    may_import, may_export = can(actor, "directory.import"), can(actor, "directory.export")
    if not (may_import or may_export):
        return
    title = excel.KIND_TITLES[kind]
    with st.expander(f"Excel 导入 / 导出：{title}", icon=":material/table_view:"):
        left, right = st.columns(2)
        if may_export:
            # Built (and audited) only when clicked, not on every rerun of the page.
            left.download_button(f"导出全部{title}",
                                 data=lambda: excel.export_file(actor, kind).content,
                                 file_name=excel.export_filename(kind), mime=excel.XLSX_MIME,
                                 on_click="ignore", key=f"{kind}_export",
                                 icon=":material/download:")
        if may_import:
            right.download_button("下载导入模板", data=lambda: excel.template(kind).content,
                                  file_name=excel.template_filename(kind), mime=excel.XLSX_MIME,
                                  on_click="ignore", key=f"{kind}_template",
                                  icon=":material/description:")
            st.caption("导入只新增记录，已有记录请在本页修改。系统先逐行检查，"
                       "任何一行有误则整批不导入，并按行号列出错误。")
            uploaded = st.file_uploader(f"选择{title}文件（.xlsx，不超过 20 MB）", type=["xlsx"],
                                        key=f"{kind}_upload", max_upload_size=20)
            if uploaded is not None and st.button("开始导入", key=f"{kind}_import", type="primary"):
                result = ui.run_action(excel.import_file, actor, kind, uploaded.getvalue(),
                                       uploaded.name)
                if result is not None:
                    # ui.context.flash shows this once after the rerun.
                    st.session_state["_flash"] = f"已导入 {result.created} 条{title}记录"
                    st.rerun()
