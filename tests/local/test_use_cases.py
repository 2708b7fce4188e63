"""The domain use-case table and domain schema rules, against Personalize's documentation."""

from __future__ import annotations

import json

import pytest

from services.local.data.domain_schemas import check_domain_schema
from services.local.data.schemas import SchemaError, parse_schema
from services.local.models.recipes import RECIPES, get_recipe
from services.local.rules.use_cases import (
    ECOMMERCE,
    USE_CASES,
    VIDEO_ON_DEMAND,
    UseCaseError,
    use_case_of,
    use_cases,
)


def test_every_documented_use_case_has_its_arn_and_a_real_model() -> None:
    # The ten recipe ARNs listed in the ECOMMERCE and VIDEO_ON_DEMAND use-case pages.
    documented = {
        "arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-views",
        "arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-purchases",
        "arn:aws:personalize:::recipe/aws-ecomm-frequently-bought-together",
        "arn:aws:personalize:::recipe/aws-ecomm-customers-who-viewed-x-also-viewed",
        "arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you",
        "arn:aws:personalize:::recipe/aws-vod-because-you-watched-x",
        "arn:aws:personalize:::recipe/aws-vod-more-like-x",
        "arn:aws:personalize:::recipe/aws-vod-most-popular",
        "arn:aws:personalize:::recipe/aws-vod-trending-now",
        "arn:aws:personalize:::recipe/aws-vod-top-picks",
    }
    assert {u.recipe_arn for u in USE_CASES.values()} == documented
    for case in USE_CASES.values():
        recipe = get_recipe(case.backing)  # raises for a model the engine lacks
        # item-to-item use cases need an item-to-item model, user ones a user model
        assert (recipe.recipe_type == "RELATED_ITEMS") == (case.input == "itemId"), case.name
    assert "co-purchase" not in RECIPES  # a use-case model, not a recipe a solution may name


def test_use_case_lookup_checks_the_domain() -> None:
    fbt = "arn:aws:personalize:::recipe/aws-ecomm-frequently-bought-together"
    assert use_case_of(fbt, ECOMMERCE).event_type == "Purchase"
    with pytest.raises(UseCaseError, match="Domain dataset group"):
        use_case_of(fbt, None)
    with pytest.raises(UseCaseError, match="ECOMMERCE domain, not VIDEO_ON_DEMAND"):
        use_case_of(fbt, VIDEO_ON_DEMAND)
    with pytest.raises(UseCaseError, match="not a domain use case"):
        use_case_of("arn:aws:personalize:::recipe/aws-user-personalization", ECOMMERCE)
    assert [u.title for u in use_cases(ECOMMERCE)] == [
        "Recommended for you",
        "Customers who viewed X also viewed",
        "Frequently bought together",
        "Best sellers",
        "Most viewed",
    ]


def _schema(*fields: dict[str, object]) -> str:
    return json.dumps({"type": "record", "name": "S", "fields": list(fields)})


ITEM_ID = {"name": "ITEM_ID", "type": "string"}


def test_ecommerce_items_need_price_and_categorical_category_l1() -> None:
    good = parse_schema(
        _schema(
            ITEM_ID,
            {"name": "PRICE", "type": "float"},
            {"name": "CATEGORY_L1", "type": "string", "categorical": True},
        )
    )
    check_domain_schema(good, "Items", ECOMMERCE)
    no_price = parse_schema(
        _schema(ITEM_ID, {"name": "CATEGORY_L1", "type": "string", "categorical": True})
    )
    with pytest.raises(SchemaError, match="needs a PRICE field"):
        check_domain_schema(no_price, "items", ECOMMERCE)
    not_categorical = parse_schema(
        _schema(
            ITEM_ID, {"name": "PRICE", "type": "float"}, {"name": "CATEGORY_L1", "type": "string"}
        )
    )
    with pytest.raises(SchemaError, match='CATEGORY_L1 must be "categorical"'):
        check_domain_schema(not_categorical, "Items", ECOMMERCE)
    price_text = parse_schema(
        _schema(
            ITEM_ID,
            {"name": "PRICE", "type": "string"},
            {"name": "CATEGORY_L1", "type": "string", "categorical": True},
        )
    )
    with pytest.raises(SchemaError, match="PRICE must be of type double or float, not string"):
        check_domain_schema(price_text, "Items", ECOMMERCE)


def test_domain_interactions_need_event_type_and_vod_items_need_genres() -> None:
    base = [
        {"name": "USER_ID", "type": "string"},
        ITEM_ID,
        {"name": "TIMESTAMP", "type": "long"},
    ]
    with pytest.raises(SchemaError, match="needs a EVENT_TYPE field"):
        check_domain_schema(parse_schema(_schema(*base)), "Interactions", VIDEO_ON_DEMAND)
    check_domain_schema(
        parse_schema(_schema(*base, {"name": "EVENT_TYPE", "type": "string"})),
        "Interactions",
        VIDEO_ON_DEMAND,
    )
    with pytest.raises(SchemaError, match="GENRES"):
        check_domain_schema(
            parse_schema(_schema(ITEM_ID, {"name": "PRICE", "type": "float"})),
            "Items",
            VIDEO_ON_DEMAND,
        )
