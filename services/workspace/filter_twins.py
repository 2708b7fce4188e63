"""Which saved filter already has an expression. CreateFilter accepts a second filter with the
same expression in the same dataset group (API reference CreateFilter: the only uniqueness it
names is the filter's name, refused with ResourceAlreadyExistsException), so a duplicate is
said, never refused."""

from __future__ import annotations

from collections.abc import Iterable

from services.personalize.models import Filter


def comparable(expression: str) -> str:
    """``expression`` as it is compared: stripped, each run of whitespace outside double
    quotes read as one space (``IN  ("a  b")`` and ``IN ("a  b")`` agree; the quoted value is
    data and keeps its spaces)."""
    parts = expression.strip().split('"')
    return '"'.join(part if i % 2 else " ".join(part.split()) for i, part in enumerate(parts))


def filter_with_expression(
    filters: Iterable[Filter], group_arn: str, expression: str
) -> Filter | None:
    """The filter of ``filters`` (described: their expressions known) in the dataset group
    ``group_arn`` whose expression reads as ``expression`` (``comparable``); an ACTIVE one
    before others, then by name; None when there is none."""
    wanted = comparable(expression)
    twins = [
        f
        for f in filters
        if f.expression is not None
        and f.dataset_group_arn in (None, group_arn)
        and comparable(f.expression) == wanted
    ]
    return min(twins, key=lambda f: (f.status != "ACTIVE", f.name), default=None)
