"""Candidate indexes compared offline on a trained model's item factors (issue #24).

Run: OPENBLAS_NUM_THREADS=2 .venv/bin/python bench/index_study.py prep MODEL.npz CACHE_DIR
     OPENBLAS_NUM_THREADS=2 .venv/bin/python bench/index_study.py norms CACHE_DIR
     OPENBLAS_NUM_THREADS=2 .venv/bin/python bench/index_study.py ivf CACHE_DIR
         [--sample N] [--nlist N] [--ranges R] [--hnsw M] [--hnswlib M] [--ef-construction E]
         [--sq8]
     OPENBLAS_NUM_THREADS=2 .venv/bin/python bench/index_study.py synth CACHE_DIR
         [--items N] [--dim D] [--users U]

``prep`` reads an aws-user-personalization model file (a kept shop's, e.g. the ×10 shop's),
keeps its learned items' factors and the query vectors of 2,000 training users (the 1,000 the
training calibrates on, drawn with the training's seed 42, and 1,000 others, seed 7), and the
exact top 25 of each over every learned item (numpy), in CACHE_DIR. The other commands read
only that: ``norms`` prints how the factors' norms spread and where the exact top 25 lie
among them; ``ivf`` builds an index over the factors (or over a random ``--sample`` of them,
the exact top 25 taken again within the sample) and prints the recall of the exact top 25 at
each share of the items a search scans, for the calibration users and the others, with the
build time and the time of a search: the single IVF-Flat index the model keeps today
(``--ranges 1``), the norm-ranged one (``--ranges R``: R indexes, one per range of norms, each
with its own largest norm M), HNSW (``--hnsw M``, faiss's inner-product graph; ``--hnswlib
M``, hnswlib's, in its 'ip' space: imported only when installed, never a requirement of the
project) and an int8-quantised exact scan (``--sq8``). ``synth`` writes a cache of the same
shape without a model: seeded Gaussian factors whose norms spread like the ×10 model's (see
``synthetic``), for comparing libraries where no kept model is at hand.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.local.models.recipes.retrieval.calibration import (  # noqa: E402
    CALIBRATION_USERS,
    exact_top,
)
from services.local.models.recipes.retrieval.norm_ordered import NormOrderedIndex  # noqa: E402
from services.local.models.recipes.retrieval.partitions import (  # noqa: E402
    TRAIN_PER_LIST,
    _faiss,
    augmented,
)

K = 25


def prep(model_path: Path, cache: Path) -> None:
    """Factors of the learned items, 2,000 users' query vectors and their exact top 25."""
    from services.local.models.recipes.users._up_model import UserPersonalizationModel

    t = time.perf_counter()
    model = UserPersonalizationModel.load(model_path)
    assert model.factors is not None
    learned = np.flatnonzero(np.any(model.factors != 0, axis=1))
    items = np.ascontiguousarray(model.factors[learned], dtype=np.float32)
    print(f"loaded in {time.perf_counter() - t:.0f} s: {len(items):,} learned items", flush=True)
    t = time.perf_counter()
    calib = model.sampled_user_vectors(CALIBRATION_USERS, 42)
    other = model.sampled_user_vectors(2 * CALIBRATION_USERS, 7)
    # the other users: those of the second draw that are not in the first
    seen = {v.tobytes() for v in calib}
    other = np.array([v for v in other if v.tobytes() not in seen][:CALIBRATION_USERS])
    users = np.vstack([calib, other]).astype(np.float32)
    print(f"{len(users):,} user vectors in {time.perf_counter() - t:.0f} s", flush=True)
    del model
    t = time.perf_counter()
    top, extreme = exact_top(users, items, K, batch=16)
    print(f"exact top {K} in {time.perf_counter() - t:.0f} s", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(cache / "items.npy", items)
    np.savez(cache / "users.npz", users=users, top=top, extreme=extreme, n_calib=len(calib))


def synthetic(n_items: int, dim: int, n_users: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Item factors (n_items × dim, float32) and user vectors (n_users × dim) drawn to look like
    ALS factors for retrieval: directions from a Gaussian with a decaying spectrum (standard
    deviation 1/√(1 + i/4) on axis i: a few strong tastes), item norms log-normal with median
    0.044 and 90th percentile 0.087, and 0.5 % of the items (the popular ones) given a Pareto
    tail from 0.2 capped at 93.3: the ×10 model's quantiles (0.044, 0.087, 99.9 % 2.26, largest
    93.3; see docs/benchmarks.md), since the spread of norms is what defeats inner-product
    graphs and partitions."""
    rng = np.random.default_rng(seed)
    scale = 1 / np.sqrt(1 + np.arange(dim) / 4)
    d = rng.standard_normal((n_items, dim)) * scale
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    norm = 0.044 * np.exp(0.532 * rng.standard_normal(n_items))
    tail = rng.random(n_items) < 0.005
    norm[tail] = np.minimum(0.2 * (1 - rng.random(int(tail.sum()))) ** -1.506, 93.3)
    items = (d * norm[:, None]).astype(np.float32)
    users = (rng.standard_normal((n_users, dim)) * scale).astype(np.float32)
    return items, users


def synth(args: argparse.Namespace) -> None:
    """A cache like ``prep``'s from ``synthetic`` factors (the first half of the users stand
    for the calibration's)."""
    t = time.perf_counter()
    items, users = synthetic(args.items, args.dim, args.users, 42)
    top, extreme = exact_top(users, items, K, batch=16)
    print(f"{len(items):,} × {items.shape[1]} items, {len(users):,} users, exact top {K} in "
          f"{time.perf_counter() - t:.0f} s", flush=True)  # fmt: skip
    args.cache.mkdir(parents=True, exist_ok=True)
    np.save(args.cache / "items.npy", items)
    np.savez(args.cache / "users.npz", users=users, top=top, extreme=extreme,
             n_calib=len(users) // 2)  # fmt: skip


def load(cache: Path, sample: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Items (all, or a random sample), users, the users' exact top 25 (row positions into
    the items returned) and how many of the users are the calibration's."""
    items = np.load(cache / "items.npy", mmap_mode="r")
    u = np.load(cache / "users.npz")
    users, top, n_calib = u["users"], u["top"], int(u["n_calib"])
    if sample and sample < len(items):
        keep = np.sort(np.random.default_rng(0).choice(len(items), sample, replace=False))
        items = np.ascontiguousarray(items[keep])
        top, _ = exact_top(users, items, K, batch=64)
    else:
        items = np.ascontiguousarray(items)
    return items, users, top, n_calib


def norms(cache: Path) -> None:
    """How the items' norms spread, and the norms of the exact top 25's items."""
    items, users, top, n_calib = load(cache, None)
    n = np.linalg.norm(items, axis=1)
    qs = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1]
    print("item norms at quantiles", " ".join(f"{q}:{np.quantile(n, q):.4g}" for q in qs))
    rank = np.empty(len(n), dtype=np.int64)
    rank[np.argsort(n)] = np.arange(len(n))
    pct = rank[top.ravel()] / len(n)
    print("the exact top 25's items: norm-rank percentile at quantiles",
          " ".join(f"{q}:{np.quantile(pct, q):.4f}" for q in qs))  # fmt: skip
    un = np.linalg.norm(users, axis=1)
    print("user vector norms", " ".join(f"{q}:{np.quantile(un, q):.4g}" for q in qs))
    m = n.max()
    extra = np.sqrt(np.maximum(m**2 - n**2, 0))
    print(f"largest norm M {m:.4g}; augmented coordinate at quantiles",
          " ".join(f"{q}:{np.quantile(extra, q):.4g}" for q in qs))  # fmt: skip


class Ranged:
    """R IVF-Flat indexes, one per range of item norms (equal item counts), each over its
    items' augmented factors with the range's own largest norm (Yan et al. 2018,
    norm-ranging). A search visits, in every range, the partitions nearest the query; the
    candidates' exact inner products merge the ranges."""

    def __init__(self, items: np.ndarray, ranges: int, nlist_scale: float, seed: int) -> None:
        norm = np.linalg.norm(items, axis=1)
        order = np.argsort(norm, kind="stable")
        self.parts = [np.sort(p) for p in np.array_split(order, ranges)]
        self.subs = []
        for part in self.parts:
            n = len(part)
            nlist = max(1, min(n // TRAIN_PER_LIST, int(nlist_scale * np.sqrt(n))))
            sub = build_ivf(items[part], part, nlist, seed)
            self.subs.append(sub)
        self.sizes = [
            np.array([s.invlists.list_size(p) for p in range(s.nlist)], dtype=np.int64)
            for s in self.subs
        ]

    def orders(self, users: np.ndarray) -> list[np.ndarray]:
        q = np.ascontiguousarray(np.hstack([users, np.zeros((len(users), 1))]), dtype=np.float32)
        return [s.quantizer.search(q, s.nlist)[1] for s in self.subs]


def build_ivf(x: np.ndarray, ids: np.ndarray, nlist: int, seed: int) -> object:
    faiss = _faiss()
    aug = augmented(x)
    d = aug.shape[1]
    index = faiss.IndexIVFFlat(faiss.IndexFlatL2(d), d, nlist, faiss.METRIC_L2)
    index.cp.seed = seed
    rng = np.random.default_rng(seed)
    n = len(aug)
    sample = aug[np.sort(rng.choice(n, size=min(n, TRAIN_PER_LIST * nlist), replace=False))]
    faiss.omp_set_num_threads(2)
    index.train(sample)
    index.add_with_ids(aug, np.asarray(ids, dtype=np.int64))
    return index


def assignments(index: object, n: int) -> np.ndarray:
    faiss = _faiss()
    part = np.full(n, -1, dtype=np.int64)
    lists = index.invlists
    for p in range(index.nlist):
        size = lists.list_size(p)
        if size:
            part[faiss.rev_swig_ptr(lists.get_ids(p), size).view(np.int64).copy()] = p
    return part


def ranged_curve(
    r: Ranged, users: np.ndarray, top: np.ndarray, n_items: int, shares: list[float]
) -> list[tuple[float, float, float]]:
    """(share of every range's partitions visited, mean share of the items scanned, recall)
    per ``shares``: a search visits the same share of each range's partitions."""
    orders = r.orders(users)
    out = []
    hits_at = []
    for sub, order, sizes in zip(r.subs, orders, r.sizes, strict=True):
        part = assignments(sub, n_items)
        nl = sub.nlist
        rank = np.empty_like(order)
        rank[np.arange(len(users))[:, None], order] = np.arange(nl)[None, :]
        tp = part[top]  # users × K: partition in this sub, -1 if not in this range
        in_sub = tp >= 0
        rk = np.where(in_sub, rank[np.arange(len(users))[:, None], np.maximum(tp, 0)], nl + 1)
        visited = np.cumsum(sizes[order], axis=1).mean(axis=0)
        hits_at.append((nl, rk, visited))
    for s in shares:
        hits = np.zeros(len(users))
        scanned = 0.0
        for nl, rk, visited in hits_at:
            p = max(1, int(np.ceil(s * nl)))
            hits += (rk < p).sum(axis=1)
            scanned += visited[p - 1]
        out.append((s, scanned / n_items, float((hits / K).mean())))
    return out


def ivf(args: argparse.Namespace) -> None:
    items, users, top, n_calib = load(args.cache, args.sample)
    n = len(items)
    print(f"{n:,} items, {len(users):,} users ({n_calib:,} calibration)", flush=True)
    if args.sq8:
        return sq8(items, users, top)
    if args.hnsw:
        return hnsw(items, users, top, args.hnsw, args.ef_construction)
    if args.hnswlib:
        return hnswlib_ip(items, users, top, args.hnswlib, args.ef_construction)
    if args.usearch:
        return usearch_ip(items, users, top, args.usearch, args.ef_construction)
    t = time.perf_counter()
    r = Ranged(items, args.ranges, args.nlist_scale, 42)
    built = time.perf_counter() - t
    nl = [s.nlist for s in r.subs]
    print(f"ranges {args.ranges}, partitions {nl}, built in {built:.0f} s", flush=True)
    norms = np.linalg.norm(items, axis=1)
    print("range bounds (norm):", [f"{norms[p].min():.3g}-{norms[p].max():.3g}" for p in r.parts])
    shares = [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.35, 0.5]
    for label, sel in (("calibration users", slice(0, n_calib)), ("others", slice(n_calib, None))):
        print(f"  {label}: partitions share → items scanned, recall of the exact top {K}")
        for s, scanned, rec in ranged_curve(r, users[sel], top[sel], n, shares):
            print(f"    {s:.3f} → {scanned:.2%}  {rec:.2%}", flush=True)


EF_SEARCH = (32, 64, 128, 256, 512, 1024, 2048)
RECALL_TARGET = 0.98


def rss_mib() -> float:
    """This process's resident memory (MiB), from /proc: a build's cost is the growth."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def graph_sweep(label: str, search, top: np.ndarray, users: np.ndarray) -> None:  # noqa: ANN001
    """Recall of the exact top 25 and one-thread latency per query (each user searched alone,
    as a request does) at each efSearch until recall reaches ``RECALL_TARGET``;
    ``search(user_row, ef)`` returns the ids found."""
    truth = [set(row.tolist()) for row in top]
    for ef in EF_SEARCH:
        got, times = [], []
        for u in users:
            t = time.perf_counter()
            got.append(search(u, ef))
            times.append(time.perf_counter() - t)
        rec = np.mean([len(set(g.tolist()) & tr) / K for g, tr in zip(got, truth, strict=True)])
        ms = np.percentile(np.array(times) * 1000, [50, 99])
        print(f"  {label} ef {ef}: recall {rec:.2%}, p50 {ms[0]:.2f} ms, p99 {ms[1]:.2f} ms",
              flush=True)  # fmt: skip
        if rec >= RECALL_TARGET:
            return
    print(f"  {label}: recall target {RECALL_TARGET:.0%} not reached by ef {EF_SEARCH[-1]}")


def hnsw(items: np.ndarray, users: np.ndarray, top: np.ndarray, m: int, ef_c: int) -> None:
    """faiss ``IndexHNSWFlat`` in inner product, built with two threads."""
    faiss = _faiss()
    faiss.omp_set_num_threads(2)
    before, t = rss_mib(), time.perf_counter()
    index = faiss.IndexHNSWFlat(items.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_c
    index.add(items)
    print(f"faiss HNSW M={m} efConstruction={ef_c} built in {time.perf_counter() - t:.0f} s, "
          f"+{rss_mib() - before:.0f} MiB", flush=True)  # fmt: skip
    faiss.omp_set_num_threads(1)

    def search(u: np.ndarray, ef: int) -> np.ndarray:
        index.hnsw.efSearch = ef
        return index.search(u[None, :], K)[1][0]

    graph_sweep(f"faiss M={m}", search, top, users)


def hnswlib_ip(items: np.ndarray, users: np.ndarray, top: np.ndarray, m: int, ef_c: int) -> None:
    """hnswlib's graph in its 'ip' space (1 − u·x), built with two threads; skipped with a note
    when hnswlib is not installed (it is not a requirement: install it apart, e.g.
    ``pip install --target DIR hnswlib`` and ``PYTHONPATH=DIR``)."""
    try:
        import hnswlib  # type: ignore[import-not-found]  # optional, bench only
    except ImportError:
        print("hnswlib is not installed: its rows are skipped")
        return
    before, t = rss_mib(), time.perf_counter()
    index = hnswlib.Index(space="ip", dim=items.shape[1])
    index.init_index(max_elements=len(items), M=m, ef_construction=ef_c, random_seed=42)
    index.add_items(items, np.arange(len(items)), num_threads=2)
    print(f"hnswlib ip M={m} ef_construction={ef_c} built in {time.perf_counter() - t:.0f} s, "
          f"+{rss_mib() - before:.0f} MiB", flush=True)  # fmt: skip
    index.set_num_threads(1)

    def search(u: np.ndarray, ef: int) -> np.ndarray:
        index.set_ef(max(ef, K))
        return index.knn_query(u, k=K, num_threads=1)[0][0]

    graph_sweep(f"hnswlib M={m}", search, top, users)


def usearch_ip(items: np.ndarray, users: np.ndarray, top: np.ndarray, m: int, ef_c: int) -> None:
    """usearch's HNSW in its 'ip' metric, built with two threads; skipped with a note when
    usearch is not installed (not a requirement either)."""
    try:
        from usearch.index import Index  # type: ignore[import-not-found]  # optional
    except ImportError:
        print("usearch is not installed: its rows are skipped")
        return
    before, t = rss_mib(), time.perf_counter()
    index = Index(ndim=items.shape[1], metric="ip", dtype="f32", connectivity=m,
                  expansion_add=ef_c)  # fmt: skip
    index.add(np.arange(len(items)), items, threads=2)
    print(f"usearch ip M={m} expansion_add={ef_c} built in {time.perf_counter() - t:.0f} s, "
          f"+{rss_mib() - before:.0f} MiB", flush=True)  # fmt: skip

    def search(u: np.ndarray, ef: int) -> np.ndarray:
        index.expansion_search = max(ef, K)
        return np.asarray(index.search(u, K, threads=1).keys)

    graph_sweep(f"usearch M={m}", search, top, users)


def sq8(items: np.ndarray, users: np.ndarray, top: np.ndarray) -> None:
    faiss = _faiss()
    faiss.omp_set_num_threads(2)
    t = time.perf_counter()
    index = faiss.IndexScalarQuantizer(
        items.shape[1], faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.train(items[:: max(1, len(items) // 200_000)])
    index.add(items)
    print(f"SQ8 built in {time.perf_counter() - t:.0f} s", flush=True)
    faiss.omp_set_num_threads(1)
    truth = [set(row.tolist()) for row in top[:200]]
    for cand in (25, 100, 200):
        t = time.perf_counter()
        _, ids = index.search(users[:200], cand)
        per = (time.perf_counter() - t) / 200 * 1000
        rec = np.mean([len(set(r.tolist()) & tr) / K for r, tr in zip(ids, truth, strict=True)])
        print(f"  {cand} candidates: recall {rec:.2%}, {per:.1f} ms a query", flush=True)


def norm_ordered(args: argparse.Namespace) -> None:
    """The norm-ordered exact search (``retrieval.norm_ordered.NormOrderedIndex``): build time, rows
    scanned per user for 25 and 200 items, recall of the exact top 25, time per search."""
    items, users, top, n_calib = load(args.cache, args.sample)
    n = len(items)
    t = time.perf_counter()
    index = NormOrderedIndex.build(items, np.arange(n))
    print(f"{n:,} items: built in {time.perf_counter() - t:.1f} s", flush=True)
    qs = (0.5, 0.9, 0.99, 1.0)
    for want in (25, 200):
        t = time.perf_counter()
        rows = index.scanned(users, want)
        share = rows / n
        print(f"  n={want}: share of the items scanned mean {share.mean():.3%}, at quantiles "
              + " ".join(f"{q}:{np.quantile(share, q):.3%}" for q in qs)
              + f" ({time.perf_counter() - t:.0f} s to count)", flush=True)  # fmt: skip
    truth = [set(row.tolist()) for row in top]
    for want in (25, 200):
        got, times = [], []
        for u in users:
            t = time.perf_counter()
            got.append(index.search(u, want))
            times.append(time.perf_counter() - t)
        rec = np.mean([len(set(g.tolist()) & tr) / K for g, tr in zip(got, truth, strict=True)])
        ms = np.percentile(np.array(times) * 1000, [50, 99])
        print(f"  search {want}: recall of the exact top {K} {rec:.4%}, p50 {ms[0]:.2f} ms, "
              f"p99 {ms[1]:.2f} ms", flush=True)  # fmt: skip
    times = []
    for u in users:
        t = time.perf_counter()
        index.extreme(u)
        index.extreme(-u)
        times.append(time.perf_counter() - t)
    ms = np.percentile(np.array(times) * 1000, [50, 99])
    print(f"  extreme (largest |score|, both signs): p50 {ms[0]:.2f} ms, p99 {ms[1]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prep")
    p.add_argument("model", type=Path)
    p.add_argument("cache", type=Path)
    p = sub.add_parser("synth")
    p.add_argument("cache", type=Path)
    p.add_argument("--items", type=int, default=500_000)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--users", type=int, default=2_000)
    p = sub.add_parser("norms")
    p.add_argument("cache", type=Path)
    p = sub.add_parser("norm")
    p.add_argument("cache", type=Path)
    p.add_argument("--sample", type=int)
    p = sub.add_parser("ivf")
    p.add_argument("cache", type=Path)
    p.add_argument("--sample", type=int)
    p.add_argument("--ranges", type=int, default=1)
    p.add_argument("--nlist-scale", type=float, default=4.0)
    p.add_argument("--hnsw", type=int)
    p.add_argument("--hnswlib", type=int)
    p.add_argument("--usearch", type=int)
    p.add_argument("--ef-construction", type=int, default=40)
    p.add_argument("--sq8", action="store_true")
    args = parser.parse_args()
    if args.cmd == "prep":
        prep(args.model, args.cache)
    elif args.cmd == "synth":
        synth(args)
    elif args.cmd == "norms":
        norms(args.cache)
    elif args.cmd == "norm":
        norm_ordered(args)
    else:
        ivf(args)


if __name__ == "__main__":
    main()
