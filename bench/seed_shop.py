"""The seed shop: a generated commerce catalogue of the size this product is modelled on.

Defaults: 500,000 items (Korean category names, price, creation time), 150,000 users and
3,000,000 View/AddToCart/Purchase events. Popularity follows a power law; a user's events come
in sessions that stay in one category and walk between neighbouring items, so there is
something sequential to learn. Fully vectorised: the default shop is generated in seconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

# Korean category names of a general-merchandise shop (the catalogue's first level).
CATEGORIES = (
    "패션의류", "신발", "가방", "시계", "화장품", "스킨케어", "향수", "주방용품", "생활용품",
    "가구", "침구", "조명", "가전", "컴퓨터", "휴대폰", "카메라", "음향기기", "게임",
    "도서", "문구", "완구", "유아동", "반려동물", "스포츠", "캠핑", "자전거", "골프",
    "자동차용품", "공구", "원예", "식품", "건강식품", "커피", "차", "주류", "여행",
)  # fmt: skip
EVENT_TYPES = ("View", "AddToCart", "Purchase")
EVENT_SHARES = (0.80, 0.15, 0.05)
SESSION_LENGTH = 6  # mean events per session
START = 1_700_000_000  # epoch seconds of the oldest event
SPAN = 180 * 86_400  # six months of history


def _schema(name: str, fields: list[dict[str, object]]) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "namespace": "com.amazonaws.personalize.schema",
            "fields": fields,
            "version": "1.0",
        }
    )


INTERACTIONS_SCHEMA = _schema(
    "Interactions",
    [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
        {"name": "EVENT_TYPE", "type": "string"},
    ],
)
ITEMS_SCHEMA = _schema(
    "Items",
    [
        {"name": "ITEM_ID", "type": "string"},
        {"name": "CATEGORY_L1", "type": "string", "categorical": True},
        {"name": "PRICE", "type": "float"},
        {"name": "CREATION_TIMESTAMP", "type": "long"},
    ],
)
USERS_SCHEMA = _schema(
    "Users",
    [
        {"name": "USER_ID", "type": "string"},
        {"name": "MEMBERSHIP", "type": "string", "categorical": True},
    ],
)


@dataclass(frozen=True)
class SeedShop:
    """The three bulk files' frames, in Personalize's column names."""

    items: pd.DataFrame
    users: pd.DataFrame
    interactions: pd.DataFrame


def generate(
    n_items: int = 500_000,
    n_users: int = 150_000,
    n_interactions: int = 3_000_000,
    seed: int = 7,
    min_item_events: int = 0,
) -> SeedShop:
    """Generate the shop deterministically from ``seed``.

    ``min_item_events`` > 0 adds that many View events to every item (each by a user drawn by
    the same power law, at a random time), on top of ``n_interactions``: a shop whose every
    item has enough interactions to be learned (User-Personalization's default
    ``min_item_interactions`` is 3), which the power law alone leaves to about 60 % of them.
    """
    rng = np.random.default_rng(seed)
    n_cat = len(CATEGORIES)
    # Items are laid out by category (contiguous ID ranges), popularity is a power law over a
    # shuffled rank so popular items are spread across categories.
    item_cat = np.sort(rng.integers(0, n_cat, size=n_items))
    cat_start = np.searchsorted(item_cat, np.arange(n_cat))
    cat_size = np.bincount(item_cat, minlength=n_cat)
    rank = rng.permutation(n_items) + 1
    item_p = 1.0 / rank**0.9
    item_p /= item_p.sum()
    price = np.round(np.exp(rng.normal(3.3, 1.0, size=n_items)) * 1000, -1)
    created = START - rng.integers(0, 2 * 365 * 86_400, size=n_items)
    items = pd.DataFrame(
        {
            "ITEM_ID": _ids("p", n_items),
            "CATEGORY_L1": np.asarray(CATEGORIES, dtype=object)[item_cat],
            "PRICE": price,
            "CREATION_TIMESTAMP": created.astype(np.int64),
        }
    )
    users = pd.DataFrame(
        {
            "USER_ID": _ids("u", n_users),
            "MEMBERSHIP": rng.choice(
                np.array(["일반", "실버", "골드", "VIP"], dtype=object),
                size=n_users,
                p=[0.6, 0.25, 0.12, 0.03],
            ),
        }
    )

    # Sessions: a user (power law), an anchor item (by popularity), then a walk inside the
    # anchor's category; the session's events are minutes apart.
    n_sessions = max(1, n_interactions // SESSION_LENGTH)
    user_p = 1.0 / np.arange(1, n_users + 1) ** 0.6
    user_p /= user_p.sum()
    user_rank = rng.permutation(n_users)  # the i-th most active user
    s_user = user_rank[rng.choice(n_users, size=n_sessions, p=user_p)]
    s_anchor = rng.choice(n_items, size=n_sessions, p=item_p)
    s_start = START + rng.integers(0, SPAN, size=n_sessions)
    session = np.sort(rng.integers(0, n_sessions, size=n_interactions))
    step = np.arange(n_interactions) - np.searchsorted(session, session)
    anchor = s_anchor[session]
    cat = item_cat[anchor]
    offset = anchor - cat_start[cat] + step * rng.integers(-3, 4, size=n_interactions)
    item = cat_start[cat] + np.mod(offset, np.maximum(cat_size[cat], 1))
    ts = s_start[session] + step * 60 + rng.integers(0, 60, size=n_interactions)
    event = rng.choice(len(EVENT_TYPES), size=n_interactions, p=EVENT_SHARES)
    s_user = s_user[session]
    if min_item_events > 0:
        extra = n_items * min_item_events
        s_user = np.r_[s_user, user_rank[rng.choice(n_users, size=extra, p=user_p)]]
        item = np.r_[item, np.repeat(np.arange(n_items), min_item_events)]
        ts = np.r_[ts, START + rng.integers(0, SPAN, size=extra)]
        event = np.r_[event, np.zeros(extra, dtype=event.dtype)]  # View
    interactions = pd.DataFrame(
        {
            "USER_ID": users["USER_ID"].to_numpy()[s_user],
            "ITEM_ID": items["ITEM_ID"].to_numpy()[item],
            "TIMESTAMP": ts.astype(np.int64),
            "EVENT_TYPE": np.asarray(EVENT_TYPES, dtype=object)[event],
        }
    )
    return SeedShop(items=items, users=users, interactions=interactions)


def _ids(prefix: str, n: int) -> pd.Series:
    return pd.Series(np.char.add(prefix, np.arange(n).astype(str)).astype(object))


def write_csv(frame: pd.DataFrame, path: Path) -> int:
    """Write ``frame`` as a UTF-8 CSV with a header (pyarrow); returns its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pa_csv.write_csv(table, path, pa_csv.WriteOptions(quoting_style="needed"))
    return path.stat().st_size
