"""The demo shop's resources come from its setup file (``examples/demo-shop.toml``), applied
with the setup file's own plan and apply (services.setup_file) in two phases:

1. before the replay: everything but the recommender and the campaigns of the solutions
   that first train on everything (similar-items, ranking). Apply creates the schemas, both
   dataset groups, their datasets (importing the bulk files), the tracker, the filters, the
   solutions and the metric attribution, and trains version 1 of the two solutions whose
   campaigns the replay alternates between (a campaign's solution without a version is
   trained first), then deploys them;
2. after the replay and the retrainings the demo starts itself: the whole file, which adds
   the recommender and deploys the similar-items and ranking campaigns on the versions
   training (apply waits for a version already training instead of starting another).

Solutions of an optional recipe the engine lacks are left out, with their campaigns.
"""

from __future__ import annotations

from typing import Any

from services.config import Settings
from services.costs.pricing import prices_for
from services.datasets.local_engine.queue import queue_source
from services.demo import waiting
from services.demo.plan import NAMES
from services.demo.waiting import POLLING, Clock, DemoError
from services.setup_file.apply import Applier
from services.setup_file.model import SetupFile
from services.setup_file.plan import make_plan
from services.setup_file.ranges import account_problems
from services.setup_file.references import Key
from services.setup_file.state import read_account

# deployed only after the replay, on versions trained on everything
LATER_CAMPAIGNS = (NAMES.similar_items_campaign, NAMES.ranking_campaign)


def available(setup: SetupFile, recipes: set[str]) -> SetupFile:
    """``setup`` without the solutions whose recipe is not in ``recipes`` and their
    campaigns."""
    kept = [s for s in setup.solutions if s.recipe in recipes]
    names = {s.name for s in kept}
    return setup.model_copy(
        update={
            "solutions": kept,
            "campaigns": [c for c in setup.campaigns if c.solution in names],
        }
    )


def before_replay(setup: SetupFile) -> SetupFile:
    """Phase one: ``setup`` without its recommenders and ``LATER_CAMPAIGNS``."""
    return setup.model_copy(
        update={
            "recommenders": [],
            "campaigns": [c for c in setup.campaigns if c.name not in LATER_CAMPAIGNS],
        }
    )


def apply(p: Any, settings: Settings, setup: SetupFile, clock: Clock) -> dict[Key, str]:
    """Plan ``setup`` against the engine and apply it, saying each step and, every
    ``waiting.PROGRESS_SECONDS``, what it waits for (and, for a job not started yet, what it
    is queued behind in the in-process engine); returns every resource's ARN by
    ``(kind, name)``.

    Raises:
        DemoError: the file does not fit the engine (a recipe or hyperparameter it lacks).
        ApplyError: a step failed (named), as services.setup_file.apply raises it.
        ClientError, BotoCoreError: reading the engine failed.
    """
    problems = account_problems(p, setup)
    if problems:
        raise DemoError("the demo's setup file does not fit the engine: " + "; ".join(problems))
    account = read_account(p)
    plan = make_plan(setup, account, prices_for(settings.region, settings.prices))
    applier = Applier(
        p,
        setup,
        account,
        polling=POLLING,
        say=clock.say,
        progress_s=waiting.PROGRESS_SECONDS,
        queued=queue_source(settings),
    )
    applier.apply(plan)
    return applier.arns
