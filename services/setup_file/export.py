"""Writing a setup file: the account read by ``state.read_account`` as TOML.

Round trip: ``parse(to_toml(read_account(p).setup))`` is what was read (schemas laid out one
field a line, the same JSON), so a plan right after an export shows no change. Fields at
their absent value (None, empty tables) are left out; schemas are written inline
(``definition``, a literal string), hyperparameters as the strings Personalize holds.
"""

from __future__ import annotations

import json
from typing import Any

import tomli_w

from services.setup_file.model import VERSION, SetupFile

HEADER = (
    "# The Personalize setup: schemas, dataset groups and what they hold, by name.\n"
    "# Fields: docs/setup-file.md. Check with: python -m services.setup_file plan FILE\n"
)


def to_toml(setup: SetupFile) -> str:
    """The setup as TOML text (UTF-8; Hangul names and expressions are kept as they are).

    Every resource is written as a ``[[kind]]`` table, whatever its length, so a reviewer
    adds one the same way; its tables (hyperparameters) are written inline, on its own
    lines. tomli-w writes each value, so quoting and escapes are its."""
    out = [HEADER, f"version = {VERSION}\n"]
    dumped = setup.model_dump(by_alias=True, exclude_none=True)
    for kind, items in dumped.items():
        if kind == "version":
            continue
        for item in items:
            out.append(f"\n[[{kind}]]\n")
            for key, value in item.items():
                if value in ({}, []) or (kind == "schemas" and key == "file"):
                    continue  # empty tables say nothing; schemas are written inline
                if kind == "schemas" and key == "definition":
                    out.append(_schema_line(value))
                    continue
                out.append(_line(key, value))
    return "".join(out)


def _readable(definition: str) -> str:
    """An Avro schema laid out one field a line, for review (plan compares schemas by their
    parsed JSON, so the layout changes nothing)."""
    try:
        body = json.loads(definition)
    except json.JSONDecodeError:
        return definition
    fields = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(fields, list):
        return json.dumps(body, ensure_ascii=False)
    head = json.dumps({k: v for k, v in body.items() if k != "fields"}, ensure_ascii=False)
    lines = ",\n".join("    " + json.dumps(f, ensure_ascii=False) for f in fields)
    return head[:-1] + (", " if len(head) > 2 else "") + '"fields": [\n' + lines + "\n]}\n"


def _schema_line(definition: str) -> str:
    """``definition = '''…'''``: a literal string (no escapes to read) when the schema has
    no ''' and no control character a literal string cannot hold."""
    text = _readable(definition)
    if "'''" in text or any(ord(c) < 32 and c not in "\n\t" for c in text):
        return _line("definition", text)
    return f"definition = '''\n{text}'''\n"


def _line(key: str, value: Any) -> str:
    if isinstance(value, dict) or _tables(value):
        return f"{_key(key)} = {_inline(value)}\n"
    return tomli_w.dumps({key: value}, multiline_strings=True)


def _key(key: str) -> str:
    """``key`` as TOML writes it (bare, or quoted when it must be: ``"demo:seeded"``)."""
    return tomli_w.dumps({key: 0}).partition("=")[0].strip()


def _tables(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, dict) for v in value)


def _inline(value: Any) -> str:
    """A value on one line: tables inline (without their empty members), lists of tables as a
    list of inline tables (tomli-w would write those as ``[[key]]`` sections, which end the
    resource's own table)."""
    if isinstance(value, dict):
        inner = ", ".join(
            f"{_key(k)} = {_inline(v)}" for k, v in value.items() if v not in ({}, [])
        )
        return f"{{ {inner} }}"
    if _tables(value):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).partition("=")[2].strip()
