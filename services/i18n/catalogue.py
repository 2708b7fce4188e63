"""Languages, the current one, and the compiled catalogue of each (see the package doc)."""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import NamedTuple

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from services.i18n.particles import resolve

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
# Language code → its name in itself (what the switch shows).
LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT_LANGUAGE = "en"
_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def po_path(language: str) -> Path:
    """Where the hand-written catalogue of ``language`` lives."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> stdlib_gettext.NullTranslations:
    """The catalogue of ``language`` (English: the msgids themselves), compiled once.

    Fuzzy and empty entries are left out, so an unfinished translation shows the English
    text rather than a guess.

    Raises:
        ValueError: ``language`` is not one of ``LANGUAGES``.
        OSError: its ``.po`` file cannot be read.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: one of {', '.join(LANGUAGES)}")
    if language == DEFAULT_LANGUAGE:
        return stdlib_gettext.NullTranslations()
    with po_path(language).open("rb") as fh:
        catalog = read_po(fh, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return stdlib_gettext.GNUTranslations(compiled)


def use_language(language: str) -> None:
    """Speak ``language`` for the rest of this run (this thread's context); an unknown code
    falls back to English."""
    _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    """The language of this run: ``"en"`` or ``"ko"``."""
    return _language.get()


def language_for_locale(locale: str | None) -> str:
    """The language to start in for a browser locale such as ``"ko-KR"`` or ``"en-US"``:
    Korean for any ``ko`` locale, English otherwise (and when the browser names none)."""
    base = (locale or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


class KoreanTemplate(str):
    """A Korean message whose ``format`` also settles its two-form particles: once the names
    are in, ``{name}을(를)`` keeps the form that fits the name (``particles.resolve``)."""

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> str:
        return resolve(str.format(self, *args, **kwargs))

    def format_map(self, mapping: Mapping[str, object]) -> str:  # type: ignore[override]
        return resolve(str.format_map(self, mapping))


def _in(language: str, text: str) -> str:
    # Korean text may hold particles after a placeholder, settled when it is formatted.
    return KoreanTemplate(resolve(text)) if language == "ko" else text


def gettext(message: str) -> str:
    """``message`` in the current language (Korean: a ``KoreanTemplate``)."""
    language = _language.get()
    return _in(language, translations(language).gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for the count ``n`` in the current language."""
    language = _language.get()
    return _in(language, translations(language).ngettext(singular, plural, n))


def in_every_language(message: str) -> set[str]:
    """``message`` as each language writes it: to recognise a label a widget sends back,
    whichever language it was drawn in."""
    return {_in(language, translations(language).gettext(message)) for language in LANGUAGES}


class Plural(NamedTuple):
    """A message with a form per count, marked with ``N_plural`` where it is defined."""

    singular: str
    plural: str


def N_plural(singular: str, plural: str) -> Plural:  # noqa: N802 (like N_)
    """Mark a ``singular``/``plural`` pair for extraction (keyword ``N_plural:1,2`` of
    ``make messages``) without translating it now; ``translated`` picks its form later."""
    return Plural(singular, plural)


def translated(message: str | Plural, n: int) -> str:
    """``message`` (an ``N_`` or ``N_plural`` constant) in the current language, in the form
    for the count ``n`` when it has forms."""
    if isinstance(message, Plural):
        return ngettext(message.singular, message.plural, n)
    return gettext(message)


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name for a no-op marker)
    """Mark ``message`` for extraction without translating it now (a constant translated
    with ``_`` where it is shown)."""
    return message
