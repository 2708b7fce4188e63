"""The filter expression tokenizer: words, double-quoted strings, $PARAMs, numbers,
operators and punctuation, with balanced parentheses checked before parsing (``parse``).

Every error is a ``FilterExpressionError`` naming the position and the text near it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.local.filters.expression import FilterExpressionError

# ASCII only: dataset and field names are Avro names ([A-Za-z_][A-Za-z0-9_]*), and numbers
# are written in ASCII digits; any other letter or digit outside a quoted value is refused
# as an unexpected character (InvalidInputException), never half-matched.
NUMBER_RE = re.compile(r"-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
WORD_RE = re.compile(r"[A-Za-z0-9_]+")
OP_RE = re.compile(r"[=<>!]+")


@dataclass(frozen=True)
class Token:
    kind: str  # WORD STRING PARAM NUMBER OP ( ) , | . END
    text: str
    pos: int


def near(text: str, pos: int) -> str:
    """Where an error is, for its message: the position and the text around it."""
    snippet = text[max(0, pos - 15) : pos + 25].replace("\n", " ")
    return f"at position {pos} (near {snippet!r})"


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an END token.

    Raises:
        FilterExpressionError: an unterminated or empty string, a bare '$', an unexpected
            character, or unbalanced parentheses.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise FilterExpressionError(f"unterminated string {near(text, i)}")
            if end == i + 1:
                raise FilterExpressionError(f"empty string value {near(text, i)}")
            tokens.append(Token("STRING", text[i + 1 : end], i))
            i = end + 1
        elif ch == "$":
            m = WORD_RE.match(text, i + 1)
            if not m:
                raise FilterExpressionError(f"'$' must start a parameter name {near(text, i)}")
            tokens.append(Token("PARAM", m.group(), i))
            i = m.end()
        elif m := NUMBER_RE.match(text, i):
            tokens.append(Token("NUMBER", m.group(), i))
            i = m.end()
        elif m := WORD_RE.match(text, i):
            tokens.append(Token("WORD", m.group(), i))
            i = m.end()
        elif m := OP_RE.match(text, i):
            tokens.append(Token("OP", m.group(), i))
            i = m.end()
        elif ch in "(),|.":
            tokens.append(Token(ch, ch, i))
            i += 1
        else:
            hint = "; string values are double-quoted" if ch in "'`“”" else ""
            raise FilterExpressionError(f"unexpected character {ch!r} {near(text, i)}{hint}")
    tokens.append(Token("END", "", n))
    _check_parentheses(text, tokens)
    return tokens


def _check_parentheses(text: str, tokens: list[Token]) -> None:
    opened: list[int] = []
    for tok in tokens:
        if tok.kind == "(":
            opened.append(tok.pos)
        elif tok.kind == ")":
            if not opened:
                raise FilterExpressionError(
                    f"unbalanced parentheses: ')' has no matching '(' {near(text, tok.pos)}"
                )
            opened.pop()
    if opened:
        raise FilterExpressionError(
            f"unbalanced parentheses: '(' is never closed {near(text, opened[-1])}"
        )
