"""What is wrong with a mapping document: one template per kind of problem.

``parse_mapping`` and ``load_mapping`` (``services.prepare.mapping``) find the problems; each is
kept as where it is in the document (a JSON path such as ``fields[2] (TIMESTAMP).unit``), its
``Kind`` and its values. ``str()`` is the English the CLI prints and the tests of the
prepare package read ("fields[2] (TIMESTAMP).unit: must be one of auto, seconds, …");
``in_language`` renders the same template in the reader's language for the pages (Data ›
Prepare, Operations › Refresh), the path and the values (names, the document's own text) as
they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from services.i18n import N_, _
from services.workspace.dataset_type_names import dataset_type_name


class Kind(Enum):
    """A kind of problem; its value is its English template (the CLI's words). No template
    holds the problem's path: ``MappingProblem`` puts it before the text."""

    NOT_OBJECT = N_("the document must be a JSON object")
    UNKNOWN_KEYS = N_("unknown keys {keys}")
    NOT_VERSION = N_("must be {version}, not {value}")
    NOT_DATASET_TYPE = N_("must be one of {choices}")
    NOT_TIMEZONE = N_("{value} is not an IANA time zone such as Asia/Seoul")
    SOURCE_NOT_OBJECT = N_("must be an object")
    NOT_ONE_OF = N_("must be one of {choices}, not {value}")
    NOT_CODEC = N_("must be a codec name such as utf-8 or cp949")
    UNKNOWN_ENCODING = N_("unknown encoding {value}")
    NOT_DELIMITER = N_("must be one character (e.g. ',' or '\\t') or 'auto'")
    NO_FIELDS = N_("must be a non-empty list")
    FIELD_NOT_OBJECT = N_("must be an object with name and column (or constant)")
    NOT_FIELD_NAME = N_("must be a field name like USER_ID or GENRES, not {value}")
    NOT_IN_DATASET = N_("{name} is not a field of a {dataset_type} dataset")
    COLUMN_OR_CONSTANT = N_("give exactly one of column (a raw column) or constant")
    EMPTY_COLUMN = N_("must be a non-empty string")
    BAD_CONSTANT = N_("must be a string or a number")
    FIXED_TYPE = N_("{name} has a fixed type; remove type")
    BAD_VALUES = N_("must map raw text to non-empty output text")
    NOT_TIMESTAMP = N_("format/unit apply to TIMESTAMP and CREATION_TIMESTAMP only")
    BAD_FORMAT = N_("must be a strptime format such as {example}")
    BAD_SPLIT = N_("only for categorical fields; the separator characters")
    TWICE = N_("{name} is mapped more than once")
    REQUIRED_FIELD = N_("{name} is required for a {dataset_type} dataset")
    UNREADABLE = N_("cannot read {path}: {error}")
    NOT_JSON = N_("not JSON: {error} at line {line}")


_INVALID = N_("invalid mapping: {problems}")
_PLACED = N_("{where}: {problem}")


@dataclass(frozen=True)
class MappingProblem:
    """One problem: ``where`` in the document (a JSON path; "" for the whole document), its
    ``kind`` and the ``values`` its template names."""

    where: str
    kind: Kind
    values: Mapping[str, str] = field(default_factory=dict)

    def _said(self, template: str, placed: str, values: Mapping[str, str]) -> str:
        text = template.format(**values)
        return placed.format(where=self.where, problem=text) if self.where else text

    def __str__(self) -> str:
        return self._said(self.kind.value, _PLACED, self.values)

    def in_language(self) -> str:
        """The problem in the reader's language ("fields[1] (GENRE).type: …"), a dataset
        type named as ``dataset_type_name`` names it ("상호작용")."""
        values = dict(self.values)
        if "dataset_type" in values:
            values["dataset_type"] = dataset_type_name(values["dataset_type"]).lower()
        return self._said(_(self.kind.value), _(_PLACED), values)


def problem(where: str, kind: Kind, **values: object) -> MappingProblem:
    """A problem of ``kind`` at ``where`` with its values as text.

    Raises:
        KeyError: a value its template needs is missing (checked here, so a wrong call fails
            where it is made, not when the problem is shown).
    """
    found = MappingProblem(where, kind, {k: str(v) for k, v in values.items()})
    str(found)  # raises KeyError now if the template and the values do not match
    return found


def invalid_mapping(problems: list[MappingProblem | str], in_language: bool = False) -> str:
    """ "invalid mapping: <problem>; <problem>…", in English or (``in_language``) the reader's
    language; a problem given as text (a caller's own sentence) as it is."""
    said = [
        p.in_language() if in_language and isinstance(p, MappingProblem) else str(p)
        for p in problems
    ]
    return (_(_INVALID) if in_language else _INVALID).format(problems="; ".join(said))
