"""Checks across files: do the interactions' items and users exist in the other files?"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from .columns import to_bool
from .figures import pct
from .idspace import describe_shape, dominant_shape
from .report import Finding, ReadinessReport


def _missing(ids: pa.Array, other: pa.Array) -> list[str]:
    mask = ~to_bool(pc.is_in(ids, value_set=other))
    return ids.filter(pa.array(mask)).to_pylist()


def _compare(noun: str, column: str, in_events: pa.Array, in_file: pa.Array) -> list[Finding]:
    out: list[Finding] = []
    missing = _missing(in_events, in_file)
    unused = _missing(in_file, in_events)
    examples = ", ".join(map(repr, missing[:5]))
    if missing and len(missing) == len(in_events) and len(in_file):
        a = in_events.slice(0, 5000).to_pylist()
        b = in_file.slice(0, 5000).to_pylist()
        out.append(
            Finding(
                f"{noun}_ids_disjoint",
                "error",
                f"No {noun[:-1]} in the interactions is in the {noun} file",
                f"None of the {len(in_events)} {noun} in the interactions appears among the "
                f"{len(in_file)} of the {noun} file: interactions use "
                f"{describe_shape(dominant_shape(a), a[0])}, the {noun} file "
                f"{describe_shape(dominant_shape(b), b[0])}.",
                f"Export both files with the same {column} (the one the app uses).",
                (),
                column,
            )
        )
    elif missing:
        out.append(
            Finding(
                f"{noun}_missing_from_{noun}_file",
                "warning",
                f"{noun.title()} in interactions but not in the {noun} file",
                f"{len(missing)} of {len(in_events)} {noun} in the interactions "
                f"({pct(len(missing), len(in_events))}) have no row in the {noun} file "
                f"(e.g. {examples}); they get no metadata.",
                f"Add these {noun} to the {noun} file, or check the {column} formats match.",
                (),
                column,
            )
        )
    if unused and len(unused) < len(in_file):
        severity = "warning" if len(unused) > 0.5 * len(in_file) else "info"
        out.append(
            Finding(
                f"{noun}_without_interactions",
                severity,
                f"{noun.title()} without interactions",
                f"{len(unused)} of {len(in_file)} {noun} in the {noun} file "
                f"({pct(len(unused), len(in_file))}) have no interactions (e.g. "
                f"{', '.join(map(repr, unused[:5]))})"
                + (
                    "; they are rarely recommended unless exploration is on."
                    if noun == "items"
                    else "; they get popular items."
                ),
                "Expected for new "
                + noun
                + "; otherwise check the interactions export is complete.",
                (),
                column,
            )
        )
    return out


def cross_check(
    interactions: ReadinessReport,
    items: ReadinessReport | None = None,
    users: ReadinessReport | None = None,
) -> list[Finding]:
    """Findings about IDs that the interactions and the items/users files don't share."""
    out: list[Finding] = []
    if items is not None and interactions.item_ids is not None and items.item_ids is not None:
        out += _compare("items", "ITEM_ID", interactions.item_ids, items.item_ids)
    if users is not None and interactions.user_ids is not None and users.user_ids is not None:
        out += _compare("users", "USER_ID", interactions.user_ids, users.user_ids)
    return out
