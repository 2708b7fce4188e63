"""How an import job allocates: pyarrow from mimalloc, numpy without transparent huge pages,
for as long as any import of the process runs; then as the process had it.

An import of millions of rows makes dozens of large arrays one after another (the parsed
columns, the sort's keys, the rows in their new order), each written once and read once or
twice, so the first touch of their pages is much of its CPU time:

- The worker process runs pyarrow on the system allocator (``spawn_worker``), where every
  allocation over 32 MiB is a fresh mapping whose pages the kernel faults in and zeroes again;
  mimalloc reuses what an earlier step freed: 4.2 s of CPU instead of 4.7 s for an import of
  6,000,000 events (median of 3 fresh workers each).
- numpy asks the kernel for huge pages for every array of 4 MiB or more; on a machine short of
  free memory each huge-page fault compacts memory first. The import's arrays are read through
  once or twice, so huge pages save it little: 6,000,000 events took 1.8 s of system time
  without them against 2.2 s with them (median of 4 fresh processes each, alternated, load
  15-20 with 1.5 GiB free).

Both are settings of the whole process. Imports that run at once (worker threads of several
engines in one process) share them: the first to start switches, the last to end switches back
(a count under a lock), so no import ends another's settings and the process is left as it was.
Other work of the process meanwhile allocates the same way; a buffer always returns to the pool
it came from, so that changes where memory comes from, never whether it is freed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

# numpy's switch for huge pages (``numpy._core.multiarray._set_madvise_hugepage``: sets it,
# returns the previous setting); None in a numpy without it, whose arrays then stay as they are
_HUGEPAGES: Callable[[bool], bool] | None = getattr(
    getattr(getattr(np, "_core", None), "multiarray", None), "_set_madvise_hugepage", None
)


@dataclass(frozen=True)
class _Before:
    """What the first import changed, to put back when the last one ends."""

    pool: pa.MemoryPool
    mimalloc: pa.MemoryPool | None
    hugepages: bool | None


class ImportMemory:
    """The process's allocation settings while imports run (see module doc)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._before: _Before | None = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        """Run the body with the import's settings; nested and concurrent uses share them."""
        with self._lock:
            if self._running == 0:
                self._before = _switch()
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0 and self._before is not None:
                    _switch_back(self._before)
                    self._before = None


def _switch() -> _Before:
    try:
        mimalloc: pa.MemoryPool | None = pa.mimalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without mimalloc: its default pool
        mimalloc = None
    before = _Before(pa.default_memory_pool(), mimalloc, numpy_hugepages(False))
    if mimalloc is not None:
        pa.set_memory_pool(mimalloc)
    return before


def _switch_back(before: _Before) -> None:
    pa.set_memory_pool(before.pool)
    if before.mimalloc is not None:
        before.mimalloc.release_unused()
    if before.hugepages is not None:
        numpy_hugepages(before.hugepages)


def numpy_hugepages(enabled: bool) -> bool | None:
    """Set whether numpy asks for huge pages; the previous setting, or None (and nothing
    set) in a numpy without the switch."""
    return None if _HUGEPAGES is None else bool(_HUGEPAGES(enabled))


import_memory = ImportMemory()
