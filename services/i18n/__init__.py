"""The one message catalogue of every string the pages show, in English and Korean.

Strings are written in English in the code and marked for extraction: ``_("…")`` where they
are shown, ``N_("…")`` where a constant is defined (translated with ``_`` when shown),
``ngettext`` where a count picks the form, ``N_plural("…", "…")`` for a constant with forms
(translated with ``translated(message, n)``). ``make messages`` extracts them with Babel into
``services/i18n/messages.pot`` and merges new ones into ``locale/ko/LC_MESSAGES/messages.po``,
where the Korean is written by hand. At run time the ``.po`` file is compiled in memory and read
through the standard library's ``gettext``; no binary ``.mo`` file is kept in the repository.

The language is per run (a context variable): the dashboard sets it at the start of every
script run from the sidebar's switch, so services that write messages for people (alerts,
readiness findings, …) speak the reader's language without knowing about Streamlit; the CLI
and the engine never set it and speak English.
"""

from services.i18n.catalogue import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    N_plural,
    Plural,
    current_language,
    gettext,
    in_every_language,
    language_for_locale,
    ngettext,
    translated,
    use_language,
)

_ = gettext

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "N_plural",
    "Plural",
    "_",
    "current_language",
    "gettext",
    "in_every_language",
    "language_for_locale",
    "ngettext",
    "translated",
    "use_language",
]
