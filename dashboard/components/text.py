"""Untrusted text drawn as text: the one escape for values shown through Streamlit markdown.

Streamlit renders markdown in ``st.markdown``, captions, alerts, toasts, headers, every widget
label and ``help`` tooltip, radio and pills options, expander, tab and popover labels,
``st.metric`` (label, value, delta), ``st.status`` labels and ``st.table`` cells. A value that
came from data or from a user (a dataset group or item name, a category, an ID, a failure
reason quoting a CSV cell, a filter expression, a mapping field, an audit actor, a service
error quoting any of them) must not draw as bold, colour, math or a link there: an item
named ``[Sign in again](http://evil)`` would otherwise be a clickable link on the page.

``md_escape`` makes a value literal text; ``md_code`` shows it as inline code (IDs and ARNs
someone will copy). Plain-text places need neither: ``st.dataframe`` cells and column
names, ``st.selectbox`` / ``st.multiselect`` options, text inputs, ``st.code``, plotly.

How Streamlit parses (its frontend, StreamlitMarkdown: react-markdown with remark-gfm,
remark-math, remark-directive, remark-emoji and a few transforms of its own):
- CommonMark lets a backslash escape every ASCII punctuation character, which stops all
  syntax: emphasis, links and images, code, HTML, headings, lists, tables, ``$`` math and
  ``:red[…]`` directives (colours, badges, ``:material/…:`` icons).
- Some transforms run on the text after escapes are resolved, so escaping cannot stop them:
  GFM's literal autolinks (``http://``, ``www.``, ``a@b.c``), ``:shortcode:`` emoji, the
  ``:streamlit:`` logo and arrows such as ``->``. A WORD JOINER (U+2060, invisible) is put
  inside each such match, which the transforms then no longer see.
- Line breaks become spaces: a value is one line of text, never a new paragraph or block.
"""

from __future__ import annotations

import html
import re

WORD_JOINER = "\u2060"
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Where a transform on resolved text would start; the joiner goes at each match's position.
_TRANSFORMS = re.compile(
    r"(?<=https)(?=://)|(?<=http)(?=://)"  # literal autolinks: http:// https://
    r"|(?<=www)(?=\.)"  # www.
    r"|(?<=[-.\w+])(?=@[-\w]+(?:\.[-\w]+)+)"  # e-mail addresses (NDCG@10 is none)
    r"|(?<=:)(?=[\w+/-]+:)"  # :shortcode: emoji, :streamlit:, :material_icon:
    # arrows and signs between spaces: <-> -> <- -- >= <= ~= (a joiner after the first sign)
    r"|(?:(?<=\s[<>~-])|(?<=^[<>~-]))(?=(?:->|[->=])(?:\s|$))",
    re.ASCII | re.IGNORECASE,
)

# An ARN (partition, service, region, account, resource); a sentence's final full stop is not
# part of it. The resource part holds no space or backtick.
_ARN = re.compile(r"(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[^\s`]*[^\s`.,;)])")


def md_escape(value: object) -> str:
    """``value`` as markdown that Streamlit draws as exactly its text (``None`` → ``""``).

    Every ASCII punctuation character is backslash-escaped, line breaks become spaces, and a
    U+2060 WORD JOINER is put inside URLs, e-mail addresses, ``:shortcodes:`` and arrows, so
    nothing of it draws as a link, bold, colour, math, an emoji or a block. The text reads
    and copies the same, except for those invisible joiners; an ARN inside it (whose
    ``:aws:``-like parts would get joiners, and AWS refuses a copied ARN holding them) is
    drawn as a code span (``md_code``) instead, which needs none and copies exactly.
    """
    if value is None:
        return ""
    text = _LINE_BREAKS.sub(" ", str(value))
    parts = _ARN.split(text)  # text, ARN, text, ARN, …, text
    return "".join(
        md_code(part)
        if n % 2
        else _ASCII_PUNCTUATION.sub(r"\\\1", _TRANSFORMS.sub(WORD_JOINER, part))
        for n, part in enumerate(parts)
    )


