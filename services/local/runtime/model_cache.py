"""Trained models in memory by solution version ARN, with the item data scoring needs."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from services.local.data.storage import frames as datasets
from services.local.data.storage import tables as t
from services.local.data.storage.bulk import BulkStore
from services.local.data.storage.histories import BulkHistories
from services.local.data.storage.model_files import model_file
from services.local.errors import ResourceInUse
from services.local.filters.columns import ItemColumns
from services.local.filters.selection import SelectionCache
from services.local.models import ranking
from services.local.models.objective import Objective, objective_of
from services.local.models.recipes import get_recipe
from services.local.models.recipes.base import Model
from services.local.models.recipes.capabilities import POPULARITY_RECIPES
from services.local.models.recipes.items import SemanticModel
from services.local.models.training import load_model

MODEL_CACHE_SIZE = 16


ITEMS_CHECK_SECONDS = 1.0
SERVED_TTL = 1.0  # seconds a campaign's served version is trusted without reading it again
LATEST_TS_TTL = 60.0  # seconds a group's latest interaction time is cached for exploration


@dataclass(frozen=True)
class LoadedModel:
    """A trained model with what the runtime needs next to it."""

    arn: str
    group: str
    recipe_name: str
    recipe_type: str
    model: Model
    index: dict[str, int]
    # solutionConfig.optimizationObjective of the version (services.local.models.objective)
    objective: Objective | None = None

    @property
    def personalised_scores(self) -> bool:
        """User-Personalization returns softmax scores; popularity and SIMS return none."""
        return self.recipe_type in ("USER_PERSONALIZATION", "PERSONALIZED_RANKING") and (
            self.recipe_name not in POPULARITY_RECIPES
        )


def _item_index(model: Model) -> dict[str, int]:
    """Item ID → position; a model that keeps this mapping shares it (a 500,000-item
    catalogue's dict costs a noticeable part of loading the model)."""
    shared = getattr(model, "item_index", None)
    if isinstance(shared, dict):
        return shared
    return {str(item): i for i, item in enumerate(model.item_ids)}


def _retrain(model_key: str) -> str:
    """What to do about the unreadable model of a solution version or a recommender (whose
    model key is ``<recommender ARN>/<model id>``)."""
    kind, _, rest = model_key.partition(":recommender/")
    if rest:
        return f"retrain (delete recommender {rest.split('/')[0]} and create it again)"
    solution = kind.rsplit(":solution/", 1)[-1].split("/")[0]
    return f"retrain (create a new version of solution {solution} and update the campaign to it)"


class EngineStorage(Protocol):
    """What the cache reads of the engine: read transactions, the bulk-imported rows and the
    data directory (model files).

    Narrower than ``EngineContext`` (which holds the cache itself), so the two modules do not
    import each other.
    """

    data_dir: Path
    read_db: Engine
    bulk: BulkStore
    histories: BulkHistories


class ModelCache:
    """Loaded models by solution version ARN (least recently used are dropped)."""

    def __init__(self, engine: EngineStorage) -> None:
        self._engine = engine
        self._models: OrderedDict[str, LoadedModel] = OrderedDict()
        self._items: dict[tuple[str, str], tuple[int, pd.DataFrame]] = {}
        self._items_by_id: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._items_checked: dict[tuple[str, str], float] = {}
        self._created: dict[str, tuple[int, np.ndarray, pd.DataFrame, bool]] = {}
        # version ARN -> ((id of its CREATION_TIMESTAMPs, latest checked at), the times with
        # the missing ones inferred from the interactions)
        self._inferred: dict[str, tuple[tuple[int, float], np.ndarray]] = {}
        self._latest: dict[str, tuple[float, float]] = {}  # group -> (checked at, latest ts)
        self._candidates: dict[str, tuple[tuple[int, float, float], np.ndarray]] = {}
        self._columns: dict[str, ItemColumns] = {}  # version ARN → Items lined up with it
        # version ARN → (the columns its answers were computed from, filter answers)
        self._selections: dict[str, tuple[ItemColumns, SelectionCache]] = {}
        self._pools: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # ARN → (mask, its codes)
        self._served: dict[str, tuple[float, dict[str, Any], str]] = {}
        # incrementally updated models: version ARN → (the Items frame folded in, model)
        self._folds: dict[str, tuple[pd.DataFrame, LoadedModel]] = {}
        self._lock = threading.Lock()
        # Items/Users frames and exploration candidates: computed by one thread at a time
        # (re-entrant: the candidates read the items).
        self._deriving = threading.RLock()
        self._loading: dict[str, threading.Lock] = {}

    def served(self, campaign_arn: str) -> tuple[dict[str, Any], str] | None:
        """A campaign's document and served version ARN, read less than ``SERVED_TTL`` s ago.

        Only settled campaigns are kept (``remember_served``): a change made in this process
        (UpdateCampaign, DeleteCampaign) drops the entry at once; one made by another
        process is seen within ``SERVED_TTL``, far less than a campaign update takes on AWS.
        """
        with self._lock:
            hit = self._served.get(campaign_arn)
        if hit is None or time.monotonic() - hit[0] > SERVED_TTL:
            return None
        return hit[1], hit[2]

    def remember_served(self, campaign_arn: str, doc: dict[str, Any], version_arn: str) -> None:
        """Keep a campaign's answer of ``served_version`` for ``SERVED_TTL`` s."""
        with self._lock:
            self._served[campaign_arn] = (time.monotonic(), doc, version_arn)

    def forget_served(self, campaign_arn: str) -> None:
        """Drop a campaign's kept served version (it was updated or deleted)."""
        with self._lock:
            self._served.pop(campaign_arn, None)

    def cached(self, arn: str) -> LoadedModel | None:
        """The loaded model of a version, if it is in memory (folded as ``get`` folds it)."""
        with self._lock:
            hit = self._models.get(arn)
        return None if hit is None else self._folded(hit)

    def get(self, version: dict[str, Any]) -> LoadedModel:
        """The model of an ACTIVE solution version; with performIncrementalUpdate, with the
        group's current Items folded in (``_folded``).

        Raises:
            ResourceInUse: the version has no model (it is not ACTIVE).
            StorageFault: its model file is missing, unreadable or corrupt.
        """
        return self._folded(self._get(version))

    def _folded(self, loaded: LoadedModel) -> LoadedModel:
        """A Semantic-Similarity model trained with performIncrementalUpdate, with every item
        of the group's current Items dataset (re)vectorised into it, once per Items version:
        new and changed items answer and are answered without a retrain (developer guide,
        "Semantic-Similarity recipe", "Real-time personalization")."""
        if not (isinstance(loaded.model, SemanticModel) and loaded.model.incremental):
            return loaded
        items = self.items(loaded.group)
        with self._lock:
            hit = self._folds.get(loaded.arn)
        if hit is not None and hit[0] is items:
            return hit[1]
        model = loaded.model.with_items(items)
        folded = replace(loaded, model=model, index=_item_index(model))
        with self._lock:
            self._folds[loaded.arn] = (items, folded)
        return folded

    def _get(self, version: dict[str, Any]) -> LoadedModel:
        arn = version["solutionVersionArn"]
        with self._lock:
            hit = self._models.get(arn)
            if hit is not None:
                self._models.move_to_end(arn)
                return hit
        path = version.get("_modelPath")
        if version.get("status") != "ACTIVE" or not path:
            raise ResourceInUse(f"Solution version {arn} has no trained model to serve.")
        # One loader per model: concurrent first requests (a page asking for many users at
        # once) wait for it instead of each reading the file into memory again.
        with self._lock:
            loading = self._loading.setdefault(arn, threading.Lock())
        with loading:
            with self._lock:
                hit = self._models.get(arn)
            if hit is not None:
                return hit
            return self._load(arn, version, model_file(self._engine.data_dir, path))

    def _load(self, arn: str, version: dict[str, Any], path: Path) -> LoadedModel:
        name = version["_recipeName"]
        model = load_model(name, path, data_dir=self._engine.data_dir, remedy=_retrain(arn))
        loaded = LoadedModel(
            arn=arn,
            group=version["datasetGroupArn"],
            recipe_name=name,
            recipe_type=get_recipe(name).recipe_type,
            model=model,
            index=_item_index(model),
            objective=objective_of(version.get("solutionConfig")),
        )
        with self._lock:
            self._models[arn] = loaded
            while len(self._models) > MODEL_CACHE_SIZE:
                self._drop(self._models.popitem(last=False)[0])
            self._loading.pop(arn, None)
        return loaded

    def exploration_candidates(self, loaded: LoadedModel, cutoff_days: float) -> np.ndarray:
        """``ranking.exploration_candidates`` of the model's items (read-only bool mask).

        Computed once per model, items version, cut-off and latest interaction time (asked at
        most every ``LATEST_TS_TTL`` s), not per request: on a 500,000-item catalogue it is
        several passes over the catalogue.
        """
        with self._deriving:  # concurrent first requests wait for one computation
            created, latest = self.creation_times(loaded)
            key = (id(created), latest, cutoff_days)
            with self._lock:
                hit = self._candidates.get(loaded.arn)
            if hit is not None and hit[0] == key:
                return hit[1]
            mask = ranking.exploration_candidates(
                created, np.asarray(loaded.model.popularity, dtype=np.float64), latest, cutoff_days
            )
            mask.flags.writeable = False
            with self._lock:
                self._candidates[loaded.arn] = (key, mask)
            return mask

    def item_columns(self, loaded: LoadedModel, items: pd.DataFrame) -> ItemColumns:
        """``items`` (this cache's current Items frame of the model's group) lined up with
        the model's items for item filters (``filters.columns``), once per model and frame
        rather than per request: on 500,000 items lining up and matching the frame took
        0.25 s to several seconds a request."""
        with self._deriving:  # concurrent first requests wait for one alignment
            with self._lock:
                hit = self._columns.get(loaded.arn)
            if hit is not None and hit.items is items:
                return hit
            columns = ItemColumns(items, loaded.model.item_ids)
            with self._lock:
                self._columns[loaded.arn] = columns  # it keeps the frame: ids stay unique
            return columns

    def exploration_pool(self, loaded: LoadedModel, cutoff_days: float) -> np.ndarray:
        """The codes (ascending int64, read-only) of ``exploration_candidates``, found once
        per mask rather than by a pass over the catalogue a request (2 ms at 5,000,000)."""
        mask = self.exploration_candidates(loaded, cutoff_days)
        with self._lock:
            hit = self._pools.get(loaded.arn)
        if hit is not None and hit[0] is mask:
            return hit[1]
        codes = np.flatnonzero(mask)
        codes.flags.writeable = False
        with self._lock:
            self._pools[loaded.arn] = (mask, codes)
        return codes

    def filter_selections(self, loaded: LoadedModel, columns: ItemColumns) -> SelectionCache:
        """The Items parts of filters already answered for the model (``filters.selection``),
        kept while ``columns`` (``item_columns``: the same model and Items frame) is current:
        new Items data (an import, PutItems) line up new columns and so start a new cache."""
        with self._lock:
            hit = self._selections.get(loaded.arn)
            if hit is None or hit[0] is not columns:
                hit = (columns, SelectionCache())
                self._selections[loaded.arn] = hit
            return hit[1]

    def creation_times(self, loaded: LoadedModel) -> tuple[np.ndarray, float]:
        """Items' creation times aligned with the model (epoch seconds), and the group's
        latest interaction time, which exploration's age cut-off counts back from. A missing
        CREATION_TIMESTAMP is inferred from the interactions as Personalize does
        (``ranking.item_creation_times``), at most once per ``LATEST_TS_TTL``."""
        items = self.items(loaded.group)
        aligned = self._created.get(loaded.arn)
        if aligned is None or aligned[0] != id(items):
            created = np.full(len(loaded.model.item_ids), np.nan)
            if len(items):
                pos = pd.Index(items["ITEM_ID"].astype(str)).get_indexer(
                    pd.Index(loaded.model.item_ids.astype(str))
                )
                found = pos >= 0
                created[found] = items["CREATION_TIMESTAMP"].to_numpy(dtype=np.float64)[pos[found]]
            # the frame is kept so its id() cannot be reused by another while this is cached;
            # whether a time is missing is asked on every request, and on 5,000,000 items
            # np.isnan over them took 4 ms of CPU each time (a third of a request's)
            aligned = (id(items), created, items, bool(np.isnan(created).any()))
            self._created[loaded.arn] = aligned
        now = time.monotonic()
        latest = self._latest.get(loaded.group)
        if latest is None or now - latest[0] > LATEST_TS_TTL:
            with self._engine.read_db.connect() as conn:
                latest_put = conn.execute(
                    select(func.max(t.interactions.c.ts)).where(
                        t.interactions.c.group_arn == loaded.group
                    )
                ).scalar_one()
            known = [
                v
                for v in (latest_put, self._engine.histories.latest_timestamp(loaded.group))
                if v is not None
            ]
            latest = (now, float(max(known) if known else time.time()))
            self._latest[loaded.group] = latest
        created = aligned[1]
        if not aligned[3]:
            return created, latest[1]
        key = (id(created), latest[0])
        inferred = self._inferred.get(loaded.arn)
        if inferred is None or inferred[0] != key:
            first = self._first_interactions(loaded)
            inferred = (key, ranking.item_creation_times(created, first, latest[1]))
            self._inferred[loaded.arn] = inferred
        return inferred[1], latest[1]

    def _first_interactions(self, loaded: LoadedModel) -> np.ndarray:
        """Each of the model's items' oldest interaction time, bulk or streamed (NaN: none)."""
        bulk = self._engine.histories.first_timestamps(loaded.group)
        column = t.interactions.c
        with self._engine.read_db.connect() as conn:
            rows = conn.execute(
                select(column.item_id, func.min(column.ts))
                .where(column.group_arn == loaded.group)
                .group_by(column.item_id)
            ).all()
        streamed = pd.Series(dict(rows), dtype=np.float64)
        first = pd.concat([bulk.astype(np.float64), streamed]).groupby(level=0).min()
        ids = pd.Index(loaded.model.item_ids.astype(str))
        return first.reindex(ids).to_numpy(dtype=np.float64)

    def forget(self, arn: str) -> None:
        """Drop a model (its version was deleted)."""
        with self._lock:
            self._models.pop(arn, None)
            self._drop(arn)

    def _drop(self, arn: str) -> None:
        """Forget what was derived from a model (the caller holds the lock)."""
        self._created.pop(arn, None)
        self._inferred.pop(arn, None)
        self._candidates.pop(arn, None)
        self._columns.pop(arn, None)
        self._selections.pop(arn, None)
        self._pools.pop(arn, None)
        self._folds.pop(arn, None)

    def items(self, group: str) -> pd.DataFrame:
        """The group's items (ITEM_ID, CREATION_TIMESTAMP, metadata), reloaded when changed."""
        return self._records(group, "Items")

    def items_by_id(self, group: str) -> pd.DataFrame:
        """``items`` indexed by ITEM_ID, built once per loaded frame rather than per request
        (on 500,000 items, ``set_index`` costs tens of milliseconds)."""
        items = self.items(group)
        with self._lock:
            hit = self._items_by_id.get(group)
        if hit is not None and hit[0] is items:
            return hit[1]
        indexed = items.set_index("ITEM_ID")
        with self._lock:
            self._items_by_id[group] = (items, indexed)  # the frame is kept: ids stay unique
        return indexed

    def users(self, group: str) -> pd.DataFrame:
        """The group's users (USER_ID, metadata) indexed by USER_ID, reloaded when changed."""
        return self._records(group, "Users")

    def _records(self, group: str, dataset_type: str) -> pd.DataFrame:
        """Items or Users of a group, cached per data version.

        Whether they changed is asked at most once per ``ITEMS_CHECK_SECONDS``: PutItems shows
        up within that time, and the hot path saves a query per request.
        """
        key = (group, dataset_type)
        cached = self._items.get(key)
        now = time.monotonic()
        if cached is not None and now - self._items_checked.get(key, 0.0) < ITEMS_CHECK_SECONDS:
            return cached[1]
        with self._engine.read_db.connect() as conn:
            row = conn.execute(
                select(t.data_versions.c.version).where(t.data_versions.c.group_arn == group)
            ).first()
        version = row.version if row else 0
        self._items_checked[key] = now
        if cached is not None and cached[0] == version:
            return cached[1]
        with self._deriving:  # one reader per process; the others wait for its frame
            cached = self._items.get(key)
            if cached is not None and cached[0] == version:
                return cached[1]
            frame = datasets.records(self._engine.read_db, self._engine.bulk, group, dataset_type)
            if dataset_type == "Users":
                frame = frame.set_index("USER_ID", drop=False)
            self._items[key] = (version, frame)
        return frame
