"""Checks across files: do the interactions' items and users exist in the other files?"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from services.i18n import N_, N_plural, _, translated

from .columns import to_bool
from .figures import counted, pct
from .idspace import describe_shape, dominant_shape
from .report import Finding, ReadinessReport, Severity


def _missing(ids: pa.Array, other: pa.Array) -> list[str]:
    mask = ~to_bool(pc.is_in(ids, value_set=other))
    return ids.filter(pa.array(mask)).to_pylist()


# The findings' texts per noun, whole sentences so that each reads naturally in Korean:
# (disjoint title, detail, fix; missing title, detail, fix; unused title, detail, fix)
_TEXTS = {
    "items": (
        N_("No item in the interactions is in the items file"),
        N_(
            "None of the {count} items in the interactions appears among the {in_file} of the "
            "items file: interactions use {events_shape}, the items file {file_shape}."
        ),
        N_("Export both files with the same ITEM_ID (the one the app uses)."),
        N_("Items in interactions but not in the items file"),
        N_plural(
            "{missing} of {count} items in the interactions ({share}) has no row in the items "
            "file (e.g. {examples}); it gets no metadata.",
            "{missing} of {count} items in the interactions ({share}) have no row in the items "
            "file (e.g. {examples}); they get no metadata.",
        ),
        N_("Add these items to the items file, or check the ITEM_ID formats match."),
        N_("Items without interactions"),
        N_plural(
            "{unused} of {in_file} items in the items file ({share}) has no interactions (e.g. "
            "{examples}); it is rarely recommended unless exploration is on.",
            "{unused} of {in_file} items in the items file ({share}) have no interactions (e.g. "
            "{examples}); they are rarely recommended unless exploration is on.",
        ),
        N_("Expected for new items; otherwise check the interactions export is complete."),
    ),
    "users": (
        N_("No user in the interactions is in the users file"),
        N_(
            "None of the {count} users in the interactions appears among the {in_file} of the "
            "users file: interactions use {events_shape}, the users file {file_shape}."
        ),
        N_("Export both files with the same USER_ID (the one the app uses)."),
        N_("Users in interactions but not in the users file"),
        N_plural(
            "{missing} of {count} users in the interactions ({share}) has no row in the users "
            "file (e.g. {examples}); it gets no metadata.",
            "{missing} of {count} users in the interactions ({share}) have no row in the users "
            "file (e.g. {examples}); they get no metadata.",
        ),
        N_("Add these users to the users file, or check the USER_ID formats match."),
        N_("Users without interactions"),
        N_plural(
            "{unused} of {in_file} users in the users file ({share}) has no interactions (e.g. "
            "{examples}); it gets popular items.",
            "{unused} of {in_file} users in the users file ({share}) have no interactions (e.g. "
            "{examples}); they get popular items.",
        ),
        N_("Expected for new users; otherwise check the interactions export is complete."),
    ),
}

# The disjoint finding's title and detail when the interactions hold one ID: "none of the 1
# item" reads wrong in both languages, and Korean, with one plural form, cannot say it apart.
_ONLY_ONE = {
    "items": (
        N_("The only item in the interactions is not in the items file"),
        N_(
            "The only item in the interactions is not among the {in_file} of the items file: "
            "interactions use {events_shape}, the items file {file_shape}."
        ),
    ),
    "users": (
        N_("The only user in the interactions is not in the users file"),
        N_(
            "The only user in the interactions is not among the {in_file} of the users file: "
            "interactions use {events_shape}, the users file {file_shape}."
        ),
    ),
}


def _compare(noun: str, column: str, in_events: pa.Array, in_file: pa.Array) -> list[Finding]:
    out: list[Finding] = []
    texts = _TEXTS[noun]

    def finding(code: str, severity: Severity, first: int, n: int, **values: object) -> Finding:
        # A finding's texts stand three in a row in _TEXTS: title, detail (with ``values``; its
        # form for the count ``n``), fix.
        title, detail, fix = (translated(t, n) for t in texts[first : first + 3])
        if first == 0 and n == 1:
            title, detail = (_(t) for t in _ONLY_ONE[noun])
        return Finding(code, severity, title, detail.format(**counted(**values)), fix, (), column)

    missing = _missing(in_events, in_file)
    unused = _missing(in_file, in_events)
    if missing and len(missing) == len(in_events) and len(in_file):
        a = in_events.slice(0, 5000).to_pylist()
        b = in_file.slice(0, 5000).to_pylist()
        out.append(
            finding(
                f"{noun}_ids_disjoint",
                "error",
                0,
                len(in_events),
                count=len(in_events),
                in_file=len(in_file),
                events_shape=describe_shape(dominant_shape(a), a[0]),
                file_shape=describe_shape(dominant_shape(b), b[0]),
            )
        )
    elif missing:
        out.append(
            finding(
                f"{noun}_missing_from_{noun}_file",
                "warning",
                3,
                len(missing),
                missing=len(missing),
                count=len(in_events),
                share=pct(len(missing), len(in_events)),
                examples=", ".join(map(repr, missing[:5])),
            )
        )
    if unused and len(unused) < len(in_file):
        severity: Severity = "warning" if len(unused) > 0.5 * len(in_file) else "info"
        out.append(
            finding(
                f"{noun}_without_interactions",
                severity,
                6,
                len(unused),
                unused=len(unused),
                in_file=len(in_file),
                share=pct(len(unused), len(in_file)),
                examples=", ".join(map(repr, unused[:5])),
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
