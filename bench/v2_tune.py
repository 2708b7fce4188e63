"""v2 tuned on bench/quality's validation split, beside the baselines tuned there in one run.

Run: OPENBLAS_NUM_THREADS=1 XLA_FLAGS="--xla_cpu_multi_thread_eigen=false
     intra_op_parallelism_threads=1" nice -n 10 .venv/bin/python bench/v2_tune.py --data shop
     [--trials 12] [--cap 600] [--baselines NAME,...]

The split is the one every baseline of ``bench/quality.py`` is tuned on: the test users of the
reported split seeds 42-44 removed (``quality.tuning_data``), then ``metrics.split_users`` with
``quality.VALIDATION_SEED`` makes 10 % of the rest validation users (newest 10 % truth, the
older 90 % handed over as history, never trained on), the others trained on whole. The
reported seeds are never used here.

The baselines are tuned first, exactly as ``quality.tune`` tunes them for the 3-seed table
(EASE's λ grid widened past its edge, ALS, cosine and the transitions coordinate-wise; about
70 fits on the generated shop), and their best validation NDCG@10 is what v2's trials are
divided by. Then v2 gets the same kind of search with a trial budget (``--trials``, defaults
included): one pass of coordinate search from v2's defaults over ``GRID``, each coordinate's
values tried with the others held and a value kept when it scores higher, as
``quality._coordinate`` searches the baselines (``--grid`` JSON replaces ``GRID``). A
coordinate sets v2 hyperparameters (Personalize's string map, lower case) or training
constants of ``_sasrec_train`` (upper case, e.g. ``LEARNING_RATE``;
``v2_validation.set_constants``). Every trial is one fit (seed 0)
in a freshly spawned interpreter, bounded by ``V2_EPOCHS`` epochs unless it sets ``epochs``,
with early stopping as v2's, and capped at ``--cap`` seconds of training
(``max_training_seconds``: a trial that reaches it keeps its best epoch so far and the table
says "time_budget"). Each model's list is chosen as ``quality`` chooses it: history items
served or left out, the better on the split.

Printed: one line per trial as it ends; then a table of the trials with each one's NDCG@10
(both lists), its difference from the defaults on the chosen list with the paired standard
error over the validation users (the noise a difference must clear), epochs run and best,
the stop reason, the fit's seconds and its ratio to the best order-agnostic and order-aware
baselines; then the baselines' rows (settings, fits, NDCG@10).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality  # noqa: E402
import v2_validation  # noqa: E402

from services.local.models import metrics  # noqa: E402
from services.local.models.recipes import RECIPES  # noqa: E402
from services.local.models.recipes.base import TrainingConfig, TrainingData  # noqa: E402
from services.local.models.training import check_minimums  # noqa: E402

REPORTED_SEEDS = (42, 43, 44)
V2 = "aws-user-personalization-v2"
# Coordinates in the order they are searched; each value is a set of overrides. Learning rate
# and dropout are training constants (Personalize's v2 lists no such hyperparameters);
# negative_samples is one within its described range [1, 2048]; gBCE is gSASRec's loss with
# its uniform negatives and calibration t (``_sasrec_train.gbce_loss``).
# The epoch cap comes after the others, so most trials cost the bench's 20 epochs.
GRID: list[tuple[str, list[dict[str, str]]]] = [
    ("learning rate", [{"LEARNING_RATE": "0.0015"}, {"LEARNING_RATE": "0.006"}]),
    ("dropout", [{"DROPOUT": "0.1"}, {"DROPOUT": "0.35"}]),
    ("negatives", [{"negative_samples": "128"}, {"negative_samples": "1024"}]),
    ("epochs", [{"epochs": "40"}]),
    ("loss", [{"LOSS": "gbce", "GBCE_T": "0.75"}]),
]


def trial(path: str, settings: dict[str, str], cap: float) -> dict[str, Any]:
    """In a fresh interpreter: one v2 fit on the tuning split of the interactions at ``path``
    with ``settings`` (upper-case names are training constants, the rest hyperparameters),
    scored on its validation users; per-user NDCG@10 of both lists (NaN without truth)."""
    constants = [f"{k}={v}" for k, v in settings.items() if k.isupper()]
    if unknown := v2_validation.set_constants(constants):
        raise ValueError(f"no v2 training constant {unknown}")
    hp = {**quality.V2_BENCH, "max_training_seconds": str(cap)}
    hp |= {k: v for k, v in settings.items() if not k.isupper()}
    val = metrics.split_users(TrainingData(pd.read_parquet(path)), quality.VALIDATION_SEED)
    t = time.perf_counter()
    model = RECIPES[V2].fit(val.train, TrainingConfig(seed=0, hyperparameters=hp))
    secs = time.perf_counter() - t

    def per_user(m: Any) -> list[float]:
        lists = metrics.recommend_for_split(m, val, 10)
        return [
            metrics.ndcg_at_k(r, truth, 10) if truth else math.nan
            for r, truth in zip(lists, val.truths, strict=True)
        ]

    report = dict(model.training)
    return {
        "served": per_user(model),
        "left_out": per_user(quality.Excluding(model)),
        "secs": secs,
        "epochs_run": report.get("epochs_run"),
        "best_epoch": report.get("best_epoch"),
        "stopped": report.get("stopped"),
    }


def in_child(path: str, settings: dict[str, str], cap: float) -> dict[str, Any]:
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(trial, (path, settings, cap))


def chosen(r: dict[str, Any]) -> tuple[str, float]:
    """The list ``quality`` would serve for this fit and its NDCG@10."""
    served, left = float(np.nanmean(r["served"])), float(np.nanmean(r["left_out"]))
    return ("left_out", left) if left > served else ("served", served)


def paired(r: dict[str, Any], base: dict[str, Any], lists: str) -> tuple[float, float]:
    """Mean per-user difference of ``r`` from ``base`` on ``lists`` and its standard error."""
    d = np.asarray(r[lists]) - np.asarray(base[lists])
    d = d[~np.isnan(d)]
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(len(d)))


def search(
    path: str, grid: list[tuple[str, list[dict[str, str]]]], budget: int, cap: float
) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """One pass of coordinate search over ``grid`` from the defaults, at most ``budget`` fits."""
    done: list[tuple[dict[str, str], dict[str, Any]]] = []

    def run(settings: dict[str, str]) -> float:
        r = in_child(path, settings, cap)
        done.append((settings, r))
        lists, value = chosen(r)
        print(
            f"  trial {len(done)} {settings or 'defaults'}: NDCG@10 {value:.4f} ({lists}), "
            f"epochs {r['epochs_run']} (best {r['best_epoch']}, {r['stopped']}), "
            f"{r['secs']:.0f} s",
            flush=True,
        )
        return value

    best: dict[str, str] = {}
    best_value = run({})
    for _, options in grid:
        for option in options:
            if len(done) >= budget:
                return done
            cand = {**best, **option}
            value = run(cand)
            if value > best_value:
                best, best_value = cand, value
    return done


def print_tables(
    done: list[tuple[dict[str, str], dict[str, Any]]], baselines: dict[str, tuple[Any, float, int]]
) -> None:
    agnostic = max(((v, n) for n, (_, v, _) in baselines.items() if n not in quality.ORDER_AWARE))
    aware = max(((v, n) for n, (_, v, _) in baselines.items() if n in quality.ORDER_AWARE))
    base = done[0][1]
    head = [
        "trial",
        "settings (changes from v2's defaults)",
        "served",
        "left out",
        "Δ vs defaults ± SE",
        "epochs run (best)",
        "stopped",
        "fit s",
        f"× {agnostic[1]}",
        f"× {aware[1]}",
    ]
    print("\n| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    best_i = max(range(len(done)), key=lambda i: chosen(done[i][1])[1])
    for i, (settings, r) in enumerate(done):
        lists, value = chosen(r)
        diff, se = paired(r, base, lists)
        name = ", ".join(f"{k} {v}" for k, v in settings.items()) or "defaults"
        mark = " (best)" if i == best_i else ""
        cells = [
            f"{i + 1}{mark}",
            name,
            f"{np.nanmean(r['served']):.4f}",
            f"{np.nanmean(r['left_out']):.4f}",
            f"{diff:+.4f} ± {se:.4f}",
            f"{r['epochs_run']} ({r['best_epoch']})",
            str(r["stopped"]),
            f"{r['secs']:.0f}",
            f"{value / agnostic[0]:.2f}",
            f"{value / aware[0]:.2f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print("\n| baseline | tuned settings | fits | NDCG@10 |\n|---|---|---|---|")
    for name, (settings, value, fits) in baselines.items():
        print(f"| {name} | {settings} | {fits} | {value:.4f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", choices=["ml", "shop"], required=True)
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--cap", type=float, default=600.0, help="training seconds per trial")
    parser.add_argument("--baselines", default=",".join(sorted(quality.BASELINES)))
    # another grid, as JSON: [["name", [{"NAME_OR_hp": "value", ...}, ...]], ...]
    parser.add_argument("--grid", type=json.loads, default=GRID)
    args = parser.parse_args()
    data = quality.load_movielens() if args.data == "ml" else quality.generate_shop(100_000, seed=0)
    if data is None:
        return
    tuning = quality.tuning_data(check_minimums(data, TrainingConfig()), REPORTED_SEEDS)
    val = metrics.split_users(tuning, quality.VALIDATION_SEED)
    print(
        f"{args.data}: {tuning.interactions.USER_ID.nunique():,} users without a reported test "
        f"user, {len(val.test_users)} validation users",
        flush=True,
    )
    log: list[str] = []
    t = time.perf_counter()
    names = args.baselines.split(",")
    settings = quality.tune(val, log, names)
    baselines = {
        n: (p, quality.validation_score(n, p), sum(f"    {n} {{" in line for line in log))
        for n, p in settings.items()
    }
    print(f"baselines tuned in {time.perf_counter() - t:.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "tuning.parquet")
        tuning.interactions.to_parquet(path)
        done = search(path, args.grid, args.trials, args.cap)
    print_tables(done, baselines)


if __name__ == "__main__":
    main()
