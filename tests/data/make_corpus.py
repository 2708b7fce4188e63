"""Regenerate the readiness test corpus: tests/data/good/ and tests/data/bad/.

Deterministic (seeded); the CSVs are committed so tests never regenerate them. Run:

    .venv/bin/python tests/data/make_corpus.py

bad/MANIFEST.csv lists file, dataset_type, expected_code, severity, blocks_import.
`blocks_import` is true when the named fault alone makes Personalize's import job fail
(as opposed to importing fine and spoiling training). items_missing_from_items_file.csv is
checked against good/items.csv.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from pathlib import Path

HERE = Path(__file__).parent
GOOD, BAD = HERE / "good", HERE / "bad"
T0 = 1_704_067_200  # 2024-01-01T00:00:00Z; tests use now = 2025-01-01
HEADER = ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]


def events(
    users: int,
    per_user: int,
    items: int = 120,
    seed: int = 7,
    types: tuple[str, ...] = ("click", "purchase"),
) -> list[list[str]]:
    """Interactions rows: every user has `per_user` events spread over ~6 months."""
    rng = random.Random(seed)
    rows = []
    for u in range(users):
        for k in range(per_user):
            ts = T0 + rng.randrange(180 * 86_400)
            item = (u * 7 + k * 13 + rng.randrange(5)) % items
            kind = types[(u + k) % len(types)]
            rows.append([f"u{u}", f"i{item}", str(ts), kind, f"{rng.uniform(0.5, 5):.1f}"])
    rows.sort(key=lambda r: int(r[2]))
    return rows


def small() -> list[list[str]]:
    """A small, otherwise clean interactions sample (10 users x 4 events)."""
    return events(10, 4, items=15)


def write(
    path: Path,
    header: list[str] | None,
    rows: list[list[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> None:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def items_rows(n: int = 120) -> list[list[str]]:
    genres = ["Action", "Comedy", "Drama", "Horror", "Kids", "Sci-Fi", "Romance"]
    rng = random.Random(3)
    return [
        [
            f"i{i}",
            "|".join(rng.sample(genres, rng.randint(1, 3))),
            f"{rng.uniform(2, 90):.2f}",
            str(T0 - rng.randrange(400 * 86_400)),
        ]
        for i in range(n)
    ]


def good() -> None:
    GOOD.mkdir(exist_ok=True)
    rows = events(60, 20)
    write(GOOD / "interactions.csv", HEADER, rows)
    write(GOOD / "interactions_minimal.csv", HEADER[:3], [r[:3] for r in rows])
    write(GOOD / "items.csv", ["ITEM_ID", "GENRES", "PRICE", "CREATION_TIMESTAMP"], items_rows())
    rng = random.Random(5)
    write(
        GOOD / "users.csv",
        ["USER_ID", "AGE", "MEMBERSHIP"],
        [
            [f"u{u}", str(rng.randint(18, 80)), rng.choice(["free", "gold", "silver"])]
            for u in range(60)
        ],
    )
    schemas = {
        "interactions": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_TYPE", "type": "string"},
            {"name": "EVENT_VALUE", "type": ["null", "float"]},
        ],
        "items": [
            {"name": "ITEM_ID", "type": "string"},
            {"name": "GENRES", "type": ["null", "string"], "categorical": True},
            {"name": "PRICE", "type": "float"},
            {"name": "CREATION_TIMESTAMP", "type": "long"},
        ],
        "users": [
            {"name": "USER_ID", "type": "string"},
            {"name": "AGE", "type": "int"},
            {"name": "MEMBERSHIP", "type": "string", "categorical": True},
        ],
    }
    for kind, fields in schemas.items():
        schema = {
            "type": "record",
            "name": kind.title(),
            "namespace": "com.amazonaws.personalize.schema",
            "fields": fields,
            "version": "1.0",
        }
        (GOOD / f"{kind}_schema.json").write_text(json.dumps(schema, indent=2) + "\n")


def bad() -> list[tuple[str, str, str, str, bool]]:
    """Write every bad file; return the manifest rows."""
    BAD.mkdir(exist_ok=True)
    manifest: list[tuple[str, str, str, str, bool]] = []

    def add(name: str, kind: str, code: str, severity: str, blocks: bool) -> Path:
        manifest.append((name, kind, code, severity, blocks))
        return BAD / name

    base = small()
    add("empty_0_bytes.csv", "interactions", "empty_file", "error", True).write_bytes(b"")
    add("binary.csv", "interactions", "binary_file", "error", True).write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    )
    add("gzip_renamed.csv", "interactions", "binary_file", "error", True).write_bytes(
        gzip.compress(b"USER_ID,ITEM_ID,TIMESTAMP\nu1,i1,1704067200\n", mtime=0)
    )
    rows = [[f"i{i}", g, "9.90"] for i, g in enumerate(["Comédie", "Drame", "Policier"] * 5)]
    write(
        add("latin1_encoding.csv", "items", "not_utf8", "error", True),
        ["ITEM_ID", "GENRE", "PRICE"],
        rows,
        encoding="latin-1",
    )
    write(add("bom.csv", "interactions", "utf8_bom", "error", True), HEADER, base, bom=True)
    write(
        add("semicolon_separator.csv", "interactions", "wrong_separator", "error", True),
        HEADER,
        base,
        delimiter=";",
    )
    write(
        add("tab_separator.csv", "interactions", "wrong_separator", "error", True),
        HEADER,
        base,
        delimiter="\t",
    )
    write(add("header_only.csv", "interactions", "header_only", "error", True), HEADER, [])
    write(
        add("wrong_header_case.csv", "interactions", "header_case", "error", True),
        ["user_id", "item_id", "timestamp", "event_type", "event_value"],
        base,
    )
    write(
        add(
            "missing_required_column.csv", "interactions", "missing_required_column", "error", True
        ),
        ["USER_ID", "ITEM_ID", "EVENT_TYPE"],
        [[r[0], r[1], r[3]] for r in base],
    )
    write(
        add("no_header.csv", "interactions", "missing_required_column", "error", True), None, base
    )
    write(
        add("duplicate_column.csv", "interactions", "duplicate_column", "error", True),
        ["USER_ID", "ITEM_ID", "TIMESTAMP", "USER_ID"],
        [r[:3] + [r[0]] for r in base],
    )
    desc = [
        [f"i{i}", "Drama", f"Line one of item {i}\nline two" if i % 4 == 0 else "Plain"]
        for i in range(12)
    ]
    write(
        add("quoted_newlines.csv", "items", "quoted_newlines", "warning", False),
        ["ITEM_ID", "GENRE", "DESCRIPTION"],
        desc,
    )
    ragged = [r[:] for r in base]
    ragged[3] = ragged[3] + ["extra"]
    ragged[7] = ragged[7][:3]
    write(add("ragged_rows.csv", "interactions", "ragged_rows", "error", True), HEADER, ragged)
    blank = io.StringIO()
    write(BAD / "_tmp.csv", HEADER, base)
    lines = (BAD / "_tmp.csv").read_text().splitlines(keepends=True)
    (BAD / "_tmp.csv").unlink()
    blank.write("".join(lines[:5]) + "\n" + "".join(lines[5:20]) + "\n\n" + "".join(lines[20:]))
    add("blank_lines.csv", "interactions", "blank_lines", "warning", False).write_text(
        blank.getvalue()
    )

    def with_ts(name: str, code: str, severity: str, blocks: bool, fn: object) -> None:
        rows = [r[:2] + [fn(int(r[2]), k)] + r[3:] for k, r in enumerate(base)]  # type: ignore[operator]
        write(add(name, "interactions", code, severity, blocks), HEADER, rows)

    with_ts(
        "timestamps_milliseconds.csv",
        "timestamp_milliseconds",
        "error",
        False,
        lambda t, k: str(t * 1000 + k),
    )
    with_ts(
        "timestamps_microseconds.csv",
        "timestamp_microseconds",
        "error",
        False,
        lambda t, k: str(t * 1_000_000),
    )
    with_ts(
        "timestamps_negative.csv",
        "timestamp_negative",
        "error",
        False,
        lambda t, k: str(-t) if k % 10 == 3 else str(t),
    )
    with_ts(
        "timestamps_future.csv",
        "timestamp_future",
        "warning",
        False,
        lambda t, k: str(4_102_444_800 + k) if k % 8 == 0 else str(t),
    )
    with_ts(
        "timestamps_identical.csv", "timestamps_identical", "warning", False, lambda t, k: str(T0)
    )
    with_ts(
        "timestamp_not_a_number.csv",
        "timestamp_not_a_number",
        "error",
        True,
        lambda t, k: "2024-03-05 10:00:00" if k % 9 == 2 else str(t),
    )
    with_ts(
        "timestamp_decimal.csv",
        "timestamp_not_integer",
        "error",
        True,
        lambda t, k: f"{t}.5" if k % 6 == 1 else str(t),
    )
    with_ts(
        "timestamps_old_tail.csv",
        "timestamps_old_tail",
        "warning",
        False,
        lambda t, k: str(t - 9 * 365 * 86_400) if k in (4, 17) else str(t),
    )
    with_ts(
        "timestamps_mostly_future.csv",
        "timestamps_mostly_future",
        "error",
        False,
        lambda t, k: str(t + 76 * 365 * 86_400) if k % 4 else str(t),  # 3 in 4 rows in 2100
    )
    with_ts(
        "timestamps_decades_apart.csv",
        "timestamps_decades_apart",
        "error",
        False,
        lambda t, k: str(t - 30 * 365 * 86_400) if k % 10 < 3 else str(t),  # 3 in 10: 1994
    )

    def with_row(name: str, code: str, severity: str, blocks: bool, fn: object) -> None:
        rows = [fn(r[:], k) for k, r in enumerate(base)]  # type: ignore[operator]
        write(add(name, "interactions", code, severity, blocks), HEADER, rows)

    def set_col(col: int, value: str, every: int) -> object:
        def fn(r: list[str], k: int) -> list[str]:
            if k % every == 1:
                r[col] = value
            return r

        return fn

    with_row(
        "event_value_non_numeric.csv",
        "event_value_non_numeric",
        "error",
        True,
        set_col(4, "high", 7),
    )
    with_row("id_300_chars.csv", "id_too_long", "error", True, set_col(1, "x" * 300, 11))
    with_row(
        "id_formula.csv",
        "id_formula",
        "warning",
        False,
        set_col(0, '=HYPERLINK("http://x.test","u")', 9),
    )
    with_row("id_whitespace.csv", "id_whitespace", "warning", False, set_col(0, " u3 ", 8))
    with_row("empty_user_id.csv", "id_empty", "error", True, set_col(0, "", 10))
    with_row(
        "column_mostly_empty.csv",
        "column_mostly_empty",
        "warning",
        False,
        lambda r, k: r[:4] + ([r[4]] if k % 5 == 0 else [""]),
    )
    with_row(
        "meaningless_event_types.csv",
        "event_type_meaningless",
        "warning",
        False,
        lambda r, k: r[:3] + [["click", "undefined", "0"][k % 3]] + r[4:],
    )
    eleven = [f"type_{j}" for j in range(11)]
    with_row(
        "eleven_event_types.csv",
        "too_many_event_types",
        "error",
        False,
        lambda r, k: r[:3] + [eleven[k % 11]] + r[4:],
    )
    write(
        add("duplicate_rows.csv", "interactions", "duplicate_rows", "warning", False),
        HEADER,
        base + base[5:9],
    )
    write(
        add("too_few_interactions.csv", "interactions", "too_few_interactions", "error", True),
        HEADER,
        events(40, 20)[:999],
    )
    write(
        add("too_few_users_with_two.csv", "interactions", "too_few_users_with_two", "error", False),
        HEADER,
        events(20, 50),
    )
    write(
        add(
            "single_interaction_users.csv",
            "interactions",
            "users_single_interaction",
            "warning",
            False,
        ),
        HEADER,
        events(40, 1) + events(5, 4, seed=9),
    )
    write(
        add(
            "items_missing_from_items_file.csv",
            "interactions",
            "items_missing_from_items_file",
            "warning",
            False,
        ),
        HEADER,
        [r[:1] + ([f"x{k}"] if k % 6 == 0 else r[1:2]) + r[2:] for k, r in enumerate(base)],
    )
    genres = "Action|Comedy"
    write(
        add("items_categorical_too_long.csv", "items", "categorical_too_long", "error", True),
        ["ITEM_ID", "GENRES", "PRICE"],
        [[f"i{i}", "Drama " * 200 if i == 3 else genres, "1.50"] for i in range(10)],
    )
    many = "|".join(f"tag{j}" for j in range(40))
    write(
        add(
            "items_too_many_categories.csv",
            "items",
            "categorical_too_many_values",
            "warning",
            False,
        ),
        ["ITEM_ID", "GENRES", "PRICE"],
        [[f"i{i}", many if i % 3 == 0 else genres, "1.50"] for i in range(10)],
    )
    write(
        add("items_no_metadata.csv", "items", "missing_metadata_column", "error", True),
        ["ITEM_ID"],
        [[f"i{i}"] for i in range(10)],
    )
    write(
        add("items_price_mostly_empty.csv", "items", "column_mostly_empty", "warning", False),
        ["ITEM_ID", "GENRES", "PRICE"],
        [[f"i{i}", genres, "" if i % 4 else "3.0"] for i in range(12)],
    )
    write(
        add("users_duplicate_ids.csv", "users", "duplicate_ids", "warning", False),
        ["USER_ID", "MEMBERSHIP"],
        [[f"u{i % 7}", "gold"] for i in range(10)],
    )
    return manifest


def main() -> None:
    good()
    manifest = bad()
    with (BAD / "MANIFEST.csv").open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "dataset_type", "expected_code", "severity", "blocks_import"])
        for name, kind, code, severity, blocks in manifest:
            w.writerow([name, kind, code, severity, str(blocks).lower()])
    print(f"{len(manifest)} bad files, manifest at {BAD / 'MANIFEST.csv'}")


if __name__ == "__main__":
    main()
