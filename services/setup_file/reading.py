"""Reading a setup file: TOML text -> a checked :class:`SetupFile`, or every problem.

The structure is checked by pydantic (unknown fields, wrong types, limits), then schema files
are read, names and references checked (``references.reference_problems``) and what the
file alone shows of each solution's HPO (``hpo.file_problems``); each problem
is one line naming its path (``campaigns[1].min_tps: must be greater than or equal to 1``).
A file with a structural problem is not checked further: references are read only from a
well-formed file.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from services.setup_file.hpo import file_problems
from services.setup_file.model import NAME_PATTERN, SetupFile, SetupFileError
from services.setup_file.references import reference_problems


def load(path: Path) -> SetupFile:
    """Read and check the file at ``path`` (schemas given by ``file`` are read, relative to
    it, into ``definition``).

    Raises:
        SetupFileError: unreadable, not TOML, or any structural or reference problem (all of
            them, one message each).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SetupFileError([f"{path}: cannot read it: {err}"]) from err
    return parse(text, base=path.parent)


def parse(text: str, base: Path | None = None) -> SetupFile:
    """Check TOML ``text`` (``base``: where schema files are looked up). Raises SetupFileError."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SetupFileError([f"not TOML: {err}"]) from err
    try:
        setup = SetupFile.model_validate(raw)
    except ValidationError as err:
        raise SetupFileError(_messages(err)) from err
    setup, problems = _read_schemas(setup, base)
    problems += reference_problems(setup)
    problems += file_problems(setup)
    if problems:
        raise SetupFileError(problems)
    return setup


def _read_schemas(setup: SetupFile, base: Path | None) -> tuple[SetupFile, list[str]]:
    problems: list[str] = []
    schemas = []
    for i, schema in enumerate(setup.schemas):
        where = f"schemas[{i}]"
        if (schema.definition is None) == (schema.file is None):
            problems.append(f"{where}: give exactly one of definition or file")
            schemas.append(schema)
            continue
        body = schema.definition
        if schema.file is not None:
            try:
                body = ((base or Path.cwd()) / schema.file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                problems.append(f"{where}.file: cannot read {schema.file}: {err}")
                schemas.append(schema)
                continue
        try:
            parsed = json.loads(body or "")
        except json.JSONDecodeError as err:
            problems.append(f"{where}.definition: not JSON: {err}")
            parsed = None
        if parsed is not None and not isinstance(parsed, dict):
            problems.append(f"{where}.definition: an Avro schema is a JSON object")
        schemas.append(schema.model_copy(update={"definition": body}))
    return setup.model_copy(update={"schemas": schemas}), problems


def _messages(err: ValidationError) -> list[str]:
    """One line per pydantic error, its location written as a path (``solutions[2].name``).

    A field of a union type (hyperparameter values) fails once per member; only the first
    message of each location is kept, so a problem is said once."""
    seen: dict[str, str] = {}
    for item in err.errors(include_url=False):
        loc = [part for part in item["loc"] if not _is_union_tag(part)]
        path = _path(loc)
        if path in seen:
            continue
        seen[path] = _message(item)
    return [f"{path}: {message}" if path else message for path, message in seen.items()]


def _is_union_tag(part: Any) -> bool:
    # pydantic names the union member that failed ("str", "int", "constrained-str") in loc.
    return isinstance(part, str) and (part in {"str", "int", "float", "bool"} or "[" in part)


def _path(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(item: Any) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "value_error":  # a check of ours (tags): its message as written
        return str(item["ctx"]["error"])
    if kind == "string_pattern_mismatch":
        pattern = item["ctx"]["pattern"]
        if pattern == NAME_PATTERN:
            return "a name is letters, digits, '-' and '_', starting with a letter or digit"
        return f"must match {pattern}"
    if kind == "literal_error":
        return f"must be {item['ctx']['expected']}, not {item['input']!r}"
    return str(item["msg"]).replace("Input should be", "must be").replace("Value should", "must")
