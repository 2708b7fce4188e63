"""GetRecommendations with an Items (metadata) filter on a large synthetic catalogue, before
and after a change, each in a clean child process, with the time of each stage (issue #24).

Run: OPENBLAS_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/items_filter.py --before DIR
         [--items N] [--requests N] [--rounds N]

``DIR`` is a checkout of the code to compare with (e.g. ``git worktree add /tmp/before next``);
this checkout is the "after". Each child builds the same seeded shop in memory, without the
×10 shop's 15 GiB: ``--items`` × 64 float32 ALS factors whose norms spread like the ×10
model's (log-normal around 0.044 with a Pareto tail of 0.5 % of the items up to 93, as
``bench/index_study.synthetic``), kept in descending order of norm and searched by the exact
``NormOrderedIndex`` as the served model does; an Items table with CATEGORY_L1 (36 categories
of even size, as ``bench/seed_shop`` draws them), CATEGORY_L2 (200 categories of Zipf sizes:
the largest 17 % of the items, the smallest 0.09 %) and PRICE (``seed_shop``'s log-normal
prices); users whose 10-item histories are drawn by popularity (which follows the norm, as
ALS learns it), each with a Purchase among Views. It then serves ``--requests`` distinct users
after 50 warm-up requests through ``scoring.recommend``, the engine's GetRecommendations path
(the model cache's Items columns, the candidate index, exploration, the softmax), with each
filter of ``FILTERS``; the filterValues of a user are drawn by the user's rank. The stages are
timed by wrapping the functions that do them (``STAGES``; "rest" is the remainder: the
history, the user vector, the softmax, exploration). The lists of before and after are
compared item for item. Only the engine's SQLite is real (empty: no streamed events); the
Items and Users frames and the histories come from the generator instead of files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.index_memory import child  # noqa: E402

DIM, HIST, K, WARM = 64, 10, 25, 50
START = 1_700_000_000  # the shop's latest event, epoch seconds
N_L1, N_L2 = 36, 200
FILTERS: tuple[tuple[str, str | None, Callable[[int], dict[str, str]]], ...] = (
    ("no filter", None, lambda k: {}),
    (
        "one category of 36, the dearest left out",
        "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY) | "
        "EXCLUDE ItemID WHERE Items.PRICE >= $MAX",
        lambda k: {"CATEGORY": f'"c{k % N_L1}"', "MAX": '"100000"'},
    ),
    (
        "a price range left out",
        "EXCLUDE ItemID WHERE Items.PRICE >= $LO AND Items.PRICE < $HI",
        lambda k: {"LO": '"10000"', "HI": '"40000"'},
    ),
    (
        "one category of 200 (Zipf sizes)",
        "INCLUDE ItemID WHERE Items.CATEGORY_L2 IN ($CATEGORY)",
        lambda k: {"CATEGORY": f'"z{k % N_L2}"'},
    ),
    (
        "one category of 36, purchased items left out",
        "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY) | "
        'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("Purchase")',
        lambda k: {"CATEGORY": f'"c{k % N_L1}"'},
    ),
)
# (label, module, attribute path) of the functions whose time is a stage; a stage whose
# function a checkout lacks is 0 there
NORM = "services.local.models.recipes.retrieval.norm_ordered"
UP = "services.local.models.recipes.users._up_model"
STAGES = (
    ("filter", "services.local.runtime.scoring", "_filter_mask"),
    ("filter", "services.local.runtime.scoring", "_filter_allowed"),
    ("filter", "services.local.runtime.scoring", "_allowed"),
    ("search", NORM, "NormOrderedIndex.search"),
    ("search", NORM, "NormOrderedIndex.search_rows"),
    ("user vector and scale", UP, "UserPersonalizationModel.scorer"),
    ("exact scores", UP, "CandidateScorer.at"),
    ("softmax", UP, "CandidateScorer.softmax_at"),
    ("exploration", "services.local.runtime.scoring", "_explore"),
    ("exploration", "services.local.models.ranking", "explore"),
    ("history", "services.local.runtime.scoring", "user_history"),
)  # fmt: skip


def factors(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` × 64 float32 rows: directions with a decaying spectrum, norms log-normal with
    median 0.044 and 0.5 % of them a Pareto tail from 0.2 capped at 93.3 (the ×10 model's
    quantiles; ``bench/index_study.synthetic``), drawn in blocks to stay within memory."""
    scale = (1 / np.sqrt(1 + np.arange(DIM) / 4)).astype(np.float32)
    x = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 1 << 16):
        stop = min(n, start + (1 << 16))
        d = rng.standard_normal((stop - start, DIM), dtype=np.float32) * scale
        x[start:stop] = d / np.linalg.norm(d, axis=1, keepdims=True)
    norm = 0.044 * np.exp(0.532 * rng.standard_normal(n))
    tail = rng.random(n) < 0.005
    norm[tail] = np.minimum(0.2 * (1 - rng.random(int(tail.sum()))) ** -1.506, 93.3)
    x *= norm[:, None].astype(np.float32)
    return x


