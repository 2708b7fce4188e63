"""Writes the raw corpus files that are binary or too big to write by hand, with their
expected output computed from the ground truth (epoch seconds chosen first, then formatted
into the raw file with the standard library), never by running services.prepare.

Run from the repository root: ``python tests/data/raw/make_raw.py``. The other files in this
folder, and their expected outputs, are written by hand.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).parent
EXPECTED = HERE / "expected"
T0 = 1_706_745_600  # 2024-02-01T00:00:00Z
SEOUL = ZoneInfo("Asia/Seoul")


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _events(users: int, per_user: int, seed: int) -> list[tuple[str, str, int, int]]:
    """(user, item, epoch seconds, kind index) with a few popular items, sorted by time."""
    rng = random.Random(seed)
    out = []
    for u in range(users):
        for _ in range(per_user):
            item = min(int(rng.expovariate(1 / 12)), 79)
            out.append(
                (f"{u:03d}", f"{item:03d}", T0 + rng.randrange(0, 60 * 86_400), rng.randrange(3))
            )
    return sorted(out, key=lambda e: (e[2], e[0], e[1]))


def korean_cp949() -> None:
    kinds = ("조회", "장바구니", "구매")
    names = ("View", "AddToCart", "Purchase")
    raw, expected, rejects = [], [], []
    for n, (u, i, t, k) in enumerate(_events(60, 20, seed=11)):
        line = n + 2
        local = datetime.fromtimestamp(t, SEOUL).strftime("%Y-%m-%d %H:%M:%S")
        qty = str(1 + (n % 3))
        user = f"회원{u}"
        if n in (5, 400, 999):
            user = ""
            rejects.append([str(line), "USER_ID is empty"])
        elif n == 700:
            local = "2024-13-01 00:00:00"
            rejects.append([str(line), "TIMESTAMP is not a date-time or an epoch number"])
        else:
            expected.append([user, f"상품{i}", str(t), names[k], qty])
        raw.append([user, f"상품{i}", local, kinds[k], qty])
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\r\n")
    w.writerow(["회원ID", "상품코드", "주문일시", "구분", "수량"])
    w.writerows(raw)
    (HERE / "korean_headers_cp949.csv").write_bytes(text.getvalue().encode("cp949"))
    header = ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
    _write_csv(EXPECTED / "korean_headers_cp949.csv", header, expected)
    _write_csv(EXPECTED / "korean_headers_cp949.rejects.csv", ["line", "reason"], rejects)


def gzipped_tsv() -> None:
    kinds = ("pv", "cart", "buy")
    names = ("View", "AddToCart", "Purchase")
    raw, expected = [], []
    for n, (u, i, t, k) in enumerate(_events(50, 25, seed=12)):
        millis = t * 1000 + (n * 37) % 1000
        raw.append([f"user-{u}", f"sku-{i}", str(millis), kinds[k]])
        expected.append([f"user-{u}", f"sku-{i}", str(t), names[k]])
    text = io.StringIO()
    w = csv.writer(text, delimiter="\t", lineterminator="\n")
    w.writerow(["user_id", "sku", "event_ms", "behavior"])
    w.writerows(raw)
    (HERE / "gzipped_tsv_epoch_ms.tsv.gz").write_bytes(
        gzip.compress(text.getvalue().encode("utf-8"), mtime=0)
    )
    _write_csv(
        EXPECTED / "gzipped_tsv_epoch_ms.csv",
        ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"],
        expected,
    )


def parquet() -> None:
    # Typed columns: integer user IDs, a UTC timestamp column in milliseconds, one null.
    stamps = [
        datetime(2024, 3, 5, 1, 0, 0, 250_000, tzinfo=UTC),
        datetime(2024, 3, 5, 1, 30, tzinfo=UTC),
        None,
        datetime(2024, 3, 6, 0, 0, tzinfo=UTC),
    ]
    table = pa.table(
        {
            "user_id": pa.array([7, 7, 8, 9], pa.int64()),
            "item_id": pa.array(["a", "b", "a", "c"]),
            "clicked_at": pa.array(stamps, pa.timestamp("ms", tz="UTC")),
        }
    )
    pq.write_table(table, HERE / "typed_columns.parquet")


def users_euc_kr() -> None:
    rows = [
        ["회원ID", "성별", "연령대", "회원등급", "이메일"],
        ["K1", "여", "20대", "골드", "k1@example.com"],
        ["K2", "남", "30대", "실버", "k2@example.com"],
        ["K3", "", "40대", "골드", "k3@example.com"],
    ]
    text = "".join(",".join(r) + "\n" for r in rows)
    (HERE / "users_euc_kr.csv").write_bytes(text.encode("euc-kr"))


if __name__ == "__main__":
    korean_cp949()
    gzipped_tsv()
    parquet()
    users_euc_kr()
