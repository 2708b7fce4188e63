"""Which users and items to look at, what they did, and previews of versions no campaign serves.

Pure pandas helpers for the Recommendations page (typed IDs, generated unknown users, recent
history, item labels), plus a batch-inference preview: on AWS a solution version can only be
queried through a campaign or a batch inference job, so a preview writes the sampled users as
JSON Lines, starts a job and reads ``<output>/<input name>.out`` back.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from services.datasets.snapshot import Location, ObjectStore
from services.errors import ServiceError
from services.evaluation.inspection import UserRecommendations
from services.evaluation.products import (
    IMAGE_COLUMNS,
    PRICE_COLUMNS,
    SHOP_CURRENCY,
    Product,
    picture,
)
from services.i18n import formats
from services.personalize.facade import PersonalizeService

UNKNOWN_PREFIX = "unknown-"
PREVIEW_INPUT = "users.json"
# Columns that name or group an item, most telling first (Personalize leaves naming to users).
NAME_COLUMNS = ("TITLE", "NAME", "ITEM_NAME", "PRODUCT_NAME", "DESCRIPTION")
CATEGORY_COLUMNS = ("CATEGORY", "CATEGORY_L1", "GENRES", "GENRE", "CATEGORIES", "BRAND")


def parse_ids(text: str) -> list[str]:
    """IDs typed one per line, or separated by commas, semicolons or spaces; first seen kept."""
    return list(dict.fromkeys(p for p in re.split(r"[\s,;]+", text or "") if p))


def unknown_user_ids(n: int) -> list[str]:
    """``unknown-1`` … ``unknown-n``: users no model has seen (they should get popular items)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    return [f"{UNKNOWN_PREFIX}{k}" for k in range(1, n + 1)]


def recent_history(
    interactions: pd.DataFrame, users: Sequence[str], k: int = 5
) -> dict[str, list[str]]:
    """Each user's latest ``k`` items, newest first (empty for users without interactions)."""
    out: dict[str, list[str]] = {u: [] for u in users}
    if interactions.empty or not {"USER_ID", "ITEM_ID"} <= set(interactions.columns):
        return out
    rows = interactions[interactions["USER_ID"].astype(str).isin(set(users))]
    if "TIMESTAMP" in rows.columns:
        rows = rows.sort_values("TIMESTAMP", ascending=False, kind="stable")
    for user, group in rows.groupby(rows["USER_ID"].astype(str), sort=False):
        out[str(user)] = group["ITEM_ID"].astype(str).head(k).tolist()
    return out


def _column(frame: pd.DataFrame, candidates: Sequence[str]) -> str | None:
    upper = {str(c).upper(): str(c) for c in frame.columns}
    return next((upper[c] for c in candidates if c in upper), None)


@dataclass(frozen=True)
class ItemCatalog:
    """Item names, categories, prices and pictures from an Items snapshot (empty when there is
    none). ``prices`` are numbers in ``currency``; ``images`` are the raw field values (checked
    by ``product``, never drawn as they are)."""

    names: Mapping[str, str]
    categories: Mapping[str, str]
    prices: Mapping[str, float] = field(default_factory=dict)
    images: Mapping[str, str] = field(default_factory=dict)
    currency: str = SHOP_CURRENCY

    @classmethod
    def from_frame(cls, items: pd.DataFrame | None) -> ItemCatalog:
        if items is None or items.empty or "ITEM_ID" not in items.columns:
            return cls({}, {})
        items = items.drop_duplicates("ITEM_ID", keep="last")
        ids = items["ITEM_ID"].astype(str)

        def mapping(col: str | None) -> dict[str, str]:
            if col is None:
                return {}
            values = items[col]
            keep = values.notna()
            return dict(zip(ids[keep], values[keep].astype(str), strict=True))

        prices: dict[str, float] = {}
        price_col = _column(items, PRICE_COLUMNS)
        if price_col is not None:
            # a price that is not a number (a typo, "₩39,000" left as text) is unknown, not 0
            numbers = pd.to_numeric(items[price_col], errors="coerce")
            keep = numbers.notna()
            prices = dict(zip(ids[keep], numbers[keep].astype(float), strict=True))
        return cls(
            mapping(_column(items, NAME_COLUMNS)),
            mapping(_column(items, CATEGORY_COLUMNS)),
            prices,
            mapping(_column(items, IMAGE_COLUMNS)),
        )

    def product(self, item_id: str) -> Product:
        """The item as a product: name, category, price and a picture that is safe to draw."""
        category = self.categories.get(item_id)
        return Product(
            item_id=item_id,
            name=self.names.get(item_id),
            category=category,
            price=self.prices.get(item_id),
            currency=self.currency,
            image=picture(self.images.get(item_id), category),
        )

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.names or item_id in self.categories

    def label(self, item_id: str) -> str:
        """``i12 · Red shoes (cat0)``: the ID first, so it can always be read back."""
        parts = [item_id]
        if item_id in self.names:
            parts.append(self.names[item_id])
        text = " · ".join(parts)
        category = self.categories.get(item_id)
        return f"{text} ({category})" if category else text