def shop(n_items: int, n_users: int, new: float = 0.0) -> dict[str, Any]:
    """The seeded model, Items frame and histories (see the module doc)."""
    import pandas as pd
    import scipy.sparse as sp

    from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex
    from services.local.models.recipes.users._up_model import UPParams, UserPersonalizationModel

    rng = np.random.default_rng(0)
    x = factors(n_items, rng)
    norms = np.linalg.norm(x, axis=1)
    popularity = np.maximum(1.0, np.round(norms * 200 * rng.lognormal(0, 0.3, n_items)))
    index = NormOrderedIndex.build(x, np.arange(n_items))
    del x
    item_ids = np.array([f"i{k:07d}" for k in range(n_items)], dtype=object)
    p = popularity / popularity.sum()
    hist = rng.choice(n_items, size=(n_users, HIST), p=p)
    model = UserPersonalizationModel(
        recipe_name="aws-user-personalization",
        item_ids=item_ids,
        popularity=popularity,
        params=UPParams(history_length=HIST),
        neighbours=None,
        factors=index.vectors,
        transitions=sp.csr_matrix((n_items, n_items), dtype=np.float64),
        user_ids=np.array([f"u{k:07d}" for k in range(n_users)], dtype=object),
        user_histories=sp.csr_matrix(hist + 1),
        retrieval=index,
        factor_codes=index.codes,
    )
    zipf = 1 / np.arange(1, N_L2 + 1)
    items = pd.DataFrame(
        {
            "ITEM_ID": item_ids,
            "CATEGORY_L1": np.array([f"c{k}" for k in range(N_L1)], dtype=object)[
                np.sort(rng.integers(0, N_L1, n_items))
            ],
            "CATEGORY_L2": np.array([f"z{k}" for k in range(N_L2)], dtype=object)[
                rng.choice(N_L2, n_items, p=zipf / zipf.sum())
            ],
            "PRICE": np.round(np.exp(rng.normal(3.3, 1.0, size=n_items)) * 1000, -1),
            # up to two years before the latest event: no item is new enough to be explored,
            # as in ``seed_shop``'s catalogue (``new`` of them a week old: exploration's pool)
            "CREATION_TIMESTAMP": np.where(
                rng.random(n_items) < new,
                START - 7 * 86_400,
                START - 40 * 86_400 - rng.integers(0, 2 * 365 * 86_400, n_items),
            ),
        }
    )
    return {"model": model, "items": items, "hist": hist}


