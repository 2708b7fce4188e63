"""How people name a dataset type, in the reader's language: "Items" (상품 in Korean) for
``ITEMS``. One rule for every place that names one: the Data page's forms and sections, the
Overview's dataset tables, New solution's requirements, the refresh's step labels, and the
checks of ``services.workspace.new_data`` that name a type in a sentence.

Source: CreateDataset's ``datasetType`` (botocore ``personalize`` service model: Interactions,
Items, Users, Actions, Action_Interactions; DescribeDataset reports them upper-case).
"""

from __future__ import annotations

from services.i18n import N_, _

DATASET_TYPE_NAMES = {
    "INTERACTIONS": N_("Interactions"),
    "ITEMS": N_("Items"),
    "USERS": N_("Users"),
    "ACTIONS": N_("Actions"),
    "ACTION_INTERACTIONS": N_("Action interactions"),
}


def dataset_type_name(dataset_type: str) -> str:
    """ "Interactions", "Items", "Users"… in the reader's language, for a type in any case
    (``items``, ``Items``, ``ITEMS``); a type Personalize does not have is title-cased."""
    return _(DATASET_TYPE_NAMES.get(dataset_type.upper(), dataset_type.title()))
