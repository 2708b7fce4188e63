"""What the local engine's recipes do beyond their recipe type, by name, in one place.

The engine is the service here, so these are its own facts; the dashboard keeps the client's
side of them in ``services/workspace/recipe_capabilities.py``, which the engine, sitting below the
facade, does not import. Sources are the developer guide's recipe pages.
"""

from __future__ import annotations

# trainingMode UPDATE: User-Personalization v1 and v2 only (CreateSolutionVersion reference).
UPDATE_RECIPES = frozenset({"aws-user-personalization", "aws-user-personalization-v2"})
# The v2 recipes return item metadata without enableMetadataWithRecommendations ("Item
# metadata in recommendations").
# Semantic-Similarity's campaigns "automatically choose to include item metadata" (its page).
METADATA_BY_DEFAULT = frozenset(
    {"aws-user-personalization-v2", "aws-personalized-ranking-v2", "aws-semantic-similarity"}
)
# Exploration (explorationWeight, explorationItemAgeCutOff) is a User-Personalization feature.
EXPLORING_RECIPES = frozenset({"aws-user-personalization", "aws-user-personalization-v2"})
# Recipes whose model is one popularity (or trend) vector served to everybody: their items
# carry no "Popular item" reason and no personalised scores.
POPULARITY_RECIPES = frozenset({"aws-popularity-count", "aws-trending-now"})
# solutionConfig.optimizationObjective: "If you use the User-Personalization recipe or
# Personalized-Ranking recipe, you can optimize ... for an objective in addition to maximum
# relevance" (developer guide, "Optimizing a solution for an additional objective").
OBJECTIVE_RECIPES = frozenset({"aws-user-personalization", "aws-personalized-ranking"})
# solutionConfig.eventsConfig (event type weights and thresholds): "If you use the
# User-Personalization-v2 recipe or Personalized-Ranking-v2 recipe, you can optimize ... with an
# events configuration" (developer guide, "Optimizing a solution with events configuration").
EVENTS_CONFIG_RECIPES = frozenset({"aws-user-personalization-v2", "aws-personalized-ranking-v2"})
# "You can't get batch recommendations with the Trending-Now recipe"; Next-Best-Action batches
# are batch segment jobs of actions, not item lists.
NO_BATCH_RECIPES = frozenset({"aws-trending-now", "aws-next-best-action"})
# USER_SEGMENTATION recipes answer batch segment jobs only: no campaign, no batch inference
# ("Item-Affinity recipe": "you can get user segments with a batch segment job").
SEGMENT_RECIPES = frozenset({"aws-item-affinity", "aws-item-attribute-affinity"})
# rankingInfluence (POPULARITY, FRESHNESS) and performIncrementalUpdate: "supported only for
# solutions that use the semantic-similarity recipe" (CreateSolution, CampaignConfig reference).
RANKING_INFLUENCE_RECIPES = frozenset({"aws-semantic-similarity"})
INCREMENTAL_RECIPES = frozenset({"aws-semantic-similarity"})
# The datasets a recipe cannot train without (each recipe's "Required and optional datasets";
# every other recipe needs Interactions only). Semantic-Similarity reads item text and takes
# interactions only for popularity.
REQUIRED_DATASETS: dict[str, tuple[str, ...]] = {
    "aws-semantic-similarity": ("Items",),
    # Next-Best-Action predicts "from the actions you import into your Actions dataset" from
    # users' interactions with items and actions (Action interactions are optional: without
    # them every action is recommended unpersonalised with a score of 0.0).
    "aws-next-best-action": ("Interactions", "Actions"),
    # attribute queries read the Items dataset as it was at training
    "aws-item-attribute-affinity": ("Interactions", "Items"),
}
# Recipes whose campaigns answer GetActionRecommendations (and nothing else).
ACTION_RECIPES = frozenset({"aws-next-best-action"})


# Datasets a recipe needs to exist, empty or not: Next-Best-Action's Action interactions
# ("If you don't have action interaction data, you can create an empty Action interactions
# dataset", developer guide, "Action interactions dataset").
EMPTY_ALLOWED: dict[str, tuple[str, ...]] = {"aws-next-best-action": ("Action_Interactions",)}


def required_datasets(recipe: str, *, with_empty: bool = False) -> tuple[str, ...]:
    """The dataset types ``recipe`` (a name) needs data in before it can train; with
    ``with_empty``, also those that only have to exist."""
    needs = REQUIRED_DATASETS.get(recipe, ("Interactions",))
    return needs + EMPTY_ALLOWED.get(recipe, ()) if with_empty else needs
