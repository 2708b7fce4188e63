"""The pages' CSV downloads are safe to open in a spreadsheet: formula-like cells start with
a quote, whatever table they come from (``dashboard.components.downloads``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from services.config import Settings
from services.store.tables import Store
from tests.dashboard.conftest import Seeded, app_at

HYPERLINK = '=HYPERLINK("http://evil.test","Sign in again")'
SUM = "@SUM(A1:A9)"


def _table(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8 (Hangul) right
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_audit_log_download_neutralises_formulas(
    seeded: Seeded, downloads: Callable[[], dict[str, bytes]]
) -> None:
    Store.from_settings(Settings.from_env()).record_action(
        HYPERLINK, "update_campaign", SUM, {}, "error", SUM
    )
    at = app_at("dashboard/pages/operations.py")
    assert not at.exception
    (row,) = [r for r in _table(downloads()["audit-log.csv"]) if r["action"] == "update_campaign"]
    assert row["who"] == "'" + HYPERLINK
    assert row["message"] == "'" + SUM
    assert row["target ARN"] == "'" + SUM
