"""Korean particles that follow a name: 이/가, 을/를, 은/는, 과/와, (으)로.

A Korean translation writes a particle after a placeholder in both forms, ``{name}을(를)``,
because the form depends on the name's last sound: after a final consonant (받침) 이, 을, 은,
과, 으로; after a vowel 가, 를, 는, 와, 로; 로 also after the consonant ㄹ. Once the name is in
the text, ``resolve`` keeps the one form that fits, from the name's last character:

- Hangul: its final consonant, from the syllable's code point (Unicode "Hangul Syllables":
  (code − 0xAC00) mod 28 is the final, 0 none, 8 ㄹ).
- A digit: its Korean reading, 영 일 이 삼 사 오 육 칠 팔 구 (0, 1, 3, 6, 7, 8 end in a
  consonant; 1, 7, 8 in ㄹ).
- Latin letters: an acronym of up to three capitals is read letter by letter (ARN 에이알엔,
  CSV 씨에스브이: L, M, N, R end in a consonant, L and R in ㄹ); a longer token as a loanword
  (shop-up 샵업, campaign 캠페인, model 모델, PENDING 펜딩: a final b, c, k, l, m, n, p or t
  and "ng" end in a consonant, l in ㄹ; a vowel, "st" and d, f, g, h, r, s, x… do not: 리스트,
  베드, 유저, 박스).

Anything else (a symbol, another script) keeps both forms, as the translator wrote them.
"""

from __future__ import annotations

import re
from typing import Literal

Final = Literal["vowel", "rieul", "consonant"]

# consonant form, vowel form (the vowel form also follows ㄹ for (으)로); a translator may
# write either form first: 이(가) or 가(이)
_FORMS = (("이", "가"), ("을", "를"), ("은", "는"), ("과", "와"))
_PAIRS = {f"{a}({b})": (c, v) for c, v in _FORMS for a, b in ((c, v), (v, c))}
_PAIRS["(으)로"] = ("으로", "로")
_TEMPLATE = re.compile("|".join(re.escape(p) for p in _PAIRS))
# Markup and quotes between a name and its particle are not read: **name**을, `arn`을, 'x'이.
_SILENT = set("*`'\"’”]\\\u2060")
_DIGITS: dict[str, Final] = {
    "0": "consonant",  # 영
    "1": "rieul",  # 일
    "2": "vowel",  # 이
    "3": "consonant",  # 삼
    "4": "vowel",  # 사
    "5": "vowel",  # 오
    "6": "consonant",  # 육
    "7": "rieul",  # 칠
    "8": "rieul",  # 팔
    "9": "vowel",  # 구
}
# Letter names: 엘, 엠, 엔, 알 end in a consonant; every other name (에이, 비, 씨…) in a vowel.
_LETTER_NAMES: dict[str, Final] = {"L": "rieul", "M": "consonant", "N": "consonant", "R": "rieul"}
_LATIN_TOKEN = re.compile(r"[A-Za-z]+$")


def _hangul(char: str) -> Final | None:
    code = ord(char) - 0xAC00
    if not 0 <= code < 11172:
        return None
    final = code % 28
    return "vowel" if final == 0 else "rieul" if final == 8 else "consonant"


def _latin(token: str) -> Final:
    if token.isupper() and len(token) <= 3:
        return _LETTER_NAMES.get(token[-1], "vowel")
    word = token.lower()
    if word.endswith("l"):
        return "rieul"
    if word.endswith("ng") or word[-1] in "bckmnp" or (word[-1] == "t" and not word.endswith("st")):
        return "consonant"
    return "vowel"


def final_sound(text: str) -> Final | None:
    """How ``text`` ends when read in Korean: "vowel", "rieul" (ㄹ) or "consonant"; None when
    its last character is neither Hangul, a digit, "%" nor a Latin letter."""
    if not text:
        return None
    last = text[-1]
    if last == "%":  # 퍼센트, read "1%를"
        return "vowel"
    if last.isdigit() and last in _DIGITS:
        return _DIGITS[last]
    latin = _LATIN_TOKEN.search(text)
    if latin:
        return _latin(latin.group())
    return _hangul(last)


def particle(word: str, template: str) -> str:
    """The form of ``template`` (``"을(를)"``, ``"이(가)"``, ``"은(는)"``, ``"과(와)"``,
    ``"(으)로"``…) that follows ``word``; the template itself when ``final_sound`` cannot
    tell. ``particle("캠페인", "을(를)") == "을"``, ``particle("shop-pop-2", "이(가)") == "가"``.

    Raises:
        KeyError: ``template`` is not one of the particles above.
    """
    consonant, vowel = _PAIRS[template]
    sound = final_sound(word)
    if sound is None:
        return template
    if sound == "vowel" or (sound == "rieul" and consonant == "으로"):
        return vowel
    return consonant


def _read_before(before: str) -> str:
    """The text whose end a particle follows: markup and closing quotes are not read, and a
    parenthesis is passed over, as Korean attaches the particle to the word before it
    ("접두사 ID(sku-…)를")."""
    while before and (before[-1] in _SILENT or before[-1] == ")"):
        if before[-1] == ")":
            opening = before.rfind("(")
            if opening <= 0:
                return before[:-1]
            before = before[:opening].rstrip()
        else:
            before = before[:-1]
    return before


def resolve(text: str) -> str:
    """``text`` with each two-form particle (``을(를)``…) replaced by the form that fits the
    word before it (markup and closing quotes between them skipped); a particle after a space,
    a placeholder or a character ``final_sound`` cannot read keeps both forms."""

    def pick(match: re.Match[str]) -> str:
        return particle(_read_before(text[: match.start()]), match.group())

    return _TEMPLATE.sub(pick, text)
