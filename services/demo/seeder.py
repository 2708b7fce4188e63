"""The demo's steps, in order (the story: services.demo.shop).

The resources come from the demo's setup file, applied before and after the replay
(services.demo.from_file); what the file does not say is done here: the bulk files, the
replayed traffic, the retrainings on everything, the popular-items campaign moved to its new
version, and the mark that the seed finished.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from services.config import Settings
from services.demo import data as demo_data
from services.demo import eshop, experiment, from_file, waiting
from services.demo.data import DemoData
from services.demo.plan import BUCKET, GROUP, NAMES, OPTIONAL_RECIPES, SEEDED_TAG, demo_setup
from services.demo.replay import replay
from services.demo.waiting import Clock, DemoError
from services.personalize.clients import Clients
from services.personalize.models import version_label


class Seeder:
    """Runs the steps; ``clock.step`` says which one is running."""

    def __init__(self, clients: Clients, settings: Settings, clock: Clock) -> None:
        self.clients, self.p = clients, clients.personalize
        self.settings, self.clock = settings, clock
        self.now = int(time.time())
        # after ``run``: the recommendations campaign's version 1, which it serves, and the
        # version 2 trained on everything, which it does not serve yet (their ARNs)
        self.served_version = self.newer_version = ""

    def run(self) -> None:
        clock = self.clock
        clock.step = "checking recipes"
        setup = from_file.available(demo_setup(), self._recipes())
        clock.step = "generating data"
        clock.say("generating the shop's items, shoppers and their events")  # 1-3 s
        data = demo_data.generate(self.now)
        self._write_bulk(data)
        clock.say(
            f"generated {len(data.items) + len(data.new_items):,} items, "
            f"{len(data.users) + len(data.new_users):,} users, {len(data.interactions):,} "
            f"bulk interactions and {len(data.events):,} events"
        )
        clock.step = "creating the shop from its setup file and training version 1"
        arns = from_file.apply(self.p, self.settings, from_file.before_replay(setup), clock)
        clock.step = "sending the new collection, new shoppers and their events"
        tracker = self.p.describe_event_tracker(
            eventTrackerArn=arns[("event_trackers", NAMES.tracker)]
        )["eventTracker"]
        datasets: dict[str, str] = {
            d.type: arns[("datasets", d.name)] for d in setup.datasets if d.dataset_group == GROUP
        }
        pop = arns[("campaigns", NAMES.popularity_campaign)]
        split = experiment.arms(pop, arns[("campaigns", NAMES.recommendations_campaign)])
        replay(self.clients, data, datasets, tracker["trackingId"], split, clock.say)
        started = datetime.fromtimestamp(int(data.events["TIMESTAMP"].min()), UTC)
        clock.say(experiment.record(self.settings, arns[("dataset_groups", GROUP)], split, started))
        clock.step = "training on everything"
        solution = {name: arns[("solutions", name)] for name in _names(setup.solutions)}
        # Started before the file's second apply, which deploys the similar-items and ranking
        # campaigns on these versions (waiting for them) rather than training its own.
        trained = {
            name: self._train(solution[name])
            for name in (NAMES.similar_items, NAMES.user_personalization, NAMES.popularity)
            if name in solution
        }
        # The popular-items arm is refreshed on everything, as a shop refreshes its
        # best-sellers: a version scored on the 300 bulk shoppers only would be compared by
        # the next refresh's guardrail with one scored on the new collection's shoppers, a
        # different hold-out (Personalize's guide: never compare versions trained on
        # different data), and refused although it ranks the current shoppers far better.
        # Ranking and v2 learn everything too, so the Solutions page compares them with
        # version 2 on the same data; item-affinity gives "Who should get this?" a segmenting
        # version; v2, the longest, goes last.
        later = (NAMES.ranking, NAMES.item_affinity, NAMES.user_personalization_v2)
        trained |= {name: self._train(solution[name]) for name in later if name in solution}
        clock.step = "deploying the recommender and what trains on everything"
        arns = from_file.apply(self.p, self.settings, setup, clock)
        clock.step = "moving the popular-items campaign to its version trained on everything"
        pop2 = trained[NAMES.popularity]
        waiting.wait(
            clock,
            (
                f"version 2 of {NAMES.popularity} ({version_label(pop2)})",
                waiting.version(self.p, pop2),
            ),
        )
        self.p.update_campaign(campaignArn=pop, solutionVersionArn=pop2)
        waiting.wait(
            clock,
            (
                f"the update of campaign {NAMES.popularity_campaign}",
                waiting.campaign_update(self.p, pop),
            ),
            *[
                (f"the new version of {name}", waiting.version(self.p, arn))
                for name, arn in trained.items()
            ],
        )
        self.served_version = self.p.describe_campaign(
            campaignArn=arns[("campaigns", NAMES.recommendations_campaign)]
        )["campaign"]["solutionVersionArn"]
        self.newer_version = trained[NAMES.user_personalization]
        clock.step = "marking the demo shop finished"
        self.p.tag_resource(
            resourceArn=arns[("dataset_groups", GROUP)],
            tags=[{"tagKey": SEEDED_TAG, "tagValue": time.strftime("%Y-%m-%dT%H:%M:%SZ")}],
        )

    def _recipes(self) -> set[str]:
        names = {
            r["name"]
            for page in self.p.get_paginator("list_recipes").paginate()
            for r in page["recipes"]
        }
        missing = {s.recipe for s in demo_setup().solutions} - names
        if missing - OPTIONAL_RECIPES:
            raise DemoError(f"the engine lacks the recipe(s) {', '.join(sorted(missing))}")
        for recipe in sorted(missing):
            self.clock.say(f"recipe {recipe} is not available: its solution is skipped")
        return names

    def _write_bulk(self, data: DemoData) -> None:
        folder = self.settings.data_dir / "s3" / BUCKET
        folder.mkdir(parents=True, exist_ok=True)
        frames = {"Interactions": data.interactions, "Items": data.items, "Users": data.users}
        for kind, frame in frames.items():
            frame.to_csv(folder / f"{kind.lower()}.csv", index=False)
        eshop.write_files(folder / eshop.GROUP, data)

    def _train(self, solution: str) -> str:
        return str(
            self.p.create_solution_version(solutionArn=solution, trainingMode="FULL")[
                "solutionVersionArn"
            ]
        )


def _names(specs: Any) -> list[str]:
    return [s.name for s in specs]
