"""Numbers, money and dates as the reader's language writes them (Babel's CLDR data).

One format per kind of number: counts with group separators (``19,884``), metrics with four
decimals (``0.2301``), shares as percentages (``26%``, never ``26 %``), relative changes as
signed percentages (``+49.6%``), money with its currency (``₩39,000``, ``$1.50``), and dates
the locale's way (``Dec 6, 2026 15:04``, ``2026년 12월 6일 15:04``).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, tzinfo

from babel.dates import format_skeleton
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_minus_sign_symbol,
    get_plus_sign_symbol,
)
from babel.units import format_unit

from services.i18n.catalogue import current_language

# Babel locales of the catalogue's languages.
_LOCALES = {"en": "en_US", "ko": "ko_KR"}
NO_VALUE = "–"  # a number nobody reports: never "None" or "nan"


def locale() -> str:
    """The Babel locale of the current language (``en_US`` / ``ko_KR``)."""
    return _LOCALES[current_language()]


def _known(value: float | None) -> float | None:
    """``value``, or None when there is none (None or NaN)."""
    return None if value is None or math.isnan(value) else value


def count(value: float | None) -> str:
    """A count with group separators: ``19,884``; ``–`` when unknown."""
    number = _known(value)
    if number is None:
        return NO_VALUE
    return str(format_decimal(round(number), format="#,##0", locale=locale()))


def metric(value: float | None) -> str:
    """A metric (NDCG, precision, coverage…) with four decimals: ``0.2301``; ``–`` when
    unknown."""
    number = _known(value)
    if number is None:
        return NO_VALUE
    return str(format_decimal(number, format="#,##0.0000", locale=locale()))


def share(value: float | None, digits: int = 0, *, trim: bool = False) -> str:
    """A share (``0.26``: a fraction, 1 is all) as a percentage: ``26%`` (``digits``
    decimals; with ``trim`` only those it needs, up to ``digits``: ``2.5%``, ``10%``); ``–``
    when unknown."""
    number = _known(value)
    if number is None:
        return NO_VALUE
    decimals = ("#" if trim else "0") * digits
    pattern = "#,##0." + decimals + "%" if digits else "#,##0%"
    return str(format_percent(number, format=pattern, locale=locale()))


def change(value: float | None, digits: int = 0) -> str:
    """A relative change (``0.496``: new is 1.496 times old) as a signed percentage with the
    locale's signs: ``+49.6%``, ``-3.0%`` (``digits=1``); unsigned where it rounds to zero
    (``0.0%``: no change shown as a rise or a fall); ``–`` when unknown."""
    number = _known(value)
    if number is None:
        return NO_VALUE
    text = share(abs(number), digits)
    if text == share(0.0, digits):
        return text
    sign = get_plus_sign_symbol if number > 0 else get_minus_sign_symbol
    return sign(locale()) + text


def megabytes(value: float) -> str:
    """A size in megabytes as the locale writes the unit: ``200 MB``, ``200MB`` (CLDR)."""
    return str(format_unit(value, "digital-megabyte", length="short", locale=locale()))


def money(amount: float | None, currency: str) -> str:
    """``amount`` of ``currency`` (ISO 4217: ``KRW``, ``USD``) with its symbol and the
    currency's own decimals: ``₩39,000``, ``$1.50``; ``–`` when unknown."""
    number = _known(amount)
    if number is None:
        return NO_VALUE
    return str(format_currency(number, currency, locale=locale()))


def date_time(when: datetime | None, zone: tzinfo = UTC) -> str:
    """Date and minute in ``zone``: ``Dec 6, 2026 15:04`` / ``2026년 12월 6일 15:04``; ``–``
    when unknown."""
    if when is None:
        return NO_VALUE
    day = format_skeleton("yMMMd", when, tzinfo=zone, locale=locale())
    return f"{day} {format_skeleton('Hm', when, tzinfo=zone, locale=locale())}"
