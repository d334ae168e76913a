"""Check results and the results.json document every report is rendered from.

This package stands alone (it imports only the catalogue and the error tree): evaluators build
``CheckResult`` values with ``outcome``/``error``/``skipped``/``not_applicable``; commands turn
them into documents (``new_document``, ``merge``) and store them (``write_document``,
``read_document``); the verdict rule and the exit codes live in ``status`` and ``verdict``.
"""

from prepcheck.results.document import (
    SCHEMA_ID,
    SCHEMA_VERSION,
    Subject,
    changes,
    derive,
    measured_by,
    merge,
    merge_records,
    new_document,
    not_measured,
    summary,
)
from prepcheck.results.record import (
    Artifact,
    CheckResult,
    error,
    not_applicable,
    now_iso,
    outcome,
    skipped,
)
from prepcheck.results.status import (
    EXIT_BY_VERDICT,
    EXIT_FAILED,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    STATUS_LABELS,
    VERDICT_LABELS,
    Status,
    Verdict,
)
from prepcheck.results.store import (
    FILE_MODE,
    read_document,
    validated,
    write_document,
    write_json,
    write_text,
)
from prepcheck.results.verdict import exit_code, failing, pending, verdict, worst

__all__ = [
    "EXIT_BY_VERDICT",
    "EXIT_FAILED",
    "EXIT_INCOMPLETE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "FILE_MODE",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "STATUS_LABELS",
    "VERDICT_LABELS",
    "Artifact",
    "CheckResult",
    "Status",
    "Subject",
    "Verdict",
    "changes",
    "derive",
    "error",
    "exit_code",
    "failing",
    "measured_by",
    "merge",
    "merge_records",
    "new_document",
    "not_applicable",
    "not_measured",
    "now_iso",
    "outcome",
    "pending",
    "read_document",
    "skipped",
    "summary",
    "validated",
    "verdict",
    "worst",
    "write_document",
    "write_json",
    "write_text",
]