def engine_for(data: dict[str, Any]) -> Any:  # noqa: ANN401 (the engine's duck type)
    """An engine over ``data``: an in-memory SQLite with the interactions table (no streamed
    events) and a ``ModelCache`` whose Items, Users and creation times come from ``data``."""
    from types import SimpleNamespace

    import pandas as pd
    import sqlalchemy as sa

    from services.local.data.storage import tables as t
    from services.local.runtime.model_cache import ModelCache

    model, items, hist = data["model"], data["items"], data["hist"]
    created = items["CREATION_TIMESTAMP"].to_numpy(dtype=np.float64)
    users = pd.DataFrame({"USER_ID": pd.Series([], dtype=object)}).set_index("USER_ID", drop=False)

    class Histories:
        def latest(self, group: str, user: str, limit: int, conn: Any = None) -> list[Any]:  # noqa: ANN401
            row = hist[int(user[1:])]
            # the last item bought, the others viewed, a minute apart
            return [
                (str(model.item_ids[c]), "Purchase" if j == HIST - 1 else "View", START - 60 * j)
                for j, c in enumerate(row[::-1])
            ][::-1]

    class Cache(ModelCache):
        def items(self, group: str) -> pd.DataFrame:
            return items

        def users(self, group: str) -> pd.DataFrame:
            return users

        def creation_times(self, loaded: Any) -> tuple[np.ndarray, float]:  # noqa: ANN401
            return created, float(START)

    db = sa.create_engine("sqlite://")
    t.interactions.create(db)
    engine = SimpleNamespace(data_dir=Path("/tmp"), read_db=db, bulk=None, histories=Histories())
    engine.models = Cache(engine)  # type: ignore[arg-type]
    return engine


def _wrap(timers: dict[str, float]) -> None:
    """Time the ``STAGES`` functions this checkout has into ``timers`` (seconds, summed); a
    stage called inside another (the softmax's exact scores) counts as the outer one."""
    import functools
    import importlib

    depth = [0]

    for label, module, path in STAGES:
        owner: Any = importlib.import_module(module)
        *parents, name = path.split(".")
        for p in parents:
            owner = getattr(owner, p)
        fn = getattr(owner, name, None)
        if fn is None:
            continue

        def timed(*a: Any, _fn: Any = fn, _label: str = label, **kw: Any) -> Any:  # noqa: ANN401
            if depth[0]:
                return _fn(*a, **kw)
            depth[0] += 1
            t = time.perf_counter()
            try:
                return _fn(*a, **kw)
            finally:
                depth[0] -= 1
                timers[_label] = timers.get(_label, 0.0) + time.perf_counter() - t

        setattr(owner, name, functools.wraps(fn)(timed))


def serve(n_items: int, requests: int, lists: Path, new: float) -> dict[str, Any]:
    """Build the shop and serve each filter to ``requests`` users: per filter the p50 and
    p99 of the whole request and the mean of each stage (ms)."""
    from services.local.runtime import scoring
    from services.local.runtime.model_cache import LoadedModel

    t = time.perf_counter()
    n_users = WARM + requests
    data = shop(n_items, n_users, new)
    built = time.perf_counter() - t
    engine = engine_for(data)
    model = data["model"]
    loaded = LoadedModel(
        arn="arn:aws:personalize:us-east-1:000000000000:solution/bench/1",
        group="arn:aws:personalize:us-east-1:000000000000:dataset-group/bench",
        recipe_name="aws-user-personalization",
        recipe_type="USER_PERSONALIZATION",
        model=model,
        index=model.item_index,
    )
    timers: dict[str, float] = {}
    _wrap(timers)
    out: dict[str, Any] = {"build_s": built, "rows": {}}
    served: dict[str, list[list[str]]] = {}
    for label, expression, values in FILTERS:
        doc = None if expression is None else {"name": "f", "filterExpression": expression}
        for k in range(WARM):  # the first requests prepare the columns and caches
            scoring.recommend(engine, loaded, user_id=f"u{k:07d}", item_id=None, num_results=K,
                              filter_doc=doc, filter_values=values(k) or None)  # fmt: skip
        timers.clear()
        times, got = [], []
        for k in range(WARM, n_users):
            t = time.perf_counter()
            items = scoring.recommend(engine, loaded, user_id=f"u{k:07d}", item_id=None,
                                      num_results=K, filter_doc=doc,
                                      filter_values=values(k) or None)  # fmt: skip
            times.append(time.perf_counter() - t)
            got.append([i["itemId"] for i in items])
        served[label] = got
        stages = {s: 1e3 * v / requests for s, v in timers.items()}
        stages["rest"] = 1e3 * sum(times) / requests - sum(stages.values())
        out["rows"][label] = {
            "p50": float(np.percentile(times, 50)) * 1e3,
            "p99": float(np.percentile(times, 99)) * 1e3,
            "stages": stages,
            "short": sum(len(g) < K for g in got),
        }
    lists.write_text(json.dumps(served))
    return out


