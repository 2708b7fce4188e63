"""The name rule of Personalize's resources: CreateSolution, CreateFilter, CreateCampaign and
the other CreateX requests take a ``name`` of the service model's ``Name`` shape (botocore
``personalize`` service-2.json: ``"Name": {"type": "string", "min": 1, "max": 63,
"pattern": "^[a-zA-Z0-9][a-zA-Z0-9\\-_]*"}``).

The pattern is not anchored at the end in the model; Personalize refuses a name with any
other character (a trial's ``식품제외`` came back as a ValidationException), so the whole name
must match.
"""

from __future__ import annotations

import re

from services.i18n import _

NAME_PATTERN = r"[a-zA-Z0-9][a-zA-Z0-9\-_]*"
NAME_MAX = 63
_NAME = re.compile(NAME_PATTERN)


def name_problem(name: str) -> str | None:
    """Why Personalize would refuse ``name`` (already stripped) as a resource name, in the
    reader's language; None when it fits the ``Name`` shape. An empty name is a problem too:
    forms that want to say "give a name" instead check for it first."""
    if 1 <= len(name) <= NAME_MAX and _NAME.fullmatch(name):
        return None
    return _(
        "A name is 1 to {max} Latin letters (a–z, A–Z), digits, '-' or '_', "
        "starting with a letter or digit."
    ).format(max=NAME_MAX)
