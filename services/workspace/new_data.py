"""A new dataset group, and a dataset in it with its schema: the choices, checks and the
schema text, for the Data page's create forms (the page only draws).

Sources, the botocore ``personalize`` service model: CreateDatasetGroup (``name``,
``domain``: the Domain enum ECOMMERCE | VIDEO_ON_DEMAND, left out for custom resources),
CreateSchema (``name``, ``schema``: Avro JSON up to 10,000 characters, ``domain`` that of
the group it is used in) and CreateDataset (``name``, ``schemaArn``, ``datasetGroupArn``,
``datasetType``: Interactions, Items, Users, Actions or Action_Interactions; a group holds one
dataset of each type, ResourceAlreadyExistsException otherwise). Names follow
``services.workspace.resource_names``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence

from services.i18n import _
from services.personalize.models import Schema
from services.prepare.mapping import MappingError, parse_mapping
from services.prepare.schema import avro_schema
from services.workspace.dataset_type_names import dataset_type_name
from services.workspace.resource_names import name_problem

# None: a custom dataset group (solutions and campaigns); the two Domain enum values.
DOMAINS: tuple[str | None, ...] = (None, "ECOMMERCE", "VIDEO_ON_DEMAND")
# The types the Data page imports into (readiness and prepare know their files).
DATASET_TYPES = ("Interactions", "Items", "Users")
SCHEMA_MAX = 10_000  # CreateSchema's AvroSchema shape: max 10,000 characters


def group_problems(name: str, domain: str | None) -> dict[str, str]:
    """What keeps a CreateDatasetGroup form from being sent, by field ("name", "domain")."""
    found: dict[str, str] = {}
    problem = name_problem(name)
    if problem:
        found["name"] = problem
    if domain not in DOMAINS:
        found["domain"] = _("A domain is ECOMMERCE, VIDEO_ON_DEMAND or none.")
    return found


def dataset_problems(name: str, dataset_type: str, taken: Collection[str]) -> dict[str, str]:
    """What keeps a CreateDataset form from being sent, by field ("name", "type"); ``taken``:
    the types (any case) the group already has."""
    found: dict[str, str] = {}
    problem = name_problem(name)
    if problem:
        found["name"] = problem
    if dataset_type.upper() in {t.upper() for t in taken}:
        found["type"] = _(
            "This dataset group already has its {type} dataset: a group holds one of each type."
        ).format(type=dataset_type_name(dataset_type))
    return found


def usable_schemas(schemas: Sequence[Schema], domain: str | None) -> list[Schema]:
    """The schemas a dataset of a group with ``domain`` can use (CreateDataset: a schema's
    domain must be the group's; None for custom groups), by name."""
    return sorted((s for s in schemas if (s.domain or None) == domain), key=lambda s: s.name)


def schema_text(uploaded: str, dataset_type: str) -> str:
    """CreateSchema's ``schema`` from an uploaded file: an Avro record schema (what ``python
    -m services.prepare … --schema-out`` writes) as it is, or a mapping (the Data page's
    "Download the mapping (JSON)") turned into its schema by ``services.prepare.schema``.

    Raises ValueError (translated) for anything else, a mapping of another dataset type,
    or a schema longer than CreateSchema takes."""
    try:
        doc = json.loads(uploaded)
    except json.JSONDecodeError as err:
        raise ValueError(_("The file is not JSON: {error}").format(error=err)) from err
    if isinstance(doc, dict) and doc.get("type") == "record":
        text = json.dumps(doc)
    elif isinstance(doc, dict) and "dataset_type" in doc:
        try:
            mapping = parse_mapping(doc)
        except MappingError as err:
            raise ValueError(
                _("The mapping cannot be used: {error}").format(error=err.in_language())
            ) from err
        if mapping.dataset_type != dataset_type.lower():
            raise ValueError(
                _("The mapping is for {theirs}, not {ours}.").format(
                    theirs=dataset_type_name(mapping.dataset_type),
                    ours=dataset_type_name(dataset_type),
                )
            )
        text = json.dumps(avro_schema(mapping))
    else:
        raise ValueError(
            _("The file is neither an Avro schema (a record) nor a mapping from the Data page.")
        )
    if len(text) > SCHEMA_MAX:
        raise ValueError(
            _("The schema is too long for CreateSchema (length {count}, limit {max}).").format(
                count=len(text), max=SCHEMA_MAX
            )
        )
    return text
