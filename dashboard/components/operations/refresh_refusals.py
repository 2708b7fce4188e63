"""Why a refresh was refused, in the reader's language and naming the Refresh tab's fields.

The pipeline's messages are the CLI's English and name its flags (``--solution``,
``--max-rejected``, ``--mapping``…); the refusals carry a code and the values they name
(``OptionError`` for the options, the plan step's ``detail["refusal"]``), and this module says
them again with the field a reader of this page changes. The fields' labels are defined here,
once: the Refresh tab draws its fields with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboard.components.formatting import dataset_type_name, mode_name
from dashboard.components.operations.tabs import TAB_LABELS
from dashboard.components.page_tabs import tab_label
from dashboard.components.text import md_escape
from services.i18n import N_, _
from services.pipeline import options as opts
from services.pipeline.steps import planning
from services.prepare import MappingError

DATA_FIELD = N_("Data to import first (optional)")
MAPPING_FIELD = N_("Mapping of the raw export (one JSON file, optional)")
MAX_REJECTED_FIELD = N_("Largest share of rejected rows (%)")
TRAINING_MODE_FIELD = N_("Training mode")
SOLUTIONS_FIELD = N_("Solutions to train")


def field(label: str) -> str:
    """A field's label as a message names it, in the reader's language: “Training mode”."""
    return _("“{field}”").format(field=_(label))


def max_rejected_setting() -> str:
    """Where a reader of the pages raises the rejected-rows limit (``rejection_text``'s
    ``setting``)."""
    return _("{field} on the Refresh tab").format(field=field(MAX_REJECTED_FIELD))


_OPTIONS = {
    opts.BAD_TYPE: N_(
        "{dataset_type} is not a dataset type: write INTERACTIONS, ITEMS or USERS before = "
        "(items=s3://bucket/items.csv), or the location alone for interactions."
    ),
    opts.NO_LOCATION: N_("A data location is empty: write s3://BUCKET/KEY after the =."),
    opts.NOT_S3: N_(
        "{location} is not an S3 location: Personalize imports from s3://BUCKET/KEY. Upload "
        "the file with “{upload}” instead, or put it in S3 and write its s3:// location."
    ),
    opts.MAPPING_TYPE: N_(
        "The mapping is for {mapping_type}, but {location} goes into {dataset_type}: give the "
        "mapping of that dataset, or write its type before the location (items=s3://…)."
    ),
    opts.TWICE: N_("Give at most one data location per dataset type."),
    opts.MAPPING_WITHOUT_DATA: N_(
        "The mapping for {dataset_type} has no data to prepare: give the raw export's "
        "location in {data_field}, or upload the file."
    ),
}
_TYPES = ("dataset_type", "mapping_type")  # values that name a dataset type


def option_error(err: ValueError, upload: str) -> str:
    """Why the Refresh tab's options were refused, in the reader's language (``upload``: the
    label of the choice that uploads a file); a mapping's own problems through their
    templates; a refusal without a code as it says itself."""
    if isinstance(err, MappingError):  # the document's own problems, one template each
        return err.in_language()
    if not isinstance(err, opts.OptionError) or err.code not in _OPTIONS:
        return str(err)
    values: dict[str, str] = dict(err.values)
    for name in _TYPES if err.code != opts.BAD_TYPE else ():  # that one is as typed
        if name in values:
            values[name] = dataset_type_name(values[name])
    try:
        return _(_OPTIONS[err.code]).format(
            **values, data_field=field(DATA_FIELD), upload=_(upload)
        )
    except KeyError:
        return str(err)


_PLAN = {
    planning.NOT_ACTIVE: N_("Dataset group {group} is {status}, not ACTIVE."),
    planning.NO_ROLE: N_(
        "Importing on AWS needs a role Personalize can assume to read S3: set PERSONALIZE_ROLE_ARN."
    ),
    planning.NO_DATASET: N_("{group} has no {dataset_type} dataset to import {location} into."),
    planning.NO_SOLUTION: N_("{group} has no solution {missing} (it has: {have})."),
    planning.NO_CAMPAIGN: N_(
        "{group} has no campaign to refresh: pick the solutions to train in {solutions_field}, "
        "or create a campaign first."
    ),
    planning.NO_UPDATE: N_(
        "{solution} uses {recipe}, which has no UPDATE training mode (only "
        "User-Personalization recipes do): refresh it with {training_field} set to {full}."
    ),
}


def plan_refusal(detail: Mapping[str, Any]) -> str | None:
    """Why the plan step refused the run, from its stored ``detail``, in the reader's
    language; None when the detail names no refusal this module knows (an older run's)."""
    template = _PLAN.get(str(detail.get("refusal")))
    if template is None:
        return None
    values = {k: str(v) for k, v in detail.items() if k != "refusal"}
    if "dataset_type" in values:
        values["dataset_type"] = dataset_type_name(values["dataset_type"])
    try:
        return _(template).format(
            **values,
            solutions_field=field(SOLUTIONS_FIELD),
            training_field=field(TRAINING_MODE_FIELD),
            full=mode_name("FULL"),
        )
    except KeyError:
        return None


_NO_SOLUTION_YET = N_(
    "{group} has no solution to train yet: create one on the {tab} tab of this page, then refresh."
)


def no_campaign_to_refresh(group: str, *, has_solutions: bool) -> str:
    """The page's refusal before a run starts, as markdown (``group`` escaped): in the words
    the plan step's would have; a group without any solution is sent to the New solution
    tab instead, since the solutions field it would name is empty (trial s14, finding 5)."""
    if not has_solutions:
        return _(_NO_SOLUTION_YET).format(
            group=md_escape(group), tab=tab_label(TAB_LABELS, "new_solution")
        )
    return _(_PLAN[planning.NO_CAMPAIGN]).format(
        group=md_escape(group), solutions_field=field(SOLUTIONS_FIELD)
    )
