"""List, then Describe: a resource deleted in between is left out, as a List made now would.

Personalize's List calls return summaries; the pages need the details, so every List is
followed by one Describe per item. Anything may be deleted between the two (by another user,
a pipeline, the console): that Describe fails with ResourceNotFoundException, which is not an
error of the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from services.errors import NotFound

T = TypeVar("T")


def described(describe: Callable[[str], T], arns: Iterable[str]) -> list[T]:
    """``describe(arn)`` for each ARN, in order, without those that no longer exist.

    Raises:
        ServiceError: any other failure of ``describe`` (denied, throttled, unreachable…).
    """
    out = []
    for arn in arns:
        try:
            out.append(describe(arn))
        except NotFound:
            continue
    return out
