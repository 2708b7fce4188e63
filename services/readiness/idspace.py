"""Do two sets of IDs come from the same ID space? (numbers, UUIDs, prefixed, …)"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import TypeAlias

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from services.i18n import N_, _, formats, ngettext

from .columns import to_bool, to_str
from .report import Finding

_SHAPES = (
    (
        "uuid",
        re.compile(
            r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
            r"[0-9a-fA-F]{12}$"
        ),
    ),
    ("number", re.compile(r"^\d+$")),
    ("hex", re.compile(r"^[0-9a-fA-F]{16,}$")),
    ("email", re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")),
    ("prefixed", re.compile(r"^([A-Za-z]+[_\-:#])\d+$")),
)
_SAMPLE = 5_000
IdsLike: TypeAlias = Iterable[object] | pa.Array | pa.ChunkedArray | pd.Series | pd.Index


def id_shape(value: str) -> str:
    """A coarse shape: 'number', 'uuid', 'hex', 'email', 'prefixed:user_' or 'other'."""
    for name, pattern in _SHAPES:
        m = pattern.match(value)
        if m:
            return f"prefixed:{m.group(1).lower()}" if name == "prefixed" else name
    return "other"


def dominant_shape(values: Iterable[str]) -> str | None:
    """The shape of at least 80% of the values, if there is one."""
    counts = Counter(id_shape(v) for v in values)
    total = sum(counts.values())
    if not total:
        return None
    shape, n = counts.most_common(1)[0]
    return shape if n >= 0.8 * total else None


def describe_shape(shape: str | None, example: str) -> str:
    """'numbers like "123"' style wording for a shape."""
    words = {
        "uuid": N_("UUIDs"),
        "number": N_("numbers"),
        "hex": N_("hex hashes"),
        "email": N_("e-mail addresses"),
        "other": N_("free-form IDs"),
        None: N_("mixed formats"),
    }
    if shape and shape.startswith("prefixed:"):
        return _("prefixed IDs ({prefix}…) like {example}").format(
            prefix=shape.split(":", 1)[1], example=repr(example)
        )
    return _("{shape} like {example}").format(
        shape=_(words[shape]) if shape in words else shape, example=repr(example)
    )


def as_string_array(ids: IdsLike) -> pa.Array:
    """Any collection of IDs as an Arrow string array."""
    if isinstance(ids, pa.Array | pa.ChunkedArray):
        return to_str(ids)
    if isinstance(ids, pd.Series | pd.Index):
        return to_str(pa.array(ids.astype(str).to_numpy(dtype=object), pa.string()))
    return pa.array([str(v) for v in ids], pa.string())


def check_user_ids(
    sample_ids: IdsLike, known_user_ids: IdsLike, *, version: str | None = None, note: str = ""
) -> Finding | None:
    """Do the user IDs an app asks about come from the known users' ID space?

    ``known_user_ids`` are the users of the dataset group's data (``version`` None: the most a
    backend that lists no version's users can say), or the users version ``version`` (its short
    ID) was trained with. ``note``: sentences (each led by a space) on the unknown IDs, put
    after the count (``evaluation.known_users`` says which have events newer than the version).

    Returns None when every sample ID is a known user; otherwise a finding that says how
    many are unknown and, when the formats differ (numbers vs UUIDs vs "user_123"), that the
    app and the training data use different ID spaces. Unknown users get popular items.
    """
    sample = [s for s in dict.fromkeys(as_string_array(sample_ids).to_pylist()) if s]
    if not sample:
        return None
    known = as_string_array(known_user_ids)
    if not len(known):
        return Finding(
            "user_ids_unknown",
            "warning",
            _("The model knows no users"),
            _("There are no training users to compare with; every user gets popular items."),
            _("Import interactions and train a solution version first."),
            (),
            "USER_ID",
        )
    hits = to_bool(pc.is_in(pa.array(sample, pa.string()), value_set=known))
    if hits.all():
        return None
    unknown = [s for s, h in zip(sample, hits, strict=True) if not h]
    known_sample = known.slice(0, _SAMPLE).to_pylist()
    mine, theirs = dominant_shape(sample), dominant_shape(known_sample)
    n, k = len(sample), int(hits.sum())
    # "is/are known" follows the known count, "is/are not" the unknown IDs named after it
    # ("4 of 5 user IDs are known to the model ('nobody-123' is not)").
    known_part = (
        ngettext(
            "{known} of {count} user IDs is in the dataset group's data",
            "{known} of {count} user IDs are in the dataset group's data",
            k,
        )
        if version is None
        else ngettext(
            "{known} of {count} user IDs is known to version {version}",
            "{known} of {count} user IDs are known to version {version}",
            k,
        )
    ).format(known=formats.count(k), count=formats.count(n), version=version)
    examples = ", ".join(map(repr, unknown[:3]))
    unknown_part = (
        _("({examples} … are not)")
        if len(unknown) > 3
        else ngettext("({examples} is not)", "({examples} are not)", len(unknown))
    ).format(examples=examples)
    head = f"{known_part} {unknown_part}"
    hint = note + _near_miss(unknown, known)
    if mine != theirs and (k / n) < 0.5:
        return Finding(
            "user_id_space_mismatch",
            "warning",
            _("These user IDs come from another ID space"),
            (
                _(
                    "{head}. The IDs asked about are {asked}; the training users are "
                    "{trained}.{hint} Unknown users all get the same popular items."
                )
                if version is not None
                else _(
                    "{head}. The IDs asked about are {asked}; the dataset group's users are "
                    "{trained}.{hint} Users without data all get the same popular items."
                )
            ).format(
                head=head,
                asked=describe_shape(mine, sample[0]),
                trained=describe_shape(theirs, known_sample[0]),
                hint=hint,
            ),
            _(
                "Send the same user ID the interactions were exported with (map app IDs to "
                "training IDs, or re-export interactions with the app's IDs)."
            ),
            (),
            "USER_ID",
        )
    if k / n < 0.5:
        return Finding(
            "user_ids_unknown",
            "warning",
            _("Most of these users have no data in the dataset group")
            if version is None
            else _("Most of these users are unknown to version {version}").format(version=version),
            _("{head}.{hint} Unknown users get popular items, so their lists look alike.").format(
                head=head, hint=hint
            ),
            _(
                "Check the IDs are typed exactly as exported; new users need interactions and "
                "a retrain (or PutEvents) before they get personal results."
            ),
            (),
            "USER_ID",
        )
    return Finding(
        "user_ids_partly_unknown",
        "info",
        _("Some of these users have no data in the dataset group")
        if version is None
        else _("Some of these users are unknown to version {version}").format(version=version),
        _("{head}.{hint} Unknown users get popular items.").format(head=head, hint=hint),
        _("Compare only known users, or check how the unknown IDs were typed."),
        (),
        "USER_ID",
    )


def _near_miss(unknown: list[str], known: pa.Array) -> str:
    """Say if unknown IDs match known ones after trimming, case or leading zeros."""
    for label, fix in (
        (N_("whitespace"), str.strip),
        (N_("letter case"), str.lower),
        (N_("letter case"), str.upper),
        (N_("leading zeros"), lambda s: s.lstrip("0")),
    ):
        variants = [fix(u) for u in unknown]
        found = to_bool(pc.is_in(pa.array(variants, pa.string()), value_set=known))
        if found.any():
            count = int(found.sum())
            return " " + ngettext(
                "{found} of them matches a known user after fixing {label}.",
                "{found} of them match a known user after fixing {label}.",
                count,
            ).format(found=formats.count(count), label=_(label))
    return ""
