"""What a refresh run is asked to do: its options, validated before anything starts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from services.i18n import formats
from services.local.rules.metric_keys import METRIC_KEYS
from services.personalize.data_calls import IMPORT_MODES as IMPORT_MODES
from services.personalize.training_calls import TRAINING_MODES as TRAINING_MODES
from services.prepare import parse_mapping

DEFAULT_METRIC = "normalized_discounted_cumulative_gain_at_10"
# The keys GetSolutionMetrics reports that the guardrail can compare (Personalize developer
# guide, "Evaluating a solution version with metrics"; PERSONALIZE.md section 5): the custom
# recipes' keys, as the engine computes them, and Next-Best-Action's. A key outside these would
# only be noticed after training, which on AWS is billed.
GUARDRAIL_METRICS = (*METRIC_KEYS, "average_rewards_at_k")
DEFAULT_TOLERANCE_PCT = 2.0
# The largest share of a raw export's rows (percent) that preparing may reject before the
# check step refuses the run. A healthy nightly export loses a handful of stray rows (the
# Korean test export: 4 of 1,200, 0.33%); a changed date format or a broken column loses a
# whole share of them (the s13 trial: 40% and 67%). A FULL import replaces all earlier data,
# so importing a night that silently lost more than 1 row in 100 costs more than refusing it:
# the campaigns keep serving, the rejects file says what to fix, and --max-rejected (or the
# Refresh tab's field) lets rows through that are meant to go.
DEFAULT_MAX_REJECTED_PCT = 1.0
DATASET_TYPES = ("INTERACTIONS", "ITEMS", "USERS")

# Waits (seconds). Real Personalize imports take minutes, training up to hours, a campaign
# update about 10-20 minutes; the defaults leave room for a large dataset.
IMPORT_TIMEOUT_S = 4 * 3600.0
TRAINING_TIMEOUT_S = 12 * 3600.0
CAMPAIGN_TIMEOUT_S = 2 * 3600.0


# Why a refresh's data options were refused (``OptionError.code``): the dashboard says it in
# the reader's language with its own fields' names, where the message names the CLI's flags.
BAD_TYPE = "bad_type"
NO_LOCATION = "no_location"
NOT_S3 = "not_s3"
MAPPING_TYPE = "mapping_type"
TWICE = "twice"
MAPPING_WITHOUT_DATA = "mapping_without_data"


class OptionError(ValueError):
    """Refused data options: ``str(err)`` is the CLI's English (naming its flags); ``code``
    (one of the constants above) and ``values`` are what a page renders again from."""

    def __init__(self, message: str, code: str, **values: str) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class DataSource:
    """One file (or ``s3://`` prefix) to import before training, into the dataset of a type."""

    location: str
    dataset_type: str = "INTERACTIONS"
    # A raw export's mapping document (services.prepare): the location is prepared by it
    # before the check and the import. Stored with the run, so a resumed run uses the same.
    mapping: dict[str, Any] | None = None

    @classmethod
    def parse(cls, text: str) -> DataSource:
        """``LOCATION`` (interactions) or ``TYPE=LOCATION`` (``items=s3://b/items.csv``)."""
        text = text.strip()
        head, sep, rest = text.partition("=")
        if sep and "/" not in head and ":" not in head:
            # TYPE=LOCATION; a name before "=" that is no dataset type is a typo, not a path
            # (a path with "=" in its first part still works as ./NAME=… or with a folder).
            return cls(rest.strip(), head.strip().upper())
        return cls(text)


@dataclass(frozen=True)
class RefreshOptions:
    """A refresh: import (optional) → train → guardrail → deploy → verify.

    ``solutions`` are names or ARNs; empty means every solution of the group that backs a
    campaign. ``tolerance_pct`` is the largest relative drop of ``metric`` (new version vs the
    version a campaign serves, in percent of the served value) that still deploys.
    ``max_rejected_pct`` is the largest share (percent of the rows read) a raw export's
    preparation may reject; above it the check step refuses the run before any import
    (``steps.rejections``).
    """

    data: tuple[DataSource, ...] = ()
    import_mode: str = "FULL"
    training_mode: str = "FULL"
    solutions: tuple[str, ...] = ()
    deploy: bool = True
    force: bool = False
    metric: str = DEFAULT_METRIC
    tolerance_pct: float = DEFAULT_TOLERANCE_PCT
    max_rejected_pct: float = DEFAULT_MAX_REJECTED_PCT
    import_timeout_s: float = IMPORT_TIMEOUT_S
    training_timeout_s: float = TRAINING_TIMEOUT_S
    campaign_timeout_s: float = CAMPAIGN_TIMEOUT_S
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.import_mode not in IMPORT_MODES:
            raise ValueError(f"import mode must be FULL or INCREMENTAL, not {self.import_mode!r}")
        if self.training_mode not in TRAINING_MODES:
            raise ValueError(f"training mode must be FULL or UPDATE, not {self.training_mode!r}")
        if not 0 <= self.tolerance_pct <= 100:
            raise ValueError(
                f"tolerance must be between {formats.share(0)} and {formats.share(1)}, "
                f"not {self.tolerance_pct}"
            )
        if not 0 <= self.max_rejected_pct <= 100:
            raise ValueError(
                f"the largest share of rejected rows must be between {formats.share(0)} and "
                f"{formats.share(1)}, not {self.max_rejected_pct}"
            )
        if self.metric not in GUARDRAIL_METRICS:
            raise ValueError(
                f"unknown metric {self.metric!r}: the guardrail compares one of "
                f"{', '.join(GUARDRAIL_METRICS)}"
            )
        for source in self.data:
            if source.dataset_type not in DATASET_TYPES:
                raise OptionError(
                    f"dataset type must be one of {', '.join(DATASET_TYPES)}, "
                    f"not {source.dataset_type!r}",
                    BAD_TYPE,
                    dataset_type=source.dataset_type,
                )
            if not source.location:
                raise OptionError("a data location is empty: give s3://BUCKET/KEY", NO_LOCATION)
            if source.mapping is None and not source.location.startswith("s3://"):
                # CreateDatasetImportJob's dataLocation must be s3:// (the engine maps it to
                # its data folder); a raw export is read locally only to be prepared.
                raise OptionError(
                    f"{source.location} is not an S3 location: Personalize imports from "
                    "s3://BUCKET/KEY (locally: the file under .data/s3/BUCKET/KEY); a local raw "
                    "export needs --mapping, which prepares it into the bucket",
                    NOT_S3,
                    location=source.location,
                )
            if source.mapping is not None:
                kind = parse_mapping(source.mapping).dataset_type  # MappingError: per field
                if kind != source.dataset_type.lower():
                    raise OptionError(
                        f"the mapping is for {kind}, but {source.location} goes into "
                        f"{source.dataset_type.title()}",
                        MAPPING_TYPE,
                        mapping_type=kind.upper(),
                        location=source.location,
                        dataset_type=source.dataset_type,
                    )
        types = [s.dataset_type for s in self.data]
        if len(set(types)) != len(types):
            raise OptionError("give at most one data location per dataset type", TWICE)
        for name in ("import_timeout_s", "training_timeout_s", "campaign_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored with the run."""
        out = asdict(self)
        out["data"] = [asdict(s) for s in self.data]
        out["solutions"] = list(self.solutions)
        out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RefreshOptions:
        """The inverse of ``to_dict`` (unknown keys are ignored: older or newer runs)."""
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        known["data"] = tuple(DataSource(**s) for s in known.get("data", ()))
        known["solutions"] = tuple(known.get("solutions", ()))
        return cls(**known)

    def summary(self) -> str:
        """One line for logs and the run list."""
        parts: list[str] = []
        if self.data:
            parts.append(
                f"import {self.import_mode} "
                + ", ".join(
                    f"{s.dataset_type.lower()}={s.location}" + (" (mapped)" if s.mapping else "")
                    for s in self.data
                )
            )
        parts.append(f"train {self.training_mode}")
        if not self.deploy:
            parts.append("no deploy")
        elif self.force:
            parts.append("deploy (forced)")
        else:
            tolerance = formats.share(self.tolerance_pct / 100, 2, trim=True)
            parts.append(f"deploy if {self.metric} drops ≤ {tolerance}")
        return "; ".join(parts)


def parse_sources(
    texts: Sequence[str], mappings: Sequence[Mapping[str, Any]] = ()
) -> tuple[DataSource, ...]:
    """``--data`` texts, each with the ``--mapping`` document of its dataset type (if any).

    Raises:
        OptionError: a mapping for a dataset type without a ``--data`` location.
    """
    sources = [DataSource.parse(t) for t in texts]
    for doc in mappings:
        kind = str(doc.get("dataset_type", "")).upper()
        hits = [i for i, s in enumerate(sources) if s.dataset_type == kind]
        if not hits:
            raise OptionError(
                f"--mapping for {kind.lower() or '?'} has no --data location",
                MAPPING_WITHOUT_DATA,
                dataset_type=kind,
            )
        sources[hits[0]] = replace(sources[hits[0]], mapping=dict(doc))
    return tuple(sources)
