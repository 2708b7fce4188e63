"""How a followed run is printed: JSON lines for schedulers and logs, live lines on a terminal."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from services.i18n.formats import duration
from services.pipeline.runs.records import RUNNING, RefreshRun, RefreshStep

_MARKS = {"SUCCEEDED": "✓", "FAILED": "✗", "REFUSED": "⊘", "SKIPPED": "–", RUNNING: "…"}


def run_dict(run: RefreshRun) -> dict[str, Any]:
    """A run as one JSON object (no steps)."""
    return {
        "run": run.id,
        "dataset_group": run.dataset_group_name,
        "status": run.status,
        "stale": run.stale,
        "reason": run.reason,
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat() if run.finished else None,
        "seconds": run.seconds,
        "trigger": run.trigger,
        "actor": run.actor,
        "resumes": run.resumes,
        "guardrails": run.guardrails,
    }


def step_dict(run: RefreshRun, step: RefreshStep) -> dict[str, Any]:
    return {
        "event": "step",
        "run": run.id,
        "step": step.key,
        "kind": step.kind,
        "label": step.label,
        "status": step.status,
        "reason": step.reason,
        "seconds": step.seconds,
    }


def _duration(seconds: float | None) -> str:
    return "" if seconds is None else duration(seconds)


def history_line(run: RefreshRun) -> str:
    """One line per run for ``history``."""
    status = f"{run.status} (stalled)" if run.stale else run.status
    took = _duration(run.seconds) or "running"
    return (
        f"#{run.id:<5} {run.started:%Y-%m-%d %H:%M} UTC  {run.dataset_group_name:<20} "
        f"{status:<10} {took:>7}  {run.reason or ''}"
    )


class Printer:
    """Prints what changed in a run since the last call."""

    def __init__(self, out: TextIO | None = None, *, json_lines: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.json = (not self.out.isatty()) if json_lines is None else json_lines
        self._seen: dict[str, str] = {}
        self._live = False
        # The run's own thread logs while the main thread prints steps: one line at a time.
        self._lock = threading.Lock()

    def event(self, name: str, **fields: Any) -> None:
        """A one-off message (attached, resumed, refused to start…)."""
        if self.json:
            self._emit({"event": name, **fields})
        else:
            self._clear()
            text = fields.get("message") or ", ".join(f"{k}={v}" for k, v in fields.items())
            print(text, file=self.out, flush=True)

    def update(self, run: RefreshRun) -> None:
        for step in run.steps:
            if self._seen.get(step.key) == step.status:
                continue
            self._seen[step.key] = step.status
            if self.json:
                self._emit(step_dict(run, step))
            elif step.status != RUNNING:
                self._clear()
                took = f" ({_duration(step.seconds)})" if step.seconds is not None else ""
                reason = f" — {step.reason}" if step.reason else ""
                print(f"{_MARKS.get(step.status, '?')} {step.label}{reason}{took}", file=self.out)
        if not self.json:
            self.tick(run)

    def tick(self, run: RefreshRun) -> None:
        """On a terminal, rewrite the line that shows the running step and its elapsed time."""
        if self.json or run.status != RUNNING:
            return
        current = run.current_step
        if current is None:
            return
        elapsed = (datetime.now(UTC) - current.started).total_seconds()
        self.out.write(f"\r… {current.label} ({_duration(elapsed)})\x1b[K")
        self.out.flush()
        self._live = True

    def finish(self, run: RefreshRun) -> None:
        if self.json:
            self._emit({"event": "run", **run_dict(run)})
            return
        self._clear()
        print(
            f"Refresh #{run.id} of {run.dataset_group_name}: {run.status} in "
            f"{_duration(run.seconds)}. {run.reason or ''}",
            file=self.out,
            flush=True,
        )

    def _clear(self) -> None:
        if self._live:
            self.out.write("\r\x1b[K")
            self._live = False

    def _emit(self, obj: Mapping[str, Any]) -> None:
        line = json.dumps(obj, default=str) + "\n"
        with self._lock:
            self.out.write(line)
            self.out.flush()


_MAX_LOGGED_ERROR = 300


class JsonLogHandler(logging.Handler):
    """Log records (and ``warnings.warn``, via ``logging.captureWarnings``) as JSON lines
    ``{"event": "log", "level", "logger", "message"}`` through a JSON ``Printer``, so a
    scheduler's log of stdout stays one JSON object per line even with ``2>&1``. A record's
    exception is named in one line (type and message, at most 300 characters), never its
    traceback: a line is read by people and log search, not debuggers."""

    def __init__(self, printer: Printer, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.printer = printer

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            error = record.exc_info[1] if record.exc_info else None
            if error is not None:
                said = " ".join(f"{type(error).__name__}: {error}".split())
                message += f" ({said[:_MAX_LOGGED_ERROR]})"
            self.printer.event("log", level=record.levelname, logger=record.name, message=message)
        except Exception:  # a log line must never end the run
            self.handleError(record)
