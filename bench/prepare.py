"""Benchmark: preparing a raw export vs pandas.read_csv + to_csv of the same file.

    .venv/bin/python bench/prepare.py [--rows 5000000] [--seed 0] [--keep]

Generates a seeded raw orders export in a temp dir (Korean headers 회원ID, 상품코드, 주문일시,
구분, 수량; local date-time text; event codes 1/2/3; a few rows with an empty member ID),
then runs each step in a fresh subprocess and reports wall time and peak RSS (the child's
ru_maxrss): the baseline ``pd.read_csv(raw)`` + ``df.to_csv(out)``, and
``services.prepare.convert`` with the mapping ``suggest_mapping`` proposes (timezone
Asia/Seoul, event codes mapped), then the readiness check of the prepared file.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.readiness import arguments, generate_in_child, run  # noqa: E402

BASELINE = """
import sys, time, resource, pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1])
df.to_csv(sys.argv[2], index=False)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(df))
"""

CONVERT = """
import sys, time, resource
from services.prepare import convert, parse_mapping, suggest_mapping
s = suggest_mapping(sys.argv[1], "interactions", timezone="Asia/Seoul")
doc = s.mapping.to_dict()
for f in doc["fields"]:
    if f["name"] == "EVENT_TYPE":
        f["values"] = {"1": "View", "2": "AddToCart", "3": "Purchase"}
mapping = parse_mapping(doc)
t = time.perf_counter()
r = convert(sys.argv[1], mapping, sys.argv[2])
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(time.perf_counter() - t, rss, r.rows_written, r.rows_rejected, r.layout.encoding)
"""

CHECK = """
import sys, time, resource
from services.readiness import check_file
t = time.perf_counter()
r = check_file(sys.argv[2], "interactions")
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(time.perf_counter() - t, rss, r.summary.rows, ",".join(r.codes) or "-")
"""


def generate(path: Path, rows: int, seed: int) -> None:
    """Seeded raw export; 1 row in 10,000 has an empty member ID (a reject)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    chunk = 1_000_000
    users = max(rows // 25, 100)
    items = max(rows // 50, 100)
    with path.open("w", encoding="utf-8") as f:
        f.write("주문번호,회원ID,상품코드,주문일시,구분,수량\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            member = np.char.add("M", (rng.zipf(1.3, n) % users).astype(str))
            member[rng.random(n) < 1e-4] = ""
            stamps = pd.to_datetime(1_704_067_200 + rng.integers(0, 365 * 86_400, n), unit="s")
            df = pd.DataFrame(
                {
                    "주문번호": np.arange(start, start + n),
                    "회원ID": member,
                    "상품코드": np.char.add("P", (rng.zipf(1.2, n) % items).astype(str)),
                    "주문일시": stamps.strftime("%Y-%m-%d %H:%M:%S"),
                    "구분": rng.integers(1, 4, n),
                    "수량": rng.integers(1, 5, n),
                }
            )
            df.to_csv(f, header=False, index=False)


def main() -> None:
    args = arguments(__doc__)
    if args.generate:
        generate(args.generate, args.rows, args.seed)
        return
    tmp = Path(tempfile.mkdtemp(prefix="prepare-bench-"))
    raw, base_out, out = tmp / "orders.csv", tmp / "baseline.csv", tmp / "interactions.csv"
    gen = generate_in_child(__file__, raw, args)
    size = raw.stat().st_size / 2**20
    base_s, base_rss, base_info = run(BASELINE, raw, base_out)
    conv_s, conv_rss, conv_info = run(CONVERT, raw, out)
    check_s, check_rss, check_info = run(CHECK, raw, out)
    print(f"\n{args.rows:,} rows, {size:,.0f} MiB raw export, seed {args.seed}\n")
    print("| step | seconds | peak RSS (MiB) |\n|---|---:|---:|")
    for name, s, rss in (
        ("generate raw export", gen, float("nan")),
        ("pandas.read_csv + to_csv (baseline)", base_s, base_rss),
        ("prepare convert (suggested mapping)", conv_s, conv_rss),
        ("readiness check of the prepared file", check_s, check_rss),
    ):
        print(f"| {name} | {s:.2f} | {rss:,.0f} |")
    print(f"| ratio convert / baseline | {conv_s / base_s:.2f}x | {conv_rss / base_rss:.2f}x |")
    print(f"\nbaseline rows: {base_info}; convert written/rejected/encoding: {conv_info}")
    print(f"check rows, findings: {check_info}")
    print(
        json.dumps(
            {
                "rows": args.rows,
                "baseline_s": base_s,
                "convert_s": conv_s,
                "check_s": check_s,
                "baseline_rss_mib": base_rss,
                "convert_rss_mib": conv_rss,
            }
        )
    )
    if args.keep:
        print(f"kept {tmp}")
    else:
        for p in (raw, base_out, out):
            p.unlink(missing_ok=True)
        out.with_suffix(".rejects.csv").unlink(missing_ok=True)
        tmp.rmdir()


if __name__ == "__main__":
    main()
