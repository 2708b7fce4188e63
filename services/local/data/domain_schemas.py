"""The schema fields a Domain dataset group adds (CreateDataset in an ECOMMERCE or
VIDEO_ON_DEMAND group), beside the rules every schema follows (``schemas``).

Sources: Amazon Personalize developer guide, "ECOMMERCE datasets and schemas" and
"VIDEO_ON_DEMAND datasets and schemas" (required and reserved fields).
"""

from __future__ import annotations

from services.local.data.schemas import AvroSchema, SchemaError, normalize_dataset_type
from services.local.rules.use_cases import DOMAINS, ECOMMERCE, VIDEO_ON_DEMAND

# Required fields of each dataset type in a domain, with the types Personalize allows
# (besides the rules every schema follows, in services.local.data.schemas).
_REQUIRED: dict[tuple[str, str], dict[str, frozenset[str]]] = {
    (ECOMMERCE, "Interactions"): {"EVENT_TYPE": frozenset({"string"})},
    (ECOMMERCE, "Items"): {
        "PRICE": frozenset({"float", "double"}),
        "CATEGORY_L1": frozenset({"string"}),
    },
    (VIDEO_ON_DEMAND, "Interactions"): {"EVENT_TYPE": frozenset({"string"})},
    (VIDEO_ON_DEMAND, "Items"): {"GENRES": frozenset({"string"})},
}
# Reserved categorical fields must be declared categorical.
_CATEGORICAL: dict[tuple[str, str], frozenset[str]] = {
    (ECOMMERCE, "Items"): frozenset(
        {"CATEGORY_L1", "CATEGORY_L2", "CATEGORY_L3", "AGE_GROUP", "ADULT", "GENDER"}
    ),
    (VIDEO_ON_DEMAND, "Items"): frozenset({"GENRES"}),
}


def check_domain_schema(schema: AvroSchema, dataset_type: str, domain: str) -> None:
    """Check the fields a domain adds for one dataset type (CreateDataset in a Domain group).

    ECOMMERCE: Interactions need EVENT_TYPE (View/Purchase drive the use cases); Items need
    PRICE (float) and CATEGORY_L1 (categorical string). VIDEO_ON_DEMAND: Interactions need
    EVENT_TYPE (Watch/Click); Items need GENRES (categorical string). Users need USER_ID and one
    metadata field, like any Users schema.

    Raises:
        SchemaError: naming the first missing or mistyped field.
    """
    if domain not in DOMAINS:
        raise SchemaError(f"unknown domain {domain!r}; expected ECOMMERCE or VIDEO_ON_DEMAND")
    kind = normalize_dataset_type(dataset_type)
    for name, types in _REQUIRED.get((domain, kind), {}).items():
        field = schema.get(name)
        if field is None:
            raise SchemaError(
                f"a {domain} {kind} schema needs a {name} field of type "
                + " or ".join(sorted(types))
            )
        if field.type not in types:
            raise SchemaError(
                f"{domain} {kind} field {name} must be of type "
                + " or ".join(sorted(types))
                + f", not {field.type}"
            )
    for name in _CATEGORICAL.get((domain, kind), frozenset()):
        field = schema.get(name)
        if field is not None and not field.categorical:
            raise SchemaError(f'{domain} {kind} field {name} must be "categorical": true')
