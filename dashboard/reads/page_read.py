"""A page read: the backend's failure drawn where the read was called, ``None`` returned."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from dashboard.components.errors import show_failure
from services.errors import ServiceError
from services.i18n import _

P = ParamSpec("P")
T = TypeVar("T")


def page_read(what: str) -> Callable[[Callable[P, T]], Callable[P, T | None]]:
    """Make ``fn`` a page read: a ServiceError is drawn as "Could not read <what>: …" and the
    read returns None. Anything else is a bug and propagates."""

    def wrap(fn: Callable[P, T]) -> Callable[P, T | None]:
        @functools.wraps(fn)
        def read(*args: P.args, **kwargs: P.kwargs) -> T | None:
            try:
                return fn(*args, **kwargs)
            except ServiceError as err:
                show_failure(_("Could not read {what}").format(what=_(what)), err)
                return None

        return read

    return wrap
