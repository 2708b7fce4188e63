"""Items filters on the other paths that filter: GetPersonalizedRanking, a promotion whose
filter is on Items, and GetRecommendations scanning a model without an index, before and
after a change, each in a clean child process, at a large synthetic catalogue (issue #24).

Run: OPENBLAS_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/items_filter_paths.py
         --before DIR [--items N] [--requests N] [--rounds N] [--rows TEXT ...]

``DIR`` is a checkout of the code to compare with (e.g. ``git archive <commit> | tar -x -C
DIR``); this checkout is the "after". Each child builds ``bench/items_filter.py``'s seeded shop
(its factors, Items table, users' histories and in-memory engine) and serves ``--requests``
distinct users after 50 warm-up requests per row of ``ROWS``: through ``scoring.rank`` (the
engine's GetPersonalizedRanking) with 25 or 500 input items drawn per user, and through
``scoring.recommend`` with a promotion (its filter given as the dashboard's preview document,
so no filter resource is read) or on the same model without its index (every item scored,
as for a catalogue too small for one). The filterValues of a user are drawn by the user's
rank, as in ``bench/items_filter.py``. The answers of before and after are compared item for
item (ranking: order; recommendations: items and reasons). Each child also reports its peak
resident memory and what the model's cache of filter answers holds at the end
(``SelectionCache``; the "before" code's cache, which only the norm-ordered path filled, is
empty here).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.items_filter import (  # noqa: E402
    N_L1,
    WARM,
    engine_for,
    median_over_rounds,
    paired_rounds,
    shop,
)

K = 25
ONE_CATEGORY = (
    "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY) | "
    "EXCLUDE ItemID WHERE Items.PRICE >= $MAX"
)
PRICE_RANGE = "EXCLUDE ItemID WHERE Items.PRICE >= $LO AND Items.PRICE < $HI"
NOT_BOUGHT = (
    "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY) | "
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")'
)


def _category(k: int) -> dict[str, str]:
    return {"CATEGORY": f'"c{k % N_L1}"', "MAX": '"100000"'}


def _range(k: int) -> dict[str, str]:
    return {"LO": '"10000"', "HI": '"40000"'}


# (label, path, expression, filterValues by user rank, input items or promoted percent)
ROWS: tuple[tuple[str, str, str, Callable[[int], dict[str, str]], int], ...] = (
    ("ranking of 25, one category of 36 less the dearest", "rank", ONE_CATEGORY, _category, 25),
    ("ranking of 500, one category of 36 less the dearest", "rank", ONE_CATEGORY, _category, 500),
    ("ranking of 500, a price range left out", "rank", PRICE_RANGE, _range, 500),
    ("promotion of 20 %: one category of 36", "promote", ONE_CATEGORY, _category, 20),
    ("promotion of 20 %: a price range left out", "promote", PRICE_RANGE, _range, 20),
    ("full scan, one category of 36 less the dearest", "scan", ONE_CATEGORY, _category, 0),
    ("full scan, one category of 36 less purchases", "scan", NOT_BOUGHT, _category, 0),
)


def _request(
    engine: Any,  # noqa: ANN401 (the engine's duck type)
    loaded: Any,  # noqa: ANN401
    path: str,
    expression: str,
    values: dict[str, str],
    size: int,
    user: int,
    n_items: int,
) -> list[Any]:
    """One request of a row, its answer as comparable lists."""
    from services.local.runtime import scoring

    user_id = f"u{user:07d}"
    doc = {"name": "f", "filterExpression": expression}
    if path == "rank":
        inputs = np.random.default_rng(user).choice(n_items, size, replace=False)
        ranked = scoring.rank(
            engine, loaded, user_id, [f"i{k:07d}" for k in inputs], doc, values
        )  # fmt: skip
        return [r["itemId"] for r in ranked]
    if path == "promote":
        promotion = {"name": "p", "percentPromotedItems": size,
                     scoring.PREVIEW_FILTER: doc, "filterValues": values}  # fmt: skip
        items = scoring.recommend(engine, loaded, user_id=user_id, item_id=None,
                                  num_results=K, promotions=[promotion])  # fmt: skip
    else:
        items = scoring.recommend(engine, loaded, user_id=user_id, item_id=None,
                                  num_results=K, filter_doc=doc, filter_values=values)  # fmt: skip
    return [[i["itemId"], i.get("reason")] for i in items]


def serve(n_items: int, requests: int, lists: Path, rows: list[str]) -> dict[str, Any]:
    """Build the shop and serve each of ``rows`` (labels of ``ROWS``) to ``requests`` users:
    per row the p50 and p99 of the whole request (ms); the peak memory and the filter
    cache's size."""
    import resource

    from services.local.runtime.model_cache import LoadedModel

    t = time.perf_counter()
    n_users = WARM + requests
    data = shop(n_items, n_users)
    built = time.perf_counter() - t
    engine = engine_for(data)
    model = data["model"]
    loaded = {
        path: LoadedModel(
            arn=f"arn:aws:personalize:us-east-1:000000000000:solution/bench/{path}",
            group="arn:aws:personalize:us-east-1:000000000000:dataset-group/bench",
            recipe_name="aws-user-personalization",
            recipe_type="USER_PERSONALIZATION",
            # the scan's model keeps no index: every request scores every item
            model=replace(model, retrieval=None) if path == "scan" else model,
            index=model.item_index,
        )
        for path in ("rank", "promote", "scan")
    }
    out: dict[str, Any] = {"build_s": built, "rows": {}}
    served: dict[str, list[Any]] = {}
    for label, path, expression, values, size in ROWS:
        if label not in rows:
            continue
        for k in range(WARM):  # the first requests prepare the columns and caches
            _request(engine, loaded[path], path, expression, values(k), size, k, n_items)
        times, got = [], []
        for k in range(WARM, n_users):
            t = time.perf_counter()
            answer = _request(engine, loaded[path], path, expression, values(k), size, k, n_items)
            times.append(time.perf_counter() - t)
            got.append(answer)
        served[label] = got
        out["rows"][label] = {
            "p50": float(np.percentile(times, 50)) * 1e3,
            "p99": float(np.percentile(times, 99)) * 1e3,
        }
    lists.write_text(json.dumps(served))
    caches = getattr(engine.models, "_selections", {})
    out["cache_mib"] = {
        path: sum(s.nbytes for s in caches[m.arn][1]._kept.values()) / 2**20
        for path, m in loaded.items()
        if m.arn in caches
    }
    out["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="checkout of the code before the change")
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each, in turn")
    parser.add_argument("--out", type=Path, default=Path("/tmp/items-filter-paths"))
    parser.add_argument(
        "--rows", nargs="+", help="serve only the rows whose label holds one of these texts"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        code, n_items, requests, lists, rows = args.child
        sys.path.insert(0, code)
        print(json.dumps(serve(int(n_items), int(requests), Path(lists), json.loads(rows))))
        return
    if args.before is None:
        parser.error("--before DIR is required")
    chosen = [row for row, *_ in ROWS if args.rows is None or any(t in row for t in args.rows)]
    results, before, after = paired_rounds(
        args.before,
        args.out,
        args.rounds,
        lambda lists: (str(args.items), str(args.requests), str(lists), json.dumps(chosen)),
        Path(__file__),
    )
    print(f"{args.items:,} items × 64, {args.requests:,} users after {WARM} warm-up, "
          f"{args.rounds} round(s); p50 / p99 the median over rounds")  # fmt: skip
    print("| request | answers identical | before p50 / p99 ms | after p50 / p99 ms | "
          "p50 after / before | p99 after / before |")  # fmt: skip
    print("|---|---|---|---|---|---|")

    for row in chosen:
        b50, b99, a50, a99 = (
            median_over_rounds(results, c, row, q)
            for c in ("before", "after")
            for q in ("p50", "p99")
        )
        print(f"| {row} | {before[row] == after[row]} | {b50:.2f} / {b99:.2f} | "
              f"{a50:.2f} / {a99:.2f} | {a50 / b50:.2f}× | {a99 / b99:.2f}× |")  # fmt: skip
    for label in results:
        last = results[label][-1]
        cache = ", ".join(f"{p} {v:.1f}" for p, v in last["cache_mib"].items()) or "none"
        print(f"{label}: peak {last['peak_gib']:.2f} GiB; filter cache MiB per model: {cache}; "
              f"shop built in {last['build_s']:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
