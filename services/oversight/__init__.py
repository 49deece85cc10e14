"""Oversight by the office (第十六、十七条): inspections and spot checks with rectification,
bulletins (通报), training records, compliance by article, statistics. One module per
area; each public function is one user action in one transaction, actor first."""
from services.oversight.bulletins import (  # noqa: F401
    BulletinRow, bulletin_docx, bulletin_page, bulletin_rows, compile_bulletin, list_bulletins,
    publish_bulletin,
)
from services.oversight.common import METHOD_LABELS, TRAINING_KIND_LABELS, to_xlsx  # noqa: F401
from services.oversight.compliance import (  # noqa: F401
    MEASURES, ComplianceCounts, ComplianceRecord, ComplianceRow, compliance, compliance_counts, drill_down,
    matrix,
)
from services.oversight.inspections import (  # noqa: F401
    InspectionInput, InspectionRow, SpotCheckRow, complete_rectification, list_inspections,
    record_inspection, rectification_page, spot_check_list,
)
from services.oversight.statistics import (  # noqa: F401
    Statistics, statistics,
)
from services.oversight.training import (  # noqa: F401
    SessionRow, TrainingFlag, attendance_choices, create_session, list_sessions, record_attendance,
    session_page, training_flags,
)
