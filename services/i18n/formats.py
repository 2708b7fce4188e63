"""Numbers, money and dates as the reader's language writes them (Babel's CLDR data).

One format per kind of number: counts with group separators (``19,884``), metrics with four
decimals (``0.2301``), shares as percentages (``26%``, never ``26 %``), relative changes as
signed percentages (``+49.6%``), money with its currency (``₩39,000``, ``$1.50``), dates
the locale's way (``Dec 6, 2026 15:04``, ``2026년 12월 6일 15:04``) and durations in their two
largest units (``1 min 40 s``, ``1분 40초``).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, tzinfo

from babel.dates import format_datetime, format_skeleton
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
    get_minus_sign_symbol,
    get_plus_sign_symbol,
)
from babel.units import format_unit

from services.i18n.catalogue import current_language
from services.i18n.catalogue import gettext as _

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


def metric_change(value: float | None) -> str:
    """A change of a metric (``0.0552``: new minus old) with four decimals and the locale's
    signs: ``+0.0552``, ``-0.0030``; unsigned where it rounds to zero (``0.0000``, as
    ``change`` writes a share); ``–`` when unknown."""
    number = _known(value)
    if number is None:
        return NO_VALUE
    text = metric(abs(number))
    if text == metric(0.0):
        return text
    sign = get_plus_sign_symbol if number > 0 else get_minus_sign_symbol
    return sign(locale()) + text


def megabytes(value: float) -> str:
    """A size in megabytes as the locale writes the unit: ``200 MB``, ``200MB`` (CLDR)."""
    return str(format_unit(value, "digital-megabyte", length="short", locale=locale()))


def currency_digits(currency: str) -> int:
    """How many decimals an amount of ``currency`` has (ISO 4217 minor units, from CLDR as
    Babel ships it): 0 for KRW and JPY, 2 for USD and EUR."""
    return int(get_currency_precision(currency))


def money(amount: float | None, currency: str) -> str:
    """``amount`` of ``currency`` (ISO 4217: ``KRW``, ``USD``) with its symbol and the
    currency's own decimals: ``₩39,000``, ``$1.50``; ``–`` when unknown."""
    number = _known(amount)
    if number is None:
        return NO_VALUE
    return str(format_currency(number, currency, locale=locale()))


def date_time(when: datetime | None, zone: tzinfo = UTC, *, seconds: bool = False) -> str:
    """Date and minute in ``zone``: ``Dec 6, 2026 15:04`` / ``2026년 12월 6일 15:04``; with
    ``seconds``, ``Dec 6, 2026 15:04:05`` (the 24-hour clock of both locales: Korean's own
    skeleton with seconds would write ``15시 4분 5초``); ``–`` when unknown. A naive ``when``
    is taken as UTC."""
    if when is None:
        return NO_VALUE
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    day = format_skeleton("yMMMd", when, tzinfo=zone, locale=locale())
    if seconds:
        return f"{day} {format_datetime(when, 'HH:mm:ss', tzinfo=zone, locale=locale())}"
    return f"{day} {format_skeleton('Hm', when, tzinfo=zone, locale=locale())}"


def zone_name(zone: tzinfo) -> str:
    """How a time zone is named next to the times it shows: its IANA name (``Asia/Seoul``),
    ``UTC`` for UTC."""
    return str(getattr(zone, "key", None) or zone.tzname(None) or "UTC")


def duration(span: timedelta | float) -> str:
    """How long something took or has lasted (a ``timedelta`` or seconds; its size if
    negative), in its two largest units: ``53 s``, ``1 min 40 s``, ``2 h 5 min``, ``3 d 4 h``
    (``53초``, ``1분 40초``, ``2시간 5분``, ``3일 4시간``); a zero second unit is left out
    (``2 min``, ``3 h``) and what is below it is dropped, not rounded (2 h 5 min 50 s reads
    ``2 h 5 min``). Under 10 s tenths where there are any (``0.4 s``, ``9.5 s``, ``3 s``), so a
    quick local training does not read ``0 s``; ``< 0.1 s`` for a positive span below that."""
    seconds = abs(span.total_seconds() if isinstance(span, timedelta) else float(span))
    if 0 < seconds < 0.05:
        return _("< 0.1 s")
    if seconds < 9.95:
        tenths = format_decimal(round(seconds, 1), format="0.#", locale=locale())
        return _("{n} s").format(n=tenths)
    minutes, secs = divmod(int(seconds + 0.5), 60)  # half up: 12.5 s reads 13 s
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        if not hours:
            return _("{n} d").format(n=count(days))
        return _("{d} d {h} h").format(d=count(days), h=hours)
    if hours:
        return (
            _("{n} h").format(n=hours)
            if not minutes
            else _("{h} h {m} min").format(h=hours, m=minutes)
        )
    if minutes:
        return (
            _("{n} min").format(n=minutes)
            if not secs
            else _("{m} min {s} s").format(m=minutes, s=secs)
        )
    return _("{n} s").format(n=secs)
