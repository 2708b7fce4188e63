"""Suggest a mapping for a raw export from its column names AND its values.

A column is proposed for a field when its name says so (English or Korean: ``customer_id``,
``회원ID``, ``상품코드``, ``주문일시`` …) and its values fit (dates or epoch numbers for TIMESTAMP,
few distinct values for EVENT_TYPE, numbers for EVENT_VALUE); when no name matches, values
alone decide. Every choice comes with a note saying why, for the person who confirms it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from services.i18n import N_, _
from services.readiness.web_addresses import holds_web_addresses

from .converters import parse_numbers
from .mapping import (
    ALLOWED_RESERVED,
    REQUIRED,
    RESERVED,
    FieldMap,
    Mapping,
    MappingError,
    Source,
    parse_mapping,
)
from .reader import RawLayout, detect, iter_chunks
from .timestamps import (
    REASON_EMPTY,
    REASON_UNREADABLE,
    compact_date_share,
    guess_format,
    to_epoch_seconds,
)
from .vocabulary import (
    EVENT_WORDS,
    ITEM_NAME_FIELDS,
    ITEM_NAME_WORDS,
    METADATA_NAMES,
    NAMES,
    ORDER_WORDS,
    PERSONAL,
)

SAMPLE_ROWS = 2_000
# Epoch units as the notes name them (marked for the message catalogue).
EPOCH_UNITS = (N_("seconds"), N_("milliseconds"), N_("microseconds"))
_SPLITTERS = (">", ";", ",", "/", "|")


@dataclass(frozen=True)
class Suggestion:
    """A mapping to start from, why each field was chosen, and the layout that was read."""

    mapping: Mapping
    notes: tuple[str, ...]
    layout: RawLayout
    # Raw columns that fit a field but were left out, each with why (e.g. not in the schema).
    unmapped: tuple[str, ...] = ()
    # Which zone times without an offset are read in, and why (from the data or a fallback).
    timezone_note: str = ""


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name).lower()


def _name_score(field: str, column: str) -> int:
    norm = _norm(column)
    for rank, word in enumerate(NAMES.get(field, ())):
        if norm == word:
            return 100 - rank
        if word in norm and len(word) >= 3 or (word in norm and not word.isascii()):
            return 50 - rank
    return 0


def _text(values: pd.Series) -> pd.Series:
    text = values.dropna().astype("str").str.strip()
    return text[text != ""]


def _numeric_share(values: pd.Series) -> float:
    text = _text(values)
    return float(np.isfinite(parse_numbers(text)).mean()) if len(text) else 0.0


def _timestamp_share(values: pd.Series, fmt: str | None) -> float:
    """Share of non-empty values read as plausible times (2001 and later) with ``fmt``."""
    parsed = to_epoch_seconds(values, fmt=fmt)
    filled = ~parsed.failures[REASON_EMPTY]
    if not filled.any():
        return 0.0
    ok = filled & ~parsed.failures[REASON_UNREADABLE] & (parsed.seconds >= 1e9)
    return float(ok.sum() / filled.sum())


def _timestamp_format(values: pd.Series, bar: float) -> tuple[bool, str | None]:
    """(found, format): None = typed values, epoch numbers or ISO 8601, read per value."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return True, None
    text = _text(values)
    if text.empty:
        return False, None
    if compact_date_share(text) >= bar:
        return True, "%Y%m%d%H%M%S" if text.str.len().max() == 14 else "%Y%m%d"
    if _timestamp_share(text, None) >= bar:
        return True, None
    fmt = guess_format(text, bar)
    return fmt is not None and _timestamp_share(text, fmt) >= bar, fmt


def _fits(field: str, values: pd.Series, by_name: bool) -> bool:
    # A column whose name says what it is may hold some bad values (they become rejects).
    bar = 0.5 if by_name else 0.98
    if field in ("TIMESTAMP", "CREATION_TIMESTAMP"):
        return _timestamp_format(values, bar)[0]
    if field == "EVENT_VALUE":
        return _numeric_share(values) >= bar
    text = _text(values)
    if text.empty:
        return False
    if field == "EVENT_TYPE":
        return text.nunique() <= 20
    return bool(text.str.len().max() <= 256) and not _timestamp_format(values, 0.98)[0]


def _timestamp_field(name: str, column: str, values: pd.Series) -> tuple[FieldMap, str]:
    fmt = _timestamp_format(values, 0.5)[1]
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return FieldMap(name, column), _("typed date-times")
    text = _text(values)
    numbers = pd.to_numeric(text, errors="coerce")
    if fmt is None and numbers.notna().mean() >= 0.5:
        median = float(numbers.median())
        unit = "seconds" if median < 1e11 else "milliseconds" if median < 1e14 else "microseconds"
        return FieldMap(name, column, unit=unit), _("epoch {unit}").format(unit=_(unit))
    if fmt is None:
        return FieldMap(name, column), _("ISO 8601 date-times and epoch numbers")
    note = _("date-time text read as {format}").format(format=fmt)
    if "%d/%m" in fmt or "%m/%d" in fmt:
        note += _(" (check the day/month order)")
    return FieldMap(name, column, format=fmt), note


