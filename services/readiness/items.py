"""Items: ITEM_ID, metadata types and categorical limits, CREATION_TIMESTAMP."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from services.i18n import _, formats, ngettext

from .columns import RowLines
from .dataset import DatasetChecker
from .id_field import IdField
from .report import Finding, Summary
from .schema import DatasetSchema, HeaderMatch
from .timestamp_field import TimestampField


class MetadataChecker(DatasetChecker):
    """Items or Users: one ID column plus metadata; IDs should be unique."""

    id_name = ""

    def __init__(
        self, header: Sequence[str], schema: DatasetSchema, match: HeaderMatch, *, now: float
    ) -> None:
        super().__init__(header, schema, match)
        self.ids = IdField(self.id_name)
        self.created = TimestampField("CREATION_TIMESTAMP", now, distribution=False)

    def feed_special(self, table: pa.Table, lines: RowLines, parsed: dict[str, np.ndarray]) -> None:
        """The ID column and, for Items, CREATION_TIMESTAMP."""
        column = self.column(table, self.id_name)
        if column is not None:
            self.ids.add(column, lines)
        created = self.column(table, "CREATION_TIMESTAMP")
        if created is not None and "CREATION_TIMESTAMP" in self.special:
            self.created.add(created, lines)

    def result(self) -> tuple[list[Finding], Summary, pa.Array]:
        """Findings, summary and the distinct IDs."""
        findings = self.findings() + self.ids.findings(self.rows)
        if "CREATION_TIMESTAMP" in self.special:
            findings += self.created.findings(self.rows)
        ids, counts = self.ids.counts.result()
        repeated = int((counts > 1).sum())
        if repeated:
            extra = int(counts[counts > 1].sum() - repeated)
            findings.append(
                Finding(
                    "duplicate_ids",
                    "warning",
                    _("Repeated {column} values").format(column=self.id_name),
                    ngettext(
                        "{repeated} {column} value appears more than once ({extra}); only one "
                        "row per ID is kept, and which one is not defined.",
                        "{repeated} {column} values appear more than once ({extra}); only one "
                        "row per ID is kept, and which one is not defined.",
                        repeated,
                    ).format(
                        repeated=formats.count(repeated),
                        column=self.id_name,
                        extra=ngettext("{n} extra row", "{n} extra rows", extra).format(
                            n=formats.count(extra)
                        ),
                    ),
                    _("Keep one row per {column} (the latest).").format(column=self.id_name),
                    (),
                    self.id_name,
                )
            )
        # a count read from a column the file lacks is not known (None), not 0
        known = len(ids) if self.id_name in self.pos else None
        missing = () if known is not None else (self.id_name,)
        if self.id_name == "ITEM_ID":
            summary = Summary(rows=self.rows, items=known, missing_columns=missing)
        else:
            summary = Summary(rows=self.rows, users=known, missing_columns=missing)
        return findings, summary, ids


class ItemsChecker(MetadataChecker):
    """Checks an Items dataset."""

    dataset_type = "items"
    special = ("ITEM_ID", "CREATION_TIMESTAMP")
    id_name = "ITEM_ID"
