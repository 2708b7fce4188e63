"""What a page's markdown draws, for tests of untrusted text.

AppTest gives the markdown source each element sends to the browser. Streamlit's frontend
parses it as CommonMark + GFM (micromark) with math, directives and a few transforms of its
own on the resolved text (``dashboard.components.text`` lists them). Here the source is parsed
by markdown-it-py, a CommonMark implementation (same escapes, links, emphasis, code, HTML),
and Streamlit's own syntax is checked on top: directives and math in the source outside code
spans, and the text transforms (autolinks, emoji shortcodes, arrows) with the regular
expressions Streamlit 1.67's bundle uses, on the resolved text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Drawn from the value would mean it was not shown as text.
_ACTIVE = {"link_open", "image", "html_inline", "html_block"}
_STYLE = {"strong_open", "em_open", "s_open"}
# The frontend's transforms on resolved text (StreamlitMarkdown bundle, Streamlit 1.67).
_TEXT_TRANSFORMS = (
    re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.I),  # GFM literal autolinks
    re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)"),  # e-mail autolinks
    # remark-emoji shortcodes (names with a leading digit left out: times such as 08:39:55)
    re.compile(r":(?!material/|streamlit:)[A-Za-z+-][\w_+-]*:"),
    re.compile(r":streamlit:"),
    re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),
)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_LABELS = ("body", "label", "help", "options", "captions", "delta")
_PLAIN_OPTIONS = {"Selectbox", "MultiSelect"}  # their options are plain text


@dataclass(frozen=True)
class Drawn:
    source: str
    text: str  # what a reader sees (word joiners removed)
    styled: str  # the text inside bold, italic or strikethrough
    active: frozenset[str]  # links, images or HTML in it


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _walk(token.children or [])


def draw(source: str) -> Drawn:
    """Parse ``source`` as Streamlit would and say what it draws.

    Raises:
        AssertionError: a text transform would turn part of it into a link, an emoji or an
            arrow, or a directive or math (``:red[``, ``$…$``) is outside code.
    """
    text, styled, depth = [], [], 0
    active: set[str] = set()
    for token in _walk(_MD.parse(source)):
        if token.type in _ACTIVE:
            active.add(token.type)
        elif token.type in _STYLE:
            depth += 1
        elif token.type.replace("_close", "_open") in _STYLE and token.type.endswith("_close"):
            depth -= 1
        elif token.type == "text":
            for pattern in _TEXT_TRANSFORMS:
                assert not pattern.search(token.content), (pattern.pattern, token.content)
            text.append(token.content)
            if depth:
                styled.append(token.content)
        elif token.type == "code_inline":
            text.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            text.append(" ")
    outside_code = _CODE_SPAN.sub("", source)
    # a directive (:red[…]); the status badges the pages draw (:green-badge[…]) are their own
    assert not re.search(r"(?<!\\):(?![a-z]+-badge\[)[a-z][a-z0-9-]*\[", outside_code), source
    # inline math as Streamlit finds it, an escaped dollar sign excepted
    assert not re.search(r"(?<![$\\])\$(?![\s$])[^$\n]*?[^\s$\\]\$(?!\d)", outside_code), source
    joined = "".join(text).replace("\u2060", "")
    return Drawn(source, joined, "".join(styled).replace("\u2060", ""), frozenset(active))


def markdown_strings(node: Any) -> Iterator[str]:
    """Every markdown string of an AppTest tree: bodies, labels, help texts, options…"""
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield from _proto_strings(proto)
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from markdown_strings(child)


def _proto_strings(message: Any) -> Iterator[str]:
    for field, value in message.ListFields():
        if field.message_type is not None:
            for item in [value] if hasattr(value, "ListFields") else value:
                if hasattr(item, "ListFields"):
                    yield from _proto_strings(item)
        elif field.name in _LABELS and not (
            field.name == "options" and message.DESCRIPTOR.name in _PLAIN_OPTIONS
        ):
            if isinstance(value, str):
                yield value
            elif not isinstance(value, bytes | int | float):
                yield from (v for v in value if isinstance(v, str))


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(source: str) -> str:
    """The markdown source with ``md_escape``'s escapes and word joiners taken out: the text a
    reader sees of an escaped value (the page's own markdown, such as ``**``, stays; an ARN,
    which ``md_escape`` draws as a code span, shows without the fences)."""
    source = _CODE_SPAN.sub(
        lambda m: m.group(2) if m.group(2).startswith("arn:") else m.group(0), source
    )
    return _ESCAPE.sub(r"\1", source).replace("\u2060", "")
