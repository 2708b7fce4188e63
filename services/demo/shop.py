"""The demo shop (dataset group ``demo-shop``), created through Personalize's own API.

``seed_demo`` replays what a real team went through (DESIGN.md, lessons 2 and 3): version 1 of
``demo-user-personalization`` is trained on a small bulk history and deployed on the campaign
``demo-recommendations``; then a new collection (PutItems) brings new shoppers (PutUsers) whose
clicks arrive through PutEvents; version 2 is trained on everything, but the campaign still
serves version 1, which knows neither those shoppers nor those items and gives them all the same
popular items. Its resources are those of its setup file, ``examples/demo-shop.toml``, made
by the setup file's own apply before and after the replay (``services.demo.from_file``); the
steps are ``services.demo.seeder``'s. See ``services.demo.data`` for the data and
``DemoNames`` for what the dashboard can use.

Only boto3 calls touch the engine, so the demo also works against ``make serve``
(PERSONALIZE_ENDPOINT_URL); bulk files are written to ``$data_dir/s3/demo-shop/`` and imported
as ``s3://demo-shop/...``.

While it waits, a line every ``waiting.PROGRESS_SECONDS`` says what it waits for, in which
state, and for how long. A finished seed tags the group (``SEEDED_TAG``), so a later
``--if-empty`` run can tell a finished shop from one whose seed stopped midway.

Failure midway: nothing is rolled back (Personalize has no transactions and deleting half a
group is slower and riskier than keeping it). The group is left as it is, the message names the
step that failed and how to start over (``START_OVER``: delete the data directory); a rerun
refuses because ``demo-shop`` exists, and ``--if-empty`` (``make run``) says what the earlier
seed left unfinished and fails instead of serving a half-built shop.
"""

from __future__ import annotations

import sys

from botocore.exceptions import BotoCoreError, ClientError

from services.config import Settings
from services.demo import leftovers
from services.demo.leftovers import one_line
from services.demo.plan import GROUP, NAMES, SEEDED_TAG, DemoNames, demo_arns
from services.demo.seeder import Seeder
from services.demo.waiting import Clock, DemoError
from services.i18n import ngettext
from services.personalize.clients import build_clients
from services.personalize.models import version_label
from services.setup_file.apply import ApplyError

SHOWN_PROBLEMS = 4  # what an unfinished seed left undone, at most, in its one-line message
EXIT_EXISTS, EXIT_FAILED = 1, 2


def start_over(settings: Settings) -> str:
    """The command that removes a half-built demo (and everything else in the data folder)."""
    return (
        f"To start over: make clean-data && make run (deletes the data directory "
        f"{settings.data_dir}: the engine's resources and the dashboard's accounts and audit log)."
    )


def seed_demo(settings: Settings, *, if_empty: bool = False) -> int:
    """Create the demo shop. Returns 0 (done or skipped), 1 (it exists) or 2 (failed, or with
    ``if_empty``: an earlier seed did not finish).

    With ``if_empty`` nothing happens when a finished demo shop, or only other dataset groups,
    exist; a demo group whose seed stopped midway is reported with what is missing.
    """
    if not settings.is_local:
        print("demo: refusing to seed real AWS; the demo is for the local engine", file=sys.stderr)
        return EXIT_FAILED
    clients = build_clients(settings)
    p = clients.personalize
    try:
        groups = [
            g["name"]
            for page in p.get_paginator("list_dataset_groups").paginate()
            for g in page["datasetGroups"]
        ]
    except (ClientError, BotoCoreError) as err:
        print(f"demo: cannot reach Personalize: {err}", file=sys.stderr)
        return EXIT_FAILED
    demo_groups = [g for g in (GROUP, NAMES.domain_group) if g in groups]
    unfinished: list[str] = []
    if demo_groups:
        try:
            unfinished = leftovers.unfinished(p, settings, demo_groups)
        except (ClientError, BotoCoreError) as err:
            print(f"demo: cannot read the demo shop: {one_line(err)}", file=sys.stderr)
            return EXIT_FAILED
    if len(unfinished) > SHOWN_PROBLEMS:
        more = len(unfinished) - SHOWN_PROBLEMS
        unfinished = [*unfinished[:SHOWN_PROBLEMS], f"{more} more"]
    if if_empty and unfinished:
        print(
            f"demo: the demo shop from an earlier run is not finished: {'; '.join(unfinished)}. "
            f"Its seed stopped midway (or is still running elsewhere). {start_over(settings)}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if if_empty and groups:
        print(
            ngettext(
                "demo: skipped, the engine already has {n} dataset group",
                "demo: skipped, the engine already has {n} dataset groups",
                len(groups),
            ).format(n=len(groups))
        )
        return 0
    if demo_groups:
        state = f" but is not finished ({'; '.join(unfinished)})" if unfinished else ""
        print(
            f"demo: dataset group {demo_groups[0]} already exists{state}; nothing changed. "
            + start_over(settings),
            file=sys.stderr,
        )
        return EXIT_EXISTS
    clock = Clock()
    where = settings.endpoint_url or f"the local engine in {settings.data_dir}"
    clock.say(f"seeding {GROUP} on {where}")
    seeder = Seeder(clients, settings, clock)
    try:
        seeder.run()
    except (ClientError, BotoCoreError, DemoError, ApplyError, OSError) as err:
        # an apply's error names its own step ("importing s3://… into datasets/…: …")
        step = "" if isinstance(err, ApplyError) else f"{clock.step}: "
        print(f"demo: failed while {step}{one_line(err)}", file=sys.stderr)
        print(
            f"demo: the partly created group {GROUP} is left as it is. {start_over(settings)}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    # the versions named as every page names them (version_label), to be found there
    clock.say(
        f"demo shop ready: campaign {NAMES.recommendations_campaign} serves version 1, "
        f"{version_label(seeder.served_version)}; version 2, "
        f"{version_label(seeder.newer_version)}, is ACTIVE and not deployed"
    )
    return 0


__all__ = [
    "NAMES",
    "SEEDED_TAG",
    "DemoError",
    "DemoNames",
    "demo_arns",
    "seed_demo",
    "start_over",
]