def _event_values(values: pd.Series) -> dict[str, str]:
    out = {}
    for raw in sorted(_text(values).unique()):
        out[raw] = EVENT_WORDS.get(raw.lower().replace(" ", ""), raw)
    return out


def _is_item_name(column: str) -> bool:
    norm = _norm(column)
    return norm in ITEM_NAME_WORDS or any(w in norm for w in ITEM_NAME_WORDS if not w.isascii())


def _item_name(
    column: str, values: pd.Series, used: set[str], in_schema: Collection[str] | None
) -> FieldMap | None:
    """An item-name column (``상품명``, ``product_name``) as a plain string field: the name
    the pages show beside the item's ID. Not categorical (every item has its own) and not
    textual (Items take one textual field, which a description deserves more)."""
    names = [f for f in ITEM_NAME_FIELDS if in_schema is None or f in in_schema]
    name = next((f for f in names if f not in used), None)
    if name is None or _text(values).empty:
        return None
    return FieldMap(name, column, type="string")


def _metadata(
    column: str, values: pd.Series, used: set[str], textual_taken: bool
) -> FieldMap | None:
    known = METADATA_NAMES.get(column.strip())
    name = (known or re.sub(r"[^A-Za-z0-9_]+", "_", column).strip("_")).upper()
    if not name or not re.match(r"^[A-Z_]", name) or name in used or name in RESERVED:
        return None  # a reserved name here is another dataset type's field (USER_ID in items)
    if any(word in _norm(column) for word in PERSONAL):
        return None  # names, e-mails, phones and addresses are not features to import
    text = _text(values)
    if text.empty:
        return None
    if _numeric_share(values) >= (0.75 if known else 0.98):  # a known name: PRICE, AGE …
        numbers = parse_numbers(text)
        numbers = numbers[np.isfinite(numbers)]
        return FieldMap(name, column, type="int" if (numbers % 1 == 0).all() else "float")
    if holds_web_addresses(text):
        return FieldMap(name, column, type="string")  # an address split on "/" is no category
    if not textual_taken and (name == "DESCRIPTION" or text.str.len().mean() >= 40):
        return FieldMap(name, column, type="textual")
    split = "".join(s for s in _SPLITTERS if text.str.contains(s, regex=False).mean() >= 0.2)
    if known or split or text.nunique() <= max(0.5 * len(text), 1):
        return FieldMap(name, column, type="categorical", split=split or None)
    return None


def _a(dataset_type: str) -> str:
    return ("an " if dataset_type[0] in "aeiou" else "a ") + dataset_type


def _wrong_kind(dataset_type: str, header: tuple[str, ...]) -> str | None:
    """Why the file looks like another dataset type's export, or None."""
    others = [f for f in ("USER_ID", "ITEM_ID") if f not in ALLOWED_RESERVED[dataset_type]]
    for field in others:
        named = [c for c in header if _name_score(field, c) > 50]  # the whole name, not a part
        if named and dataset_type == "items":
            return (
                f"column {named[0]!r} looks like {field}, which an items dataset does not have "
                "(an interactions export?)"
            )
        if named and any(_name_score("TIMESTAMP", c) for c in header):
            return f"columns {named[0]!r} ({field}) and a time column (an interactions export?)"
    return None


_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_KOREAN_ENCODINGS = {"cp949", "euc_kr", "ms949", "uhc", "johab", "iso2022_kr"}
KOREA = "Asia/Seoul"


def data_timezone(layout: RawLayout, sample: pd.DataFrame) -> tuple[str | None, str]:
    """The time zone a raw export's own times are most likely written in, and why: Korea's
    for a Korean export (a Korean encoding, or Hangul in its column names or sampled text);
    None when the file does not say."""
    if (layout.encoding or "").lower().replace("-", "_") in _KOREAN_ENCODINGS:
        return KOREA, _("a Korean export (encoding {encoding})").format(encoding=layout.encoding)
    if any(_HANGUL.search(c) for c in layout.header):
        return KOREA, _("a Korean export (Hangul column names)")
    for column in sample.columns:
        values = sample[column]
        text = _text(values)
        if not pd.api.types.is_numeric_dtype(values.dtype) and text.str.contains(_HANGUL).any():
            return KOREA, _("a Korean export (Hangul values)")
    return None, ""