def grid_frame(
    results: Sequence[UserRecommendations], catalog: ItemCatalog, top_n: int
) -> pd.DataFrame:
    """Long table, one row per (user, rank): what the CSV export holds.

    Columns: ``user_id``, ``rank``, ``item_id``, ``name``, ``category``, ``price (KRW)`` (a
    number in the catalogue's currency, named in the header so a spreadsheet can sum it; whole
    numbers for a currency without minor units (ISO 4217: KRW), empty when the catalogue has
    no price), ``score`` (GetRecommendations' ``itemList[].score``) and
    ``error``. ``score`` is left out when no listed item has one: Personalize sends scores for
    User-Personalization and Personalized-Ranking only, not for popularity, related-items
    recipes or the popular-items fallback of a user the model does not know (API reference,
    GetRecommendations, ``PredictedItem.score``), and an empty column would read as a fault.
    """
    price = price_header(catalog)
    rows: list[dict[str, object]] = []
    for res in results:
        if not res.ok:
            rows.append({"user_id": res.user_id, "rank": None, "item_id": None, "error": res.error})
            continue
        for rank, item in enumerate(res.items[:top_n], start=1):
            score = res.scores[rank - 1] if rank - 1 < len(res.scores) else None
            rows.append(
                {
                    "user_id": res.user_id,
                    "rank": rank,
                    "item_id": item,
                    "name": catalog.names.get(item),
                    "category": catalog.categories.get(item),
                    price: catalog.prices.get(item),
                    "score": score,
                }
            )
    columns = ["user_id", "rank", "item_id", "name", "category", price, "score", "error"]
    if not has_scores(results, top_n):
        columns.remove("score")
    frame = pd.DataFrame(rows).reindex(columns=columns)
    prices = pd.to_numeric(frame[price], errors="coerce")
    if formats.currency_digits(catalog.currency) == 0 and (prices.dropna() % 1 == 0).all():
        frame[price] = prices.astype("Int64")  # 39000, not 39000.0: KRW has no minor unit
    return frame


def price_header(catalog: ItemCatalog) -> str:
    """The grid CSV's price column: ``price (KRW)``, the currency's ISO 4217 code."""
    return f"price ({catalog.currency})"


def has_scores(results: Sequence[UserRecommendations], top_n: int) -> bool:
    """Whether any listed item of ``results`` (top ``top_n``) came with a score."""
    return any(s is not None for r in results if r.ok for s in r.scores[:top_n])


# --- batch-inference preview ----------------------------------------------------------------


@dataclass(frozen=True)
class BatchPreview:
    """A started preview: the job and where its answer will be."""

    job_arn: str
    version_arn: str
    users: tuple[str, ...]
    output_uri: str  # the .out file

    def to_dict(self) -> dict[str, Any]:
        """Plain values, for session state."""
        return {
            "job_arn": self.job_arn,
            "version_arn": self.version_arn,
            "users": list(self.users),
            "output_uri": self.output_uri,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BatchPreview:
        return cls(d["job_arn"], d["version_arn"], tuple(d["users"]), d["output_uri"])


def start_batch_preview(
    service: PersonalizeService,
    objects: ObjectStore,
    where: Location,
    version_arn: str,
    users: Sequence[str],
    num_results: int = 25,
) -> BatchPreview:
    """Write the users as JSON Lines and start a batch inference job on the version."""
    if not users:
        raise ValueError("pass at least one user")
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    name = f"preview-{stamp}-{secrets.token_hex(4)}"
    folder = where.uri("previews", name)
    lines = "".join(json.dumps({"userId": u}) + "\n" for u in users)
    objects.put(f"{folder}/{PREVIEW_INPUT}", lines.encode())
    job = service.create_batch_inference_job(
        name,
        version_arn,
        f"{folder}/{PREVIEW_INPUT}",
        f"{folder}/out/",
        where.role_arn,
        num_results=num_results,
    )
    return BatchPreview(job, version_arn, tuple(users), f"{folder}/out/{PREVIEW_INPUT}.out")


def read_batch_preview(objects: ObjectStore, preview: BatchPreview) -> list[UserRecommendations]:
    """The job's answers, in the order the users were sent (missing users carry an error)."""
    found: dict[str, UserRecommendations] = {}
    for raw in objects.get(preview.output_uri).decode("utf-8").splitlines():
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            user = str(line["input"]["userId"])
        except (ValueError, KeyError, TypeError) as err:
            raise ServiceError(f"The batch output has a line that is not a result: {err}") from err
        if line.get("error"):
            found[user] = UserRecommendations(user, error=str(line["error"]))
            continue
        output = line.get("output") or {}
        items = tuple(str(i) for i in output.get("recommendedItems") or [])
        scores = tuple(output.get("scores") or [None] * len(items))
        found[user] = UserRecommendations(user, items=items, scores=scores)
    return [
        found.get(u, UserRecommendations(u, error="not in the batch output")) for u in preview.users
    ]
