"""Incidents: the heart of the duty desk (第十二、十三、十八至二十二条).

One public function = one user action = one transaction; each takes the actor first and
plain values (dataclass forms, ids, the `version` the page loaded) and returns an id or
plain rows. Refusals are DomainErrors with a Chinese message naming the field and article.

    intake        receive, link_intake, update_facts
    lifecycle     transition / start_verification, confirm_verified, ownership transfers,
                  request_closure → approve_closure | return_closure
    reports       report_template, draft_report, update_draft, submit_report,
                  sign_off_report | return_report, mark_sent, record_phone_report, report_docx
    verification  log_verification_request, link_verification_request, answer_verification
    desk          open_deadlines, list_incidents, incidents_page, my_incidents, pending_transfers,
                  transfer_candidates, incident_detail, approvals_queue, deadline_table,
                  update_deadline_table
"""
from rules.deadlines import (
    CATEGORY_LABELS, LEVEL_LABELS, RECIPIENT_LABELS, STATUS_LABELS, TABLE_FIELD_LABELS,
)
from rules.report_elements import (
    CHANNEL_LABELS, CLASSIFICATION_LABELS, CONSEQUENCE_FIELDS, ELEMENTS, REPORT_KINDS,
)
from services.incidents.common import (
    CLOSURE_STATUS_LABELS, DEADLINE_KIND_LABELS, EVENT_LABELS, QUICK_CHANNELS, REPORT_STATUS_LABELS,
    SATISFIES, SOURCE_KIND_LABELS, URGENCY_LABELS, VERIFICATION_STATE_LABELS,
)
from services.incidents.desk import (
    ACTION_LABELS, ApprovalsQueue, DeadlineTableView, DeskRow, approvals_queue, deadline_table,
    PER_PAGE, incident_detail, incidents_page, list_incidents, my_incidents, open_deadlines,
    pending_transfers, transfer_candidates, update_deadline_table,
)
from services.incidents.intake import (
    IncidentFacts, IntakeCallInput, IntakeInput, link_intake, receive, update_facts,
)
from services.incidents.lifecycle import (
    accept_transfer, approve_closure, cancel_transfer, confirm_verified, decline_transfer,
    request_closure, request_transfer, return_closure, start_verification, transition,
)
from services.incidents.reports import (
    PhoneReportInput, ReportContent, SendResult, draft_report, mark_sent, record_phone_report,
    report_detail, report_docx, report_template, return_report, sign_off_report, submit_report,
    update_draft,
)
from services.incidents.rows import (
    DeadlineRow, EventRow, IncidentDetail, IncidentRow, IntakeRow, ReportRow, TransferRow,
    VerificationRow,
)
from services.incidents.verification import (
    VerificationInput, answer_verification, link_verification_request, list_verification_requests,
    log_verification_request,
)
from workflows.incident import STATE_LABELS, TRIGGER_LABELS

__all__ = [
    # labels (re-exported so pages need not import rules/ or workflows/)
    "CATEGORY_LABELS", "LEVEL_LABELS", "RECIPIENT_LABELS", "STATUS_LABELS", "TABLE_FIELD_LABELS",
    "CHANNEL_LABELS", "CLASSIFICATION_LABELS", "CONSEQUENCE_FIELDS", "ELEMENTS", "REPORT_KINDS",
    "STATE_LABELS", "TRIGGER_LABELS",
    "CLOSURE_STATUS_LABELS", "DEADLINE_KIND_LABELS", "EVENT_LABELS", "QUICK_CHANNELS",
    "REPORT_STATUS_LABELS", "SATISFIES", "SOURCE_KIND_LABELS", "URGENCY_LABELS",
    "VERIFICATION_STATE_LABELS", "ACTION_LABELS",
    # forms and rows
    "IncidentFacts", "IntakeInput", "IntakeCallInput", "ReportContent", "PhoneReportInput",
    "VerificationInput", "SendResult", "DeskRow", "IncidentRow", "IncidentDetail", "EventRow",
    "ReportRow", "DeadlineRow", "IntakeRow", "TransferRow", "VerificationRow", "ApprovalsQueue",
    "DeadlineTableView",
    # intake
    "receive", "link_intake", "update_facts",
    # lifecycle
    "transition", "start_verification", "confirm_verified", "request_transfer", "accept_transfer",
    "decline_transfer", "cancel_transfer", "request_closure", "approve_closure", "return_closure",
    # reports
    "report_template", "report_detail", "draft_report", "update_draft", "submit_report",
    "sign_off_report", "return_report", "mark_sent", "record_phone_report", "report_docx",
    # verification
    "log_verification_request", "link_verification_request", "answer_verification",
    "list_verification_requests",
    # desk
    "open_deadlines", "list_incidents", "incidents_page", "PER_PAGE", "my_incidents", "pending_transfers", "transfer_candidates",
    "incident_detail",
    "approvals_queue", "deadline_table", "update_deadline_table",
]