def suggest_mapping(
    path: str | Path,
    dataset_type: str,
    *,
    timezone: str | None = None,
    fallback_timezone: str = "UTC",
    source: Source | None = None,
    schema_fields: Collection[str] | None = None,
) -> Suggestion:
    """A mapping for ``path`` to confirm or adjust; the notes say why each field was chosen.

    ``timezone`` (IANA) is where times written without an offset are read; None: from the
    data (``data_timezone``: Asia/Seoul for a Korean export), else ``fallback_timezone``
    (the dashboard passes the browser's zone), and a note says which.

    ``schema_fields``: the target dataset's schema field names when known; only those fields
    are suggested, and the notes name each raw column left unmapped because of it.

    Raises:
        RawFileError / FileNotFoundError: the file cannot be read.
        MappingError: a required field has no plausible column, or the file looks like
            another dataset type's export (the error says which column shows it). The
            mapping returned always passes ``parse_mapping``.
    """
    layout = detect(path, source)
    chunk = next(iter_chunks(path, layout, layout.header, chunk_rows=SAMPLE_ROWS), None)
    sample = chunk.frame.head(SAMPLE_ROWS) if chunk is not None else pd.DataFrame()
    wrong = _wrong_kind(dataset_type, layout.header)
    if wrong:
        raise MappingError([f"this file does not look like {_a(dataset_type)} file: {wrong}"])
    in_schema = None if schema_fields is None else {f.upper() for f in schema_fields}
    wanted = ALLOWED_RESERVED[dataset_type]
    # Every (score, field, column) with values that fit; the best pairs first, each used once.
    scored = []
    for field in wanted:
        for i, column in enumerate(layout.header):
            by_name = _name_score(field, column)
            wanted_by_name = by_name > 0
            if (wanted_by_name or field in REQUIRED[dataset_type]) and _fits(
                field, sample[column], wanted_by_name
            ):
                scored.append((by_name, -i, field, column))
    chosen: dict[str, str] = {}
    for _score, _order, field, column in sorted(scored, reverse=True):
        if field not in chosen and column not in chosen.values():
            chosen[field] = column
    missing = [f for f in REQUIRED[dataset_type] if f not in chosen]
    if missing:
        raise MappingError(
            [
                f"no column looks like {f} (columns: {', '.join(map(repr, layout.header))}): "
                f"this file does not look like {_a(dataset_type)} file"
                for f in missing
            ]
        )
    fields: list[FieldMap] = []
    notes: list[str] = []
    unmapped: list[str] = []
    for field in wanted:
        if field not in chosen:
            continue
        column = chosen[field]
        if in_schema is not None and field not in in_schema:
            unmapped.append(
                _(
                    "{column} left unmapped: it looks like {field}, which the target dataset's "
                    "schema does not have"
                ).format(column=repr(column), field=field)
            )
            continue
        how = _("by name and values") if _name_score(field, column) else _("by values")
        if field in ("TIMESTAMP", "CREATION_TIMESTAMP"):
            spec, detail = _timestamp_field(field, column, sample[column])
            how += f"; {detail}"
        elif field == "EVENT_TYPE":
            spec = FieldMap(field, column, values=_event_values(sample[column]))
            how += _("; confirm each value's event type")
        else:
            spec = FieldMap(field, column)
        fields.append(spec)
        notes.append(
            _("{field} ← {column} ({how})").format(field=field, column=repr(column), how=how)
        )
    if dataset_type == "interactions" and "EVENT_TYPE" not in chosen:
        schema_ok = in_schema is None or "EVENT_TYPE" in in_schema
        named = [*layout.header, Path(path).name]
        if schema_ok and any(w in _norm(c) for c in named for w in ORDER_WORDS):
            fields.append(FieldMap("EVENT_TYPE", constant="Purchase"))
            notes.append(_("EVENT_TYPE = 'Purchase' (an orders export without an event column)"))
    if dataset_type != "interactions":
        used = {f.name for f in fields}
        textual = False
        for column in layout.header:
            if column in chosen.values():
                continue
            if dataset_type == "items" and _is_item_name(column):
                name_spec = _item_name(column, sample[column], used, in_schema)
                if name_spec is not None:
                    fields.append(name_spec)
                    used.add(name_spec.name)
                    notes.append(
                        _("{field} ← {column} (the item's name, shown beside its ID)").format(
                            field=name_spec.name, column=repr(column)
                        )
                    )
                    continue
            meta_spec = _metadata(column, sample[column], used, textual)
            if meta_spec is None:
                continue
            if in_schema is not None and meta_spec.name not in in_schema:
                unmapped.append(
                    _(
                        "{column} left unmapped: {field} is not in the target dataset's schema"
                    ).format(column=repr(column), field=meta_spec.name)
                )
                continue
            fields.append(meta_spec)
            used.add(meta_spec.name)
            textual |= meta_spec.type == "textual"
            if meta_spec.type == "string":
                note = _("{field} ← {column} (web addresses, kept whole as text)")
            else:
                note = _("{field} ← {column} ({type} metadata)")
            notes.append(
                note.format(field=meta_spec.name, column=repr(column), type=_(meta_spec.type or ""))
            )
    if timezone is None:
        timezone, why = data_timezone(layout, sample)
        if timezone is None:
            timezone, why = fallback_timezone, _("the file does not say")
        timezone_note = _("times without an offset read in {zone} ({why})").format(
            zone=timezone, why=why
        )
    else:
        timezone_note = _("times without an offset read in {zone}").format(zone=timezone)
    source_doc = {"format": layout.format, "encoding": layout.encoding or "auto"}
    source_doc["delimiter"] = layout.delimiter or "auto"
    doc = {
        "version": 1,
        "dataset_type": dataset_type,
        "timezone": timezone,
        "source": source_doc,
        "fields": [f.to_dict() for f in fields],
    }
    return Suggestion(parse_mapping(doc), tuple(notes), layout, tuple(unmapped), timezone_note)
