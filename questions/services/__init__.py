"""Writes to the question bank. Each module holds one concern; everything is importable from here.

- ``versions``: what a version holds, and freezing one (``question_snapshot``);
- ``bank``: loading the bundled bank files, and the upsert every import shares;
- ``authoring``: saving a question from the admin, changing its status, granting the author role;
- ``imports``: importing questions from a file in any supported format, all or nothing;
- ``reports``: candidates' problem reports, and closing them.
"""

from .authoring import (
    ChoiceData,
    author_grant,
    authors_group,
    case_study_save,
    question_save,
    question_set_status,
)
from .bank import (
    BankInvalid,
    LoadReport,
    bank_files_digest,
    bank_load,
    bank_load_record,
    bank_unchanged,
    question_upsert,
)
from .imports import ImportInvalid, ImportReport, questions_import, questions_import_text
from .reports import problem_report_close, problem_report_create
from .upserts import ExhibitData, exhibit_store
from .versions import content_for, question_content, question_snapshot

__all__ = [
    "BankInvalid",
    "ChoiceData",
    "ExhibitData",
    "ImportInvalid",
    "ImportReport",
    "LoadReport",
    "author_grant",
    "authors_group",
    "bank_files_digest",
    "bank_load",
    "bank_load_record",
    "bank_unchanged",
    "case_study_save",
    "content_for",
    "exhibit_store",
    "problem_report_close",
    "problem_report_create",
    "question_content",
    "question_save",
    "question_set_status",
    "question_snapshot",
    "question_upsert",
    "questions_import",
    "questions_import_text",
]