def md_code(value: object) -> str:
    """``value`` as an inline code span (monospace, copied exactly), whatever backticks it
    holds; ``""`` for ``None`` or an empty value.

    Nothing inside a code span is markdown, and the transforms on text do not touch it; the
    fence is one backtick longer than the longest run inside, padded with a space when the
    value starts or ends with a backtick (CommonMark strips that one space again).
    """
    if value is None:
        return ""
    text = _LINE_BREAKS.sub(" ", str(value))
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or text.strip(" ") == "" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# Punctuation md_label escapes wherever it is: it starts syntax anywhere in a line.
_ALWAYS = frozenset("*`\\<$~|{}^")
_ORDERED_ITEM = re.compile(r"\s*\d{1,9}[.)]")


def md_label(value: object) -> str:
    """``value`` as a widget label (or other one-line markdown of its own) that draws as
    exactly its text, with a backslash only before a character that would start markdown
    there: screen readers read a label's source (its ``aria-label``) and would say every
    backslash ``md_escape`` adds before ``_``, ``(``, ``[`` or ``-``.

    Left as typed: letters, digits, spaces and the punctuation that starts nothing where it
    stands: ``_`` between two letters or digits (CommonMark never opens or closes emphasis
    inside a word), ``[`` and ``]`` unless ``](``, ``][`` or ``]:`` would make a link or a
    definition, ``:`` unless a letter or ``:`` follows (a directive or ``:material/…:``),
    ``&`` unless an entity could follow, and ``( ) , . ; ! ? ' " % / = @ # + - >`` after the
    first character (at the start they may begin a list, heading or quote, so the first
    character and an ordered list's ``1.`` are escaped). ``* ` \\ < $ ~ | { } ^`` are always
    escaped. Line breaks become spaces, the text transforms get the word joiner and an ARN
    is a code span, as in ``md_escape``; ``None`` → ``""``.
    """
    if value is None:
        return ""
    text = _LINE_BREAKS.sub(" ", str(value))
    parts = _ARN.split(text)  # text, ARN, text, ARN, …, text
    return "".join(
        md_code(part) if n % 2 else _label_text(_TRANSFORMS.sub(WORD_JOINER, part), n == 0)
        for n, part in enumerate(parts)
    )


def _label_text(text: str, at_start: bool) -> str:
    first = len(text) - len(text.lstrip()) if at_start else -1
    ordered = _ORDERED_ITEM.match(text) if at_start else None
    list_mark = ordered.end() - 1 if ordered else -1
    out = []
    for i, char in enumerate(text):
        if _ASCII_PUNCTUATION.fullmatch(char) and (
            i in (first, list_mark) or _starts_syntax(text, i)
        ):
            out.append("\\")
        out.append(char)
    return "".join(out)


def _starts_syntax(text: str, i: int) -> bool:
    char = text[i]
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if char in _ALWAYS:
        return True
    if char == "_":
        return not (before.isalnum() and after.isalnum())
    if char == "]":
        return after in ("(", "[", ":")
    if char == ":":
        return after == ":" or (after.isascii() and after.isalpha())
    if char == "&":
        return after == "#" or after.isalnum()
    return False


def md_help(value: object) -> str | None:
    """A ``help=`` tooltip of untrusted text: ``md_escape(value)``, or None (no tooltip) when
    there is nothing to say."""
    return md_escape(value) if value not in (None, "") else None


def chart_text(value: object) -> str:
    """``value`` as text for a plotly label, legend entry, tick or hover: plotly.js reads a
    subset of HTML there (``<b>``, ``<br>``, ``<a href=…>``, ``<span style=…>``) and shows
    character entities as their characters, so ``&``, ``<`` and ``>`` become entities and a
    value such as ``<a href="http://evil">x</a>`` is shown, not followed."""
    return html.escape("" if value is None else str(value), quote=False)
