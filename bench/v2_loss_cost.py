"""What v2's loss costs a training step as the catalogue grows: full softmax vs sampled softmax.

Run: OPENBLAS_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/v2_loss_cost.py
     [--items 5000 10000 20000 40000] [--steps 8] [--negatives 256]

For each catalogue size and loss, one fresh interpreter (multiprocessing spawn, so its peak
RSS is its own) trains v2's network at its default shape (width 64, ``bptt`` 50, 2 blocks,
128 full windows a step: 6,400 positions) on random windows whose items follow a Zipf-like
popularity, through ``_sasrec_train.train`` itself (one epoch of ``--steps`` steps, no
validation users). "sampled" (v2's default) draws ``--negatives`` per window with the log(k·q)
correction, "shared" draws ``--shared`` for the whole batch (``SHARED_NEGATIVES``), "full"
puts the whole catalogue into the softmax (``negatives`` ≥ the catalogue). Printed: seconds a
step on the training clock (``training_seconds / steps``, compilation left out), the child's
peak RSS (``ru_maxrss``), and each one's ratio to "sampled" at the same size, measured in the
same run. The machine's load average is printed with each row: on shared
cores the seconds compare only within a run.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WINDOWS_A_STEP = 128
LENGTH = 50
DIM = 64


def _child(n_items: int, mode: str, steps: int, negatives: int, out: mp.Queue) -> None:
    from services.local.models.recipes.sequence import _sasrec_train as train
    from services.local.models.recipes.sequence._sasrec_net import init_params
    from services.local.models.recipes.sequence._sasrec_validation import empty
    from services.local.models.recipes.sequence.user_personalization_v2 import LAYERS

    rng = np.random.default_rng(0)
    rows = WINDOWS_A_STEP * steps
    popularity = 1.0 / np.arange(1, n_items + 1) ** 0.8
    codes = rng.choice(n_items, size=(rows, LENGTH + 1), p=popularity / popularity.sum()) + 1
    data = train.Windows(
        x=codes[:, :-1].astype(np.int32),
        y=codes[:, 1:].astype(np.int32),
        w=np.ones((rows, LENGTH), dtype=np.float32),
        validation=empty(LENGTH),
    )
    params = init_params(n_items, DIM, LENGTH, LAYERS, seed=0)
    train.SHARED_NEGATIVES = mode == "shared"
    k = n_items if mode == "full" else negatives
    _, report = train.train(params, data, train.Budget(1, 86_400.0, k, seed=0))
    out.put(
        {
            "loss": report["loss"],
            "steps": report["steps"],
            "step_s": report["training_seconds"] / max(report["steps"], 1),
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def measure(n_items: int, mode: str, steps: int, negatives: int) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(n_items, mode, steps, negatives, out))
    proc.start()
    result = out.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, nargs="*", default=[5000, 10000, 20000])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--negatives", type=int, default=256)
    parser.add_argument("--shared", type=int, default=2048)
    args = parser.parse_args()
    print(
        f"| items | s/step: sampled {args.negatives} | shared {args.shared} | full "
        "| peak MiB: sampled | shared | full | load |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n_items in args.items:
        got = {
            "sampled": measure(n_items, "sampled", args.steps, args.negatives),
            "shared": measure(n_items, "shared", args.steps, args.shared),
            "full": measure(n_items, "full", args.steps, args.negatives),
        }
        assert got["full"]["loss"] == "full_softmax"
        base = got["sampled"]["step_s"]
        ratios = {m: f" ({r['step_s'] / base:.1f}×)" for m, r in got.items() if m != "sampled"}
        steps = " | ".join(f"{r['step_s']:.3f}{ratios.get(m, '')}" for m, r in got.items())
        peaks = " | ".join(f"{got[m]['peak_mib']:.0f}" for m in got)
        print(f"| {n_items:,} | {steps} | {peaks} | {os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
