"""Data readiness: check data against Amazon Personalize's rules before paying to train.

Typical use::

    report = check_file("interactions.csv", "interactions", event_type="purchase")
    if not report.ok:
        for finding in report.errors:
            print(finding.code, finding.detail, finding.fix)
"""

from .api import check_dataframe, check_file
from .cross import cross_check
from .idspace import check_user_ids, id_shape
from .report import Finding, ReadinessReport, Severity, Summary
from .schema import DatasetSchema, Field, default_schema, load_schema

__all__ = [
    "DatasetSchema",
    "Field",
    "Finding",
    "ReadinessReport",
    "Severity",
    "Summary",
    "check_dataframe",
    "check_file",
    "check_user_ids",
    "cross_check",
    "default_schema",
    "id_shape",
    "load_schema",
]
