"""Interactions: IDs, TIMESTAMP, event types and values, volume after filtering, duplicates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from services.i18n import N_, N_plural, _, formats, ngettext, translated

from .columns import KeyCounter, RowLines, encode, hash_strings, mix, to_str
from .dataset import DatasetChecker, per_row_lines
from .figures import counted, pct
from .id_field import IdField
from .limits import (
    MAX_EVENT_TYPES_PLUS_METADATA,
    MAX_EXAMPLES,
    MIN_IMPORT_INTERACTIONS,
    MIN_INTERACTIONS,
    MIN_SHARE_USERS_WITH_TWO,
    MIN_USERS_WITH_TWO,
    RECOMMENDED_INTERACTIONS,
    RECOMMENDED_USERS,
    SINGLE_INTERACTION_WARN_SHARE,
)
from .report import Finding, Summary, empty_histogram
from .schema import DatasetSchema, HeaderMatch
from .timestamp_field import TimestampField

_PLACEHOLDERS = {
    "",
    "null",
    "none",
    "nan",
    "undefined",
    "unknown",
    "n/a",
    "na",
    "event",
    "default",
    "-",
    "?",
    "type",
    "event_type",
    "other",
}
_BUCKETS = [
    (1, 1),
    (2, 2),
    (3, 5),
    (6, 10),
    (11, 20),
    (21, 50),
    (51, 100),
    (101, 1000),
    (1001, None),
]


# (title, detail, fix) of the "most … have a single interaction" warnings
_SINGLE_USERS = (
    N_("Most users have a single interaction"),
    N_plural(
        "{share} of {count} user has exactly one interaction; the model learns little about "
        "it and it gets near-popular recommendations.",
        "{share} of {count} users have exactly one interaction; the model learns little about "
        "them and they get near-popular recommendations.",
    ),
    N_("Import a longer history, or check that USER_ID is stable (not a session or order ID)."),
)
_SINGLE_ITEMS = (
    N_("Most items have a single interaction"),
    N_plural(
        "{share} of {count} item has exactly one interaction; the model learns little about "
        "it and it gets near-popular recommendations.",
        "{share} of {count} items have exactly one interaction; the model learns little about "
        "them and they get near-popular recommendations.",
    ),
    N_("Import a longer history, or check that ITEM_ID is stable (not a session or order ID)."),
)


class InteractionsChecker(DatasetChecker):
    """Checks an Interactions dataset; Personalize's training minimums use the filter."""

    dataset_type = "interactions"
    special = ("USER_ID", "ITEM_ID", "TIMESTAMP")

    def __init__(
        self,
        header: Sequence[str],
        schema: DatasetSchema,
        match: HeaderMatch,
        *,
        now: float,
        event_type: str | None = None,
        event_value_threshold: float | None = None,
    ) -> None:
        super().__init__(header, schema, match)
        self.event_type = event_type
        self.threshold = event_value_threshold
        self.filtering = event_type is not None or event_value_threshold is not None
        self.user = IdField("USER_ID")
        self.item = IdField("ITEM_ID")
        self.timestamp = TimestampField("TIMESTAMP", now)
        self.types = KeyCounter()
        self.user_kept = KeyCounter()
        self.kept = 0
        self.hashes: list[np.ndarray] = []
        self.lines: list[np.ndarray] = []
        self.keep_masks: list[np.ndarray] = []

    def feed_special(self, table: pa.Table, lines: RowLines, parsed: dict[str, np.ndarray]) -> None:
        """USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE; the filter; duplicate hashes."""
        n = table.num_rows
        if not n:
            return
        parts: list[np.ndarray] = []
        user_codes = user_uniques = None
        for name, checker in (("USER_ID", self.user), ("ITEM_ID", self.item)):
            column = self.column(table, name)
            if column is not None:
                codes, uniques = checker.add(column, lines)
                parts.append(hash_strings(uniques)[codes])
                if name == "USER_ID":
                    user_codes, user_uniques = codes, uniques
        ts_column = self.column(table, "TIMESTAMP")
        if ts_column is not None:
            ts = self.timestamp.add(ts_column, lines)
            parts.append(np.where(np.isfinite(ts), ts, -1.0).view(np.uint64))
        keep = np.ones(n, dtype=bool)
        et_column = self.column(table, "EVENT_TYPE")
        if et_column is not None:
            codes, uniques, counts = encode(to_str(et_column))
            self.types.add(uniques, counts)
            if self.event_type is not None:
                hit = np.asarray([v == self.event_type for v in uniques.to_pylist()], dtype=bool)
                keep &= hit[codes]
        elif self.event_type is not None:
            keep[:] = False
        if self.threshold is not None:
            value = parsed.get("EVENT_VALUE")
            keep &= value >= self.threshold if value is not None else False
        self.kept += int(keep.sum())
        if user_codes is not None and user_uniques is not None:
            weights = keep if self.filtering else None
            counts = np.bincount(user_codes, weights=weights, minlength=len(user_uniques))
            self.user_kept.add(user_uniques, counts.astype(np.int64))
        if len(parts) == 3:
            self.hashes.append(mix(*parts))
            self.lines.append(per_row_lines(lines, n))
            if self.filtering:
                self.keep_masks.append(keep)

    def _duplicates(self) -> tuple[int, int, tuple[int, ...]]:
        """(duplicate rows, duplicate rows among the filtered ones, example lines)."""
        if not self.hashes:
            return 0, 0, ()
        sorted_h = np.concatenate(self.hashes)
        sorted_h.sort()  # in place: one extra copy of the hashes, not three
        same = sorted_h[1:] == sorted_h[:-1]
        dups = int(same.sum())
        if not dups:
            return 0, 0, ()
        values = np.unique(sorted_h[1:][same])  # the repeated hashes, sorted, usually few
        del sorted_h, same
        # Lines of every row holding a repeated hash, block by block (O(n log k)).
        found_h, found_lines = [], []
        for h, lines in zip(self.hashes, self.lines, strict=True):
            slot = np.minimum(np.searchsorted(values, h), len(values) - 1)
            hit = values[slot] == h
            found_h.append(h[hit])
            found_lines.append(lines[hit])
        hs, ls = np.concatenate(found_h), np.concatenate(found_lines)
        order = np.lexsort((ls, hs))  # by hash, then line: the first of each hash is original
        first = np.ones(len(order), dtype=bool)
        first[1:] = hs[order][1:] != hs[order][:-1]
        examples = tuple(int(x) for x in np.sort(ls[order][~first])[:MAX_EXAMPLES])
        kept_dups = dups
        if self.filtering:  # a repeat of a filtered row, itself kept
            kept_h = np.concatenate(
                [h[k] for h, k in zip(self.hashes, self.keep_masks, strict=True)]
            )
            kept_dups = len(kept_h) - len(np.unique(kept_h))
        return dups, kept_dups, examples

    def result(self) -> tuple[list[Finding], Summary, pd.Series, pd.DataFrame, pa.Array, pa.Array]:
        """Findings, summary and chart aggregates."""
        findings = self.findings()
        findings += self.user.findings(self.rows) + self.item.findings(self.rows)
        findings += self.timestamp.findings(self.rows)
        users, user_counts = self.user.counts.result()
        items, item_counts = self.item.counts.result()
        _users, kept_counts = self.user_kept.result()
        type_keys, type_counts = self.types.result()
        event_types = dict(
            sorted(
                zip(type_keys.to_pylist(), type_counts.tolist(), strict=True), key=lambda kv: -kv[1]
            )
        )
        dups, kept_dups, dup_rows = self._duplicates()
        after = self.kept - kept_dups
        with_two = int((kept_counts >= 2).sum())
        active = int((kept_counts > 0).sum())
        findings += self._event_type_findings(event_types)
        if dups:
            findings.append(
                Finding(
                    "duplicate_rows",
                    "warning",
                    _("Duplicate interactions"),
                    ngettext(
                        "{dups} row ({share}) repeats an earlier row's USER_ID, ITEM_ID and "
                        "TIMESTAMP; Personalize drops it, leaving {left} interactions.",
                        "{dups} rows ({share}) repeat an earlier row's USER_ID, ITEM_ID and "
                        "TIMESTAMP; Personalize drops them, leaving {left} interactions.",
                        dups,
                    ).format(
                        **counted(dups=dups, share=pct(dups, self.rows), left=self.rows - dups)
                    ),
                    _("Deduplicate the export (or check it wasn't appended twice)."),
                    dup_rows,
                    None,
                )
            )
        findings += self._volume(after, with_two, active)
        single_u = float((user_counts == 1).mean()) if len(user_counts) else None
        single_i = float((item_counts == 1).mean()) if len(item_counts) else None
        for noun, share, count, texts in (
            ("users", single_u, len(users), _SINGLE_USERS),
            ("items", single_i, len(items), _SINGLE_ITEMS),
        ):
            if share is not None and share >= SINGLE_INTERACTION_WARN_SHARE:
                title, detail, fix = (translated(t, count) for t in texts)
                findings.append(
                    Finding(
                        f"{noun}_single_interaction",
                        "warning",
                        title,
                        detail.format(share=formats.share(share, 1), count=formats.count(count)),
                        fix,
                    )
                )
        lo, hi = self.timestamp.time_range()
        # a count read from a column the file lacks is not known (None), not 0
        missing = tuple(name for name in self.special if name not in self.pos)
        has_users, has_items = "USER_ID" not in missing, "ITEM_ID" not in missing
        summary = Summary(
            rows=self.rows,
            users=len(users) if has_users else None,
            items=len(items) if has_items else None,
            event_types=event_types,
            time_min=lo,
            time_max=hi,
            interactions_after_filter=None if missing else after,
            users_with_two_or_more=with_two if has_users else None,
            single_interaction_user_share=single_u,
            single_interaction_item_share=single_i,
            missing_columns=missing,
        )
        histogram = _histogram(user_counts) if has_users else empty_histogram()
        return findings, summary, self._per_day(), histogram, users, items

    def _event_type_findings(self, event_types: dict[str, int]) -> list[Finding]:
        out: list[Finding] = []
        meta = len(self.metadata_columns())
        if len(event_types) + meta > MAX_EVENT_TYPES_PLUS_METADATA:
            top = ", ".join(f"{k!r} {v}" for k, v in list(event_types.items())[:12])
            types = ngettext("{count} event type", "{count} event types", len(event_types)).format(
                count=len(event_types)
            )
            out.append(
                Finding(
                    "too_many_event_types",
                    "error",
                    types,
                    _(
                        "{event_types} + {metadata} = {total}; Personalize allows {limit} in "
                        "total ({top})."
                    ).format(
                        event_types=types,
                        metadata=ngettext(
                            "{count} metadata column", "{count} metadata columns", meta
                        ).format(count=meta),
                        total=len(event_types) + meta,
                        limit=MAX_EVENT_TYPES_PLUS_METADATA,
                        top=top,
                    ),
                    _(
                        "Keep the event types that express intent (e.g. click, purchase), merge "
                        "near-duplicates, or train on one with the solution's eventType."
                    ),
                    (),
                    "EVENT_TYPE",
                )
            )
        vague = {
            k: v
            for k, v in event_types.items()
            if k.strip().lower() in _PLACEHOLDERS or k.strip().lstrip("-").isdigit()
        }
        if vague:
            shown = ", ".join(f"{k!r} ({v})" for k, v in list(vague.items())[:5])
            out.append(
                Finding(
                    "event_type_meaningless",
                    "warning",
                    _("Event types that mean nothing"),
                    _(
                        "EVENT_TYPE values {shown} name no user action; Personalize weighs and "
                        "filters by event type, so these rows are noise or a mapping bug."
                    ).format(shown=shown),
                    _("Map them to real actions (click, add_to_cart, purchase…) or drop them."),
                    (),
                    "EVENT_TYPE",
                )
            )
        if self.event_type is not None and self.event_type not in event_types:
            found = ", ".join(repr(k) for k in list(event_types)[:10]) or _("none (no EVENT_TYPE)")
            out.append(
                Finding(
                    "event_type_not_found",
                    "error",
                    _("No events of type {event_type}").format(event_type=repr(self.event_type)),
                    _(
                        "Training with eventType={event_type} keeps no interactions; the file's "
                        "event types are {found}."
                    ).format(event_type=repr(self.event_type), found=found),
                    _("Use one of the file's event types, or fix the export's EVENT_TYPE mapping."),
                    (),
                    "EVENT_TYPE",
                )
            )
        if self.threshold is not None and "EVENT_VALUE" not in self.pos:
            out.append(
                Finding(
                    "event_value_not_found",
                    "error",
                    _("No EVENT_VALUE column"),
                    _(
                        "eventValueThreshold={threshold} needs an EVENT_VALUE column; no "
                        "interaction passes the filter."
                    ).format(threshold=self.threshold),
                    _("Add EVENT_VALUE, or train without an event value threshold."),
                    (),
                    "EVENT_VALUE",
                )
            )
        return out

    def _volume(self, after: int, with_two: int, active: int) -> list[Finding]:
        out: list[Finding] = []
        how = self._filter_text()
        if self.rows < MIN_IMPORT_INTERACTIONS:
            # the import job itself fails, FULL or INCREMENTAL, however much the dataset holds:
            # say so first, so a small daily export is not read as a training problem
            out.append(
                Finding(
                    "too_few_interactions",
                    "error",
                    _("Too few interactions for an import job"),
                    ngettext(
                        "{rows} interaction record; Personalize imports at least {minimum} per "
                        "import job, FULL or INCREMENTAL alike (and training needs at least "
                        "{minimum} distinct interactions).",
                        "{rows} interaction records; Personalize imports at least {minimum} per "
                        "import job, FULL or INCREMENTAL alike (and training needs at least "
                        "{minimum} distinct interactions).",
                        self.rows,
                    ).format(
                        rows=formats.count(self.rows),
                        minimum=formats.count(MIN_IMPORT_INTERACTIONS),
                    ),
                    ngettext(
                        "Add at least {more} more interaction to the file (e.g. import a longer "
                        "period's export), or send a few new events with PutEvents through an "
                        "event tracker, which has no minimum.",
                        "Add at least {more} more interactions to the file (e.g. import a longer "
                        "period's export), or send a few new events with PutEvents through an "
                        "event tracker, which has no minimum.",
                        MIN_IMPORT_INTERACTIONS - self.rows,
                    ).format(more=formats.count(MIN_IMPORT_INTERACTIONS - self.rows)),
                )
            )
        elif after < MIN_INTERACTIONS:
            out.append(
                Finding(
                    "too_few_interactions",
                    "error",
                    _("Too few interactions to train"),
                    ngettext(
                        "{after} distinct interaction{how}; training needs at least {minimum}.",
                        "{after} distinct interactions{how}; training needs at least {minimum}.",
                        after,
                    ).format(after=after, how=how, minimum=f"{MIN_INTERACTIONS:,}"),
                    (
                        ngettext(
                            "Import at least {more} more interaction, or loosen the event type / "
                            "value filter.",
                            "Import at least {more} more interactions, or loosen the event type / "
                            "value filter.",
                            MIN_INTERACTIONS - after,
                        )
                        if how
                        else ngettext(
                            "Import at least {more} more interaction.",
                            "Import at least {more} more interactions.",
                            MIN_INTERACTIONS - after,
                        )
                    ).format(more=f"{MIN_INTERACTIONS - after:,}"),
                )
            )
        if with_two < MIN_USERS_WITH_TWO:
            out.append(
                Finding(
                    "too_few_users_with_two",
                    "error",
                    _("Too few users with 2+ interactions"),
                    ngettext(
                        "{with_two} user has 2 or more interactions{how}; training needs at "
                        "least {minimum}.",
                        "{with_two} users have 2 or more interactions{how}; training needs at "
                        "least {minimum}.",
                        with_two,
                    ).format(**counted(with_two=with_two, how=how, minimum=MIN_USERS_WITH_TWO)),
                    ngettext(
                        "Import at least 2 interactions for {more} more user.",
                        "Import at least 2 interactions for {more} more users.",
                        MIN_USERS_WITH_TWO - with_two,
                    ).format(more=formats.count(MIN_USERS_WITH_TWO - with_two)),
                )
            )
        elif active and with_two / active < MIN_SHARE_USERS_WITH_TWO:
            out.append(
                Finding(
                    "too_few_users_with_two_share",
                    "error",
                    _("Under {minimum} of users have 2+ interactions").format(
                        minimum=formats.share(MIN_SHARE_USERS_WITH_TWO)
                    ),
                    ngettext(
                        "{with_two} of {active} users ({share}) has 2 or more interactions{how}; "
                        "Personalize requires at least {minimum}.",
                        "{with_two} of {active} users ({share}) have 2 or more interactions{how}; "
                        "Personalize requires at least {minimum}.",
                        with_two,
                    ).format(
                        with_two=formats.count(with_two),
                        active=formats.count(active),
                        share=pct(with_two, active),
                        how=how,
                        minimum=formats.share(MIN_SHARE_USERS_WITH_TWO),
                    ),
                    _(
                        "Check USER_ID is a stable user ID (not a session or order ID); import "
                        "more history per user."
                    ),
                )
            )
        if not out and (after < RECOMMENDED_INTERACTIONS or active < RECOMMENDED_USERS):
            out.append(
                Finding(
                    "below_recommended_volume",
                    "info",
                    _("Less data than recommended"),
                    _(
                        "{after} interactions from {active} users{how}; Personalize recommends "
                        "{interactions} interactions from {users} users. Expect recommendations "
                        "close to popularity."
                    ).format(
                        after=f"{after:,}",
                        active=f"{active:,}",
                        how=how,
                        interactions=f"{RECOMMENDED_INTERACTIONS:,}",
                        users=f"{RECOMMENDED_USERS:,}",
                    ),
                    _("Import more history if you have it."),
                )
            )
        return out

    def _filter_text(self) -> str:
        parts = []
        if self.event_type is not None:
            parts.append(f"eventType={self.event_type!r}")
        if self.threshold is not None:
            parts.append(f"EVENT_VALUE >= {self.threshold:g}")
        return _(" after filtering ({filters})").format(filters=", ".join(parts)) if parts else ""

    def _per_day(self) -> pd.Series:
        days = sorted(self.timestamp.days)
        index = pd.to_datetime(np.asarray(days, dtype=np.int64) * 86_400, unit="s", utc=True)
        return pd.Series(
            [self.timestamp.days[d] for d in days],
            index=index.rename("date"),
            name="events",
            dtype="int64",
        )


def _histogram(counts: np.ndarray) -> pd.DataFrame:
    """Users per bucket of interactions per user."""
    labels, users = [], []
    for lo, hi in _BUCKETS:
        mask = counts >= lo if hi is None else (counts >= lo) & (counts <= hi)
        labels.append(f"{lo}+" if hi is None else (str(lo) if lo == hi else f"{lo}-{hi}"))
        users.append(int(mask.sum()))
    return pd.DataFrame({"interactions": labels, "users": users})
