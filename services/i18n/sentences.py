"""Joining sentences: a message that did not end its sentence gets its stop before the next.

Run reasons join an engine's or a step's message (which may end without a stop: "…or a Parquet
file") with a sentence of their own; without the stop they read as one (trial s13, finding 10).
"""

from __future__ import annotations

_STOPS = (".", "!", "?", "。")


def then(said: str, sentence: str) -> str:
    """``said`` and ``sentence`` as two sentences: "no file at X" + "Campaigns keep…" →
    "no file at X. Campaigns keep…"; ``sentence`` alone when ``said`` is blank."""
    said = said.rstrip()
    if not said:
        return sentence
    stop = "" if said.endswith(_STOPS) else "."
    return f"{said}{stop} {sentence}"
