"""Display names of Personalize's domain use cases (recommender recipes), for the pages.

The table itself lives in the local engine's public rules (services.local.rules.use_cases): the
engine implements them; the names and recipe ARNs are Personalize's, so they hold on AWS too.
"""

from __future__ import annotations

from services.local.rules.use_cases import PERSONALISED, USE_CASES

# recipe name (e.g. "aws-ecomm-popular-items-by-purchases") → title ("Best sellers")
USE_CASE_TITLES: dict[str, str] = {name: case.title for name, case in USE_CASES.items()}
# recipe name → "userId" or "itemId": what GetRecommendations needs for that use case
USE_CASE_INPUTS: dict[str, str] = {name: case.input for name, case in USE_CASES.items()}
# recipe name → whether GetRecommendations must also carry a userId (the item-to-item use cases
# that filter out what the user bought or watched: Customers who viewed X also viewed,
# Because you watched X, More like X)
USE_CASE_NEEDS_USER: dict[str, bool] = {
    name: case.input == "itemId" and case.user_id == "required" for name, case in USE_CASES.items()
}
# recipe names of the use cases that take recommenderConfig.itemExplorationConfig: "For Top
# picks for you or Recommended for you use cases, Amazon Personalize uses exploration"
# (developer guide, "Configuring exploration for a domain recommender"; botocore
# RecommenderConfig.itemExplorationConfig: "only if your recommenders generate personalized
# recommendations for a user (not popular items or similar items)")
EXPLORING_USE_CASES = frozenset(
    name for name, case in USE_CASES.items() if case.kind == PERSONALISED
)
