"""Benchmark: readiness check vs pandas.read_csv(engine="pyarrow") on one interactions CSV.

    .venv/bin/python bench/readiness.py [--rows 5000000] [--seed 0] [--keep]

Generates a seeded interactions CSV in a temp dir (generation timed separately), then runs
each reader in a fresh subprocess and reports wall time and peak RSS (ru_maxrss of the child).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

READ_CSV = """
import sys, time, pandas as pd
t = time.perf_counter()
df = pd.read_csv(sys.argv[1], engine="pyarrow")
import resource
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, len(df))
"""

CHECK = """
import sys, time
from services.readiness import check_file
t = time.perf_counter()
r = check_file(sys.argv[1], "interactions", now=1_735_689_600)
import resource
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(time.perf_counter() - t, rss, r.summary.rows, ",".join(r.codes))
"""


def generate(path: Path, rows: int, seed: int) -> None:
    """Seeded interactions: Zipf-ish users and items, 2 years of timestamps, 4 event types.

    Runs in its own process (see main) so the parent's memory doesn't leak into the
    children's ru_maxrss, which Linux carries over across fork.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    chunk = 1_000_000
    users = max(rows // 25, 100)
    items = max(rows // 50, 100)
    types = np.array(["click", "view", "add_to_cart", "purchase"])
    with path.open("w") as f:
        f.write("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            df = pd.DataFrame(
                {
                    "USER_ID": np.char.add("user_", (rng.zipf(1.3, n) % users).astype(str)),
                    "ITEM_ID": np.char.add("item_", (rng.zipf(1.2, n) % items).astype(str)),
                    "TIMESTAMP": 1_672_531_200 + rng.integers(0, 2 * 365 * 86_400, n),
                    "EVENT_TYPE": types[rng.integers(0, 4, n)],
                    "EVENT_VALUE": np.round(rng.uniform(0, 5, n), 1),
                }
            )
            df.to_csv(f, header=False, index=False)


def run(code: str, *paths: Path) -> tuple[float, float, str]:
    """Run `code` with `paths` as arguments in a fresh interpreter; (seconds inside, its peak
    RSS in MiB, output).

    The child reports its own ru_maxrss (RUSAGE_SELF, KiB on Linux): RUSAGE_CHILDREN would
    give the maximum over all children so far, hiding a smaller second run.
    """
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, paths)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1]) / 1024, " ".join(out[2:])


def arguments(doc: str | None) -> argparse.Namespace:
    """--rows, --seed, --keep (and the hidden --generate PATH of the child that writes it)."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="print the path(s) and keep them")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def generate_in_child(script: str, path: Path, args: argparse.Namespace) -> float:
    """Seconds for ``script --generate path`` in its own process (see ``generate``)."""
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, script, "--generate", str(path)]
        + ["--rows", str(args.rows), "--seed", str(args.seed)],
        check=True,
    )
    return time.perf_counter() - t


def main() -> None:
    args = arguments(__doc__)
    if args.generate:
        generate(args.generate, args.rows, args.seed)
        return
    tmp = tempfile.mkdtemp(prefix="readiness-bench-")
    path = Path(tmp) / "interactions.csv"
    gen = generate_in_child(__file__, path, args)
    size = path.stat().st_size / 2**20
    check_s, check_rss, check_out = run(CHECK, path)
    read_s, read_rss, read_out = run(READ_CSV, path)
    rows = [
        ("generate CSV", gen, float("nan")),
        ('pandas.read_csv(engine="pyarrow")', read_s, read_rss),
        ("readiness check_file", check_s, check_rss),
    ]
    print(f"\n{args.rows:,} rows, {size:,.0f} MiB, seed {args.seed}\n")
    print("| step | seconds | peak RSS (MiB) |\n|---|---:|---:|")
    for name, s, rss in rows:
        print(f"| {name} | {s:.2f} | {rss:,.0f} |")
    print(f"| ratio check / read_csv | {check_s / read_s:.2f}x | {check_rss / read_rss:.2f}x |")
    print(f"\nread_csv rows: {read_out}; check: {check_out}")
    print(
        json.dumps(
            {
                "rows": args.rows,
                "read_s": read_s,
                "check_s": check_s,
                "read_rss_mib": read_rss,
                "check_rss_mib": check_rss,
            }
        )
    )
    if args.keep:
        print(f"kept {path}")
    else:
        path.unlink()
        Path(tmp).rmdir()


if __name__ == "__main__":
    main()
