"""The demo shop (dataset group ``demo-shop``), created through Personalize's own API.

``seed_demo`` replays what a real team went through (DESIGN.md, lessons 2 and 3): version 1 of
``demo-user-personalization`` is trained on a small bulk history and deployed on the campaign
``demo-recommendations``; then a new collection (PutItems) brings new shoppers (PutUsers) whose
clicks arrive through PutEvents; version 2 is trained on everything, but the campaign still
serves version 1, which knows neither those shoppers nor those items and gives them all the same
popular items. See ``services.demo.data`` for the data and ``DemoNames`` for what the
dashboard can use.

Only boto3 calls touch the engine, so the demo also works against ``make serve``
(PERSONALIZE_ENDPOINT_URL); bulk files are written to ``$data_dir/s3/demo-shop/`` and imported
as ``s3://demo-shop/...``.

While it waits, a line every ``PROGRESS_SECONDS`` says what it waits for, in which state, and
for how long. A finished seed tags the group (``SEEDED_TAG``), so a later ``--if-empty`` run
can tell a finished shop from one whose seed stopped midway.

Failure midway: nothing is rolled back (Personalize has no transactions and deleting half a
group is slower and riskier than keeping it). The group is left as it is, the message names the
step that failed and how to start over (``START_OVER``: delete the data directory); a rerun
refuses because ``demo-shop`` exists, and ``--if-empty`` (``make run``) says what the earlier
seed left unfinished and fails instead of serving a half-built shop.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from services.config import Settings
from services.demo import data as demo_data
from services.demo import eshop, experiment, leftovers
from services.demo.data import SCHEMAS, DemoData
from services.demo.leftovers import one_line
from services.demo.plan import (
    ATTRIBUTED_METRICS,
    BUCKET,
    DEMO_ROLE,
    FILTERS,
    GROUP,
    METRICS_PATH,
    NAMES,
    OPTIONAL_RECIPES,
    SEEDED_TAG,
    SOLUTION_CONFIGS,
    SOLUTIONS,
    DemoNames,
    demo_arns,
)
from services.experiments.records import Arm
from services.personalize.clients import Clients, build_clients
from services.polling import Polling, PollTimedOut, wait_for

RECIPE_PREFIX = "arn:aws:personalize:::recipe/"
POLL_SECONDS = 0.1
PROGRESS_SECONDS = 5.0  # a line at least this often while waiting or replaying events
WAIT_TIMEOUT = 900.0  # training on a slow, busy machine can take minutes
SHOWN_PROBLEMS = 4  # what an unfinished seed left undone, at most, in its one-line message
BATCH = 10  # PutEvents, PutItems and PutUsers take at most 10 records per call
EXIT_EXISTS, EXIT_FAILED = 1, 2


SHOWN = 10  # items per replayed recommendation list (the impression)


class DemoError(Exception):
    """A step of the demo did not end ACTIVE (or took too long)."""


class _Clock:
    """Prints progress lines with the time since the start."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def say(self, message: str) -> None:
        print(f"[{time.monotonic() - self.start:5.1f}s] {message}", flush=True)


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
        print(f"demo: skipped, the engine already has {len(groups)} dataset group(s)")
        return 0
    if demo_groups:
        state = f" but is not finished ({'; '.join(unfinished)})" if unfinished else ""
        print(
            f"demo: dataset group {demo_groups[0]} already exists{state}; nothing changed. "
            + start_over(settings),
            file=sys.stderr,
        )
        return EXIT_EXISTS
    clock = _Clock()
    where = settings.endpoint_url or f"the local engine in {settings.data_dir}"
    clock.say(f"seeding {GROUP} on {where}")
    seeder = _Seeder(clients, settings, clock)
    try:
        seeder.run()
    except (ClientError, BotoCoreError, DemoError, OSError) as err:
        print(f"demo: failed while {seeder.step}: {one_line(err)}", file=sys.stderr)
        print(
            f"demo: the partly created group {GROUP} is left as it is. {start_over(settings)}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    clock.say(f"demo shop ready: campaign {NAMES.recommendations_campaign} serves version 1")
    return 0


class _Seeder:
    """The steps of the demo, in order; ``step`` says which one is running."""

    def __init__(self, clients: Clients, settings: Settings, clock: _Clock) -> None:
        self.p, self.events, self.runtime = clients.personalize, clients.events, clients.runtime
        self.settings = settings
        self.say = clock.say
        self.now = int(time.time())
        self.stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self.now))
        self.step = "starting"

    def run(self) -> None:
        self.step = "checking recipes"
        available = self._recipes()
        self.step = "creating the dataset group"
        schemas = {
            kind: self._schema(f"{GROUP}-{kind.lower()}", body) for kind, body in SCHEMAS.items()
        }
        group = self.p.create_dataset_group(name=GROUP)["datasetGroupArn"]
        domain_schemas = {
            kind: self._schema(f"{eshop.GROUP}-{kind.lower()}", body, eshop.DOMAIN)
            for kind, body in eshop.ESHOP_SCHEMAS.items()
        }
        domain_group = self.p.create_dataset_group(name=eshop.GROUP, domain=eshop.DOMAIN)[
            "datasetGroupArn"
        ]
        self.step = "generating data"
        data = demo_data.generate(self.now)
        self._write_bulk(data)
        self.say(
            f"generated {len(data.items) + len(data.new_items):,} items, "
            f"{len(data.users) + len(data.new_users):,} users, {len(data.interactions):,} "
            f"bulk interactions and {len(data.events):,} events"
        )
        self._wait(
            ("dataset group", self._describe("group", group)),
            ("domain dataset group", self._describe("group", domain_group)),
        )
        self.step = "creating datasets, solutions, filters and the event tracker"
        datasets = {
            kind: self.p.create_dataset(
                name=f"{GROUP}-{kind.lower()}",
                schemaArn=schemas[kind],
                datasetGroupArn=group,
                datasetType=kind,
            )["datasetArn"]
            for kind in SCHEMAS
        }
        domain_datasets = {
            kind: self.p.create_dataset(
                name=f"{eshop.GROUP}-{kind.lower()}",
                schemaArn=domain_schemas[kind],
                datasetGroupArn=domain_group,
                datasetType=kind,
            )["datasetArn"]
            for kind in eshop.ESHOP_SCHEMAS
        }
        solutions = {
            name: self.p.create_solution(
                name=name,
                datasetGroupArn=group,
                recipeArn=RECIPE_PREFIX + recipe,
                **({"solutionConfig": SOLUTION_CONFIGS[name]} if name in SOLUTION_CONFIGS else {}),
            )["solutionArn"]
            for name, recipe in SOLUTIONS.items()
            if recipe in available
        }
        filters = {
            name: self.p.create_filter(name=name, datasetGroupArn=group, filterExpression=expr)[
                "filterArn"
            ]
            for name, expr in FILTERS.items()
        }
        tracker = self.p.create_event_tracker(name=NAMES.tracker, datasetGroupArn=group)
        self._wait(
            *[(f"dataset {k}", self._describe("dataset", a)) for k, a in datasets.items()],
            *[
                (f"{eshop.GROUP} dataset {k}", self._describe("dataset", a))
                for k, a in domain_datasets.items()
            ],
            *[(f"filter {k}", self._describe("filter", a)) for k, a in filters.items()],
            ("event tracker", self._describe("tracker", tracker["eventTrackerArn"])),
        )
        self.step = "importing the bulk data"
        jobs = {
            kind: self.p.create_dataset_import_job(
                jobName=f"{GROUP}-{kind.lower()}-{self.stamp}",
                datasetArn=datasets[kind],
                dataSource={"dataLocation": f"s3://{BUCKET}/{kind.lower()}.csv"},
                importMode="FULL",
            )["datasetImportJobArn"]
            for kind in SCHEMAS
        }
        jobs.update(
            {
                f"{eshop.GROUP} {kind}": self.p.create_dataset_import_job(
                    jobName=f"{eshop.GROUP}-{kind.lower()}-{self.stamp}",
                    datasetArn=domain_datasets[kind],
                    dataSource={"dataLocation": f"s3://{BUCKET}/{eshop.GROUP}/{kind.lower()}.csv"},
                    importMode="FULL",
                )["datasetImportJobArn"]
                for kind in eshop.ESHOP_SCHEMAS
            }
        )
        self._wait(*[(f"import of {k}", self._describe("import", a)) for k, a in jobs.items()])
        self.step = "training version 1"
        self._wait(
            *[(f"solution {k}", self._describe("solution", a)) for k, a in solutions.items()]
        )
        v1 = self._train(solutions[NAMES.user_personalization])
        pop = self._train(solutions[NAMES.popularity])
        self._wait(
            (f"{NAMES.user_personalization} version 1", self._describe("version", v1)),
            (f"{NAMES.popularity} version", self._describe("version", pop)),
        )
        self.step = "deploying version 1"
        campaigns = {
            NAMES.recommendations_campaign: self._deploy(NAMES.recommendations_campaign, v1),
            NAMES.popularity_campaign: self._deploy(NAMES.popularity_campaign, pop),
        }
        self.step = "creating the metric attribution"
        attribution = self.p.create_metric_attribution(
            name=NAMES.attribution,
            datasetGroupArn=group,
            metrics=list(ATTRIBUTED_METRICS),
            metricsOutputConfig={"roleArn": DEMO_ROLE, "s3DataDestination": {"path": METRICS_PATH}},
        )["metricAttributionArn"]
        self._wait(
            ("metric attribution", self._describe("attribution", attribution)),
            *[(f"campaign {k}", self._describe("campaign", a)) for k, a in campaigns.items()],
        )
        self.step = "sending the new collection, new shoppers and their events"
        split = experiment.arms(
            campaigns[NAMES.popularity_campaign], campaigns[NAMES.recommendations_campaign]
        )
        self._stream(data, datasets, tracker["trackingId"], split)
        started = datetime.fromtimestamp(int(data.events["TIMESTAMP"].min()), UTC)
        self.say(experiment.record(self.settings, group, split, started))
        self.step = "training version 2"
        # Similar-items first: the worker trains in order, so its campaign is created while
        # version 2 trains.
        sims = solutions.get(NAMES.similar_items)
        sims_version = self._train(sims) if sims else None
        v2 = self._train(solutions[NAMES.user_personalization])
        # The popular-items arm is refreshed on everything, as a shop refreshes its
        # best-sellers: a version scored on the 300 bulk shoppers only would be compared by
        # the next refresh's guardrail with one scored on the new collection's shoppers, a
        # different hold-out (Personalize's guide: never compare versions trained on
        # different data), and refused although it ranks the current shoppers far better.
        pop2 = self._train(solutions[NAMES.popularity])
        # Ranking and v2 learn everything too, so the Solutions page compares them with
        # version 2 on the same data; v2, the longest, goes last.
        later = {
            name: self._train(solutions[name])
            for name in (NAMES.ranking, NAMES.user_personalization_v2)
            if name in solutions
        }
        recommender = self.p.create_recommender(
            name=eshop.RECOMMENDER, datasetGroupArn=domain_group, recipeArn=eshop.USE_CASE
        )["recommenderArn"]
        if sims_version:
            self._wait((f"{NAMES.similar_items} version", self._describe("version", sims_version)))
            campaigns[NAMES.similar_items_campaign] = self._deploy(
                NAMES.similar_items_campaign, sims_version
            )
        self._wait((f"{NAMES.popularity} version 2", self._describe("version", pop2)))
        if NAMES.ranking in later:
            self._wait(
                (f"{NAMES.ranking} version", self._describe("version", later[NAMES.ranking]))
            )
            campaigns[NAMES.ranking_campaign] = self._deploy(
                NAMES.ranking_campaign, later[NAMES.ranking]
            )
        self.p.update_campaign(
            campaignArn=campaigns[NAMES.popularity_campaign], solutionVersionArn=pop2
        )
        self._wait(
            (f"{NAMES.user_personalization} version 2", self._describe("version", v2)),
            (
                f"update of campaign {NAMES.popularity_campaign}",
                self._describe("campaign update", campaigns[NAMES.popularity_campaign]),
            ),
            (f"recommender {eshop.RECOMMENDER}", self._describe("recommender", recommender)),
            *[(f"campaign {k}", self._describe("campaign", a)) for k, a in campaigns.items()],
            *[(f"{k} version", self._describe("version", a)) for k, a in later.items()],
        )
        self.step = "marking the demo shop finished"
        self.p.tag_resource(
            resourceArn=group,
            tags=[{"tagKey": SEEDED_TAG, "tagValue": time.strftime("%Y-%m-%dT%H:%M:%SZ")}],
        )

    # -- steps -----------------------------------------------------------------------------
    def _recipes(self) -> set[str]:
        names = {
            r["name"]
            for page in self.p.get_paginator("list_recipes").paginate()
            for r in page["recipes"]
        }
        missing = set(SOLUTIONS.values()) - names
        if missing - OPTIONAL_RECIPES:
            raise DemoError(f"the engine lacks the recipe(s) {', '.join(sorted(missing))}")
        for recipe in sorted(missing):
            self.say(f"recipe {recipe} is not available: its solution is skipped")
        return names

    def _schema(self, name: str, body: str, domain: str | None = None) -> str:
        """Create a schema, or reuse one of the same name and fields from an earlier demo."""
        try:
            extra = {"domain": domain} if domain else {}
            return self.p.create_schema(name=name, schema=body, **extra)["schemaArn"]
        except self.p.exceptions.ResourceAlreadyExistsException:
            for page in self.p.get_paginator("list_schemas").paginate():
                for summary in page["schemas"]:
                    if summary["name"] == name:
                        arn = summary["schemaArn"]
                        found = self.p.describe_schema(schemaArn=arn)["schema"]["schema"]
                        if json.loads(found) == json.loads(body):
                            return arn
            raise DemoError(f"a different schema named {name} exists; delete it first") from None

    def _write_bulk(self, data: DemoData) -> None:
        folder = self.settings.data_dir / "s3" / BUCKET
        folder.mkdir(parents=True, exist_ok=True)
        frames = {"Interactions": data.interactions, "Items": data.items, "Users": data.users}
        for kind, frame in frames.items():
            frame.to_csv(folder / f"{kind.lower()}.csv", index=False)
        eshop.write_files(folder / eshop.GROUP, data)

    def _train(self, solution: str) -> str:
        return self.p.create_solution_version(solutionArn=solution, trainingMode="FULL")[
            "solutionVersionArn"
        ]

    def _deploy(self, name: str, version: str) -> str:
        return self.p.create_campaign(name=name, solutionVersionArn=version, minProvisionedTPS=1)[
            "campaignArn"
        ]

    def _stream(
        self,
        data: DemoData,
        datasets: dict[str, str],
        tracking_id: str,
        split: list[Arm],
    ) -> None:
        """PutItems, PutUsers, then each session's events. A session starts with a list from
        the campaign of the shopper's arm of the demo's experiment (services.demo.experiment:
        popular vs personalised, with a planted lift); events on items of that list carry its
        recommendationId and the list as their impression."""
        started = time.monotonic()
        items = data.new_items.rename(columns=str.lower).rename(
            columns={"item_id": "itemId", "creation_timestamp": "creationTimestamp"}
        )
        for chunk in _chunks(items.to_dict("records")):
            self.events.put_items(
                datasetArn=datasets["Items"],
                items=[{"itemId": r.pop("itemId"), "properties": json.dumps(r)} for r in chunk],
            )
        for chunk in _chunks(data.new_users.to_dict("records")):
            self.events.put_users(
                datasetArn=datasets["Users"],
                users=[
                    {"userId": r["USER_ID"], "properties": json.dumps({"segment": r["SEGMENT"]})}
                    for r in chunk
                ],
            )
        calls = 0
        sessions = data.events.groupby(["USER_ID", "SESSION_ID"], sort=False)
        said = time.monotonic()
        for n, ((user, session), frame) in enumerate(sessions):
            if time.monotonic() - said >= PROGRESS_SECONDS:
                said = time.monotonic()
                self.say(
                    f"replaying shoppers' sessions: {n:,} of {sessions.ngroups:,} "
                    f"({said - started:.0f}s so far)"
                )
            arm = experiment.arm_of(user, split)
            shown = self.runtime.get_recommendations(
                campaignArn=arm.target, userId=user, numResults=SHOWN
            )
            listed = [i["itemId"] for i in shown["itemList"]]
            if not experiment.sends_purchases(user, arm):
                frame = frame.loc[frame["EVENT_TYPE"] != "Purchase"]
            rows = frame[["ITEM_ID", "EVENT_TYPE", "TIMESTAMP"]].itertuples(index=False)
            for chunk in _chunks(list(rows)):
                events = []
                for item, event_type, ts in chunk:
                    event: dict[str, Any] = {
                        "itemId": item,
                        "eventType": event_type,
                        "sentAt": int(ts),
                    }
                    if item in listed:
                        event["recommendationId"] = shown["recommendationId"]
                        event["impression"] = listed
                    events.append(event)
                self.events.put_events(
                    trackingId=tracking_id, userId=user, sessionId=session, eventList=events
                )
                calls += 1
        self.say(
            f"sent {len(data.new_items):,} items, {len(data.new_users):,} users and "
            f"{len(data.events):,} events ({calls:,} PutEvents calls) "
            f"in {time.monotonic() - started:.1f}s"
        )

    # -- waiting ---------------------------------------------------------------------------
    def _describe(self, kind: str, arn: str) -> Callable[[], dict[str, Any]]:
        call, param, key = {
            "group": (self.p.describe_dataset_group, "datasetGroupArn", "datasetGroup"),
            "dataset": (self.p.describe_dataset, "datasetArn", "dataset"),
            "filter": (self.p.describe_filter, "filterArn", "filter"),
            "tracker": (self.p.describe_event_tracker, "eventTrackerArn", "eventTracker"),
            "import": (
                self.p.describe_dataset_import_job,
                "datasetImportJobArn",
                "datasetImportJob",
            ),
            "solution": (self.p.describe_solution, "solutionArn", "solution"),
            "version": (self.p.describe_solution_version, "solutionVersionArn", "solutionVersion"),
            "campaign": (self.p.describe_campaign, "campaignArn", "campaign"),
            "campaign update": (self.p.describe_campaign, "campaignArn", "campaign"),
            "recommender": (self.p.describe_recommender, "recommenderArn", "recommender"),
            "attribution": (
                self.p.describe_metric_attribution,
                "metricAttributionArn",
                "metricAttribution",
            ),
        }[kind]
        if kind == "campaign update":  # the campaign stays ACTIVE; its update is what ends
            return lambda: (
                call(**{param: arn})[key].get("latestCampaignUpdate") or {"status": "ACTIVE"}
            )
        return lambda: call(**{param: arn})[key]

    def _wait(self, *what: tuple[str, Callable[[], dict[str, Any]]]) -> None:
        """Poll several resources together until all are ACTIVE; DemoError if one fails."""
        started = said = time.monotonic()
        pending = dict(what)
        states: dict[str, str] = {}

        def read() -> dict[str, str]:
            for label, describe in list(pending.items()):
                doc = describe()
                states[label] = doc["status"]
                if doc["status"] == "ACTIVE":
                    del pending[label]
                elif doc["status"] not in ("CREATE PENDING", "CREATE IN_PROGRESS"):
                    reason = doc.get("failureReason") or "no reason given"
                    raise DemoError(f"{label} is {doc['status']}: {reason}")
            return states

        def progress(_: dict[str, str], waited: float) -> None:
            nonlocal said
            if time.monotonic() - said >= PROGRESS_SECONDS:
                said = time.monotonic()
                self.say(
                    f"{self.step}: waiting {waited:.0f}s so far for "
                    + ", ".join(f"{label} ({states[label]})" for label in pending)
                )

        try:
            wait_for(
                read, lambda _: not pending, Polling(POLL_SECONDS, WAIT_TIMEOUT), between=progress
            )
        except PollTimedOut:
            raise DemoError(f"{', '.join(pending)} not ACTIVE after {WAIT_TIMEOUT:.0f}s") from None
        self.say(
            f"{', '.join(label for label, _ in what)} ACTIVE ({time.monotonic() - started:.1f}s)"
        )


def _chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


__all__ = ["NAMES", "DemoError", "DemoNames", "demo_arns", "seed_demo", "start_over"]