Results = dict[str, list[dict[str, Any]]]


def paired_rounds(
    before: Path, out: Path, rounds: int, run: Callable[[Path], tuple[str, ...]], script: Path
) -> tuple[Results, dict[str, Any], dict[str, Any]]:
    """``script``'s child run on the checkout ``before`` and on this one, in turn, ``rounds``
    times (a shared machine's load drifts); ``run(lists)`` gives a child's arguments, ``lists``
    the JSON file it writes its answers to (under ``out``). Returns each side's results, one
    per round, and the answers of each side's last round."""
    out.mkdir(parents=True, exist_ok=True)
    codes = {"before": before.resolve(), "after": ROOT}
    results: Results = {"before": [], "after": []}
    for _ in range(rounds):
        for label, code in codes.items():
            results[label].append(child(code, *run(out / f"{label}-lists.json"), script=script))
    answers = {label: json.loads((out / f"{label}-lists.json").read_text()) for label in codes}
    return results, answers["before"], answers["after"]


def median_over_rounds(results: Results, label: str, row: str, key: str) -> float:
    """The median over rounds of ``row``'s ``key`` (p50, p99) on side ``label``."""
    return float(np.median([r["rows"][row][key] for r in results[label]]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="checkout of the code before the change")
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each, in turn")
    parser.add_argument("--out", type=Path, default=Path("/tmp/items-filter"))
    parser.add_argument(
        "--new-items",
        type=float,
        default=0.0,
        help="share of the items a week old, which exploration draws from (default none)",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        code, n_items, requests, lists, new = args.child
        sys.path.insert(0, code)
        print(json.dumps(serve(int(n_items), int(requests), Path(lists), float(new))))
        return
    if args.before is None:
        parser.error("--before DIR is required")
    results, before, after = paired_rounds(
        args.before,
        args.out,
        args.rounds,
        lambda lists: (str(args.items), str(args.requests), str(lists), str(args.new_items)),
        Path(__file__),
    )
    print(f"{args.items:,} items × {DIM}, {args.requests:,} users after {WARM} warm-up, "
          f"{args.rounds} round(s); p50 / p99 the median over rounds")  # fmt: skip
    print("| filter | lists identical | before p50 / p99 ms | after p50 / p99 ms | p99 after / "
          "before | before stages ms (mean) | after stages ms (mean) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")

    def stages(label: str, row: str) -> str:
        s = results[label][-1]["rows"][row]["stages"]
        return ", ".join(f"{k} {v:.2f}" for k, v in sorted(s.items()))

    for row, _, _ in FILTERS:
        b50, b99, a50, a99 = (
            median_over_rounds(results, c, row, q)
            for c in ("before", "after")
            for q in ("p50", "p99")
        )
        print(f"| {row} | {before[row] == after[row]} | {b50:.2f} / {b99:.2f} | "
              f"{a50:.2f} / {a99:.2f} | {a99 / b99:.2f}× | {stages('before', row)} | "
              f"{stages('after', row)} |")  # fmt: skip


if __name__ == "__main__":
    main()
