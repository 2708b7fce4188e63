"""Files a job leaves for others to read: a model, a batch or segment output, an export, an
import's attribution report.

Each attempt of a job writes such a file to its own partial file (``JobContext.partial_file``:
the worker's pid and the job row's attempt count in its name) and renames it into place only
inside a write transaction of the task's engine. That engine is ``claimed.ClaimedEngine``:
the transaction opens only while the job is still this worker's, under the writers' lock that
recovery also takes to hand a job over, so a worker whose job went to another (a host whose
heartbeat went quiet) never puts its file over the new worker's, and never deletes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from services.local.context import EngineContext
from services.local.data.storage.faults import write_fault
from services.local.jobs.context import JobContext


@contextmanager
def attempt_output(engine: EngineContext, ctx: JobContext, out: Path, what: str) -> Iterator[Path]:
    """Yield where this attempt writes ``out`` (``what``, e.g. "the batch output", names it
    in errors); when the block ends without an error, put the file in place (``place``). The
    partial file is deleted whatever happens, unless it was placed.

    Raises:
        ClaimLost: the job is no longer this worker's (before the block, or at ``place``);
            ``out`` is not touched.
        StorageFault: the rename failed (the folder cannot be written).
    """
    staged = ctx.partial_file(out)
    try:
        yield staged
        place(engine, staged, out, what)
    finally:
        discard(staged)  # unless placed: failed, stopped, or the job is another worker's now


def place(engine: EngineContext, staged: Path, out: Path, what: str) -> None:
    """Rename the complete file ``staged`` to ``out`` in a write transaction of ``engine``
    (the task's claim-fenced engine), so recovery cannot hand the job over between the check
    of its claim and the rename.

    Raises:
        ClaimLost: the job is another worker's; ``staged`` is left for ``discard``.
        StorageFault: the rename failed.
    """
    with engine.tx():
        move(staged, out, what)


def move(staged: Path, out: Path, what: str) -> None:
    """Rename ``staged`` to ``out``; the caller holds the claim-fenced write transaction (an
    import places its report in the transaction that registers its rows).

    Raises:
        StorageFault: the rename failed.
    """
    try:
        staged.replace(out)
    except OSError as err:
        raise write_fault(err, out, what) from err


def discard(staged: Path) -> None:
    """Delete an attempt's partial file that was not placed; another attempt's file has
    another name (``JobContext.partial_file``) and stays."""
    with suppress(OSError):  # a folder gone read-only: a model's is swept at the next start
        staged.unlink(missing_ok=True)
