"""The demo shop's data: a catalogue, shoppers and their clicks, generated deterministically.

The data replays what a real team saw (DESIGN.md, lessons 2 and 3). A bulk history of a few
hundred shoppers over older items (~60 to ~15 days ago) trains version 1. Then a launch of a new
collection brings ~1,200 new shoppers who browse mostly the new items; they arrive through
PutUsers, PutItems and PutEvents over the last two weeks, the latest within the last hour.
Version 1 knows neither those shoppers nor those items, so it serves them its popular items;
a version trained on everything does not.

Everything is relative to ``now`` and in epoch seconds. No I/O here: see ``shop.py``.
``SCHEMAS`` are the Avro schemas of the three bulk files, in their column order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from services.personalize.models import SchemaField
from services.personalize.schema_avro import avro_record

DAY = 86_400
SEED = 20_240_601

# category -> (nouns, price range in won, KRW). The shop is Korean: its merchandisers read item
# names and categories in Korean, so the demo shows them (and the fonts, sorting and filters
# that Hangul needs) from the first page.
CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[float, float]]] = {
    "신발": (("스니커즈", "트레일 러닝화", "로퍼", "등산화", "샌들"), (32_500, 234_000)),
    "재킷": (("레인 재킷", "패딩", "플리스", "파카", "바람막이"), (52_000, 455_000)),
    "백팩": (("데이팩", "여행용 백팩", "노트북 가방", "배낭", "슬링백"), (26_000, 286_000)),
    "텐트": (("돔 텐트", "터널 텐트", "비비색", "타프 쉘터", "가족용 텐트"), (78_000, 910_000)),
    "유모차": (
        ("유모차", "조깅 유모차", "디럭스 유모차", "카시트", "아기띠"),
        (104_000, 1_170_000),
    ),
    "장난감": (("블록 세트", "곰 인형", "퍼즐", "나무 기차", "놀이 매트"), (10_400, 117_000)),
    "헤드폰": (("무선 이어폰", "오버이어 헤드폰", "헤드셋", "넥밴드"), (19_500, 585_000)),
    "노트북": (("울트라북", "게이밍 노트북", "크롬북", "2-in-1 노트북"), (325_000, 3_380_000)),
    "주방용품": (("프라이팬", "무쇠 냄비", "소스팬", "웍", "칼 세트"), (19_500, 416_000)),
    "커피": (
        ("에스프레소 원두", "핸드드립 세트", "그라인더", "모카포트", "커피메이커"),
        (11_700, 910_000),
    ),
    "시계": (
        ("크로노그래프", "필드 워치", "스마트워치", "다이버 워치", "드레스 워치"),
        (65_000, 3_900_000),
    ),
    "스킨케어": (("세럼", "보습 크림", "선크림", "클렌저", "나이트 크림"), (9_100, 182_000)),
}
ADJECTIVES = (
    "클래식", "어반", "초경량", "데일리", "프로", "컴팩트", "헤리티지", "노르딕",
    "에센셜", "시그니처", "모던", "스튜디오", "코스탈", "디럭스", "스마트", "빈티지",
)  # fmt: skip
COLOURS = ("블랙", "네이비", "샌드", "올리브", "레드", "그레이", "화이트", "틸", "러스트", "플럼")

# segment -> (category weights, price tilt: item weight *= price ** tilt)
SEGMENTS: dict[str, tuple[dict[str, float], float]] = {
    "outdoors": ({"텐트": 4, "백팩": 4, "재킷": 3, "신발": 2}, 0.0),
    "new-parent": ({"유모차": 5, "장난감": 4, "스킨케어": 1, "주방용품": 1}, 0.0),
    "techie": ({"헤드폰": 4, "노트북": 4, "시계": 2, "백팩": 1}, 0.0),
    "home-cook": ({"주방용품": 5, "커피": 4, "스킨케어": 1}, 0.0),
    "premium": ({"시계": 4, "스킨케어": 3, "재킷": 2, "커피": 1}, 0.8),
    "bargain-hunter": ({"신발": 3, "장난감": 2, "헤드폰": 2, "주방용품": 2}, -0.8),
}
OTHER_CATEGORY_WEIGHT = 0.15  # shoppers wander outside their segment now and then
ZIPF = 1.1  # item popularity within a category falls off as 1 / rank ** ZIPF

P_CART = 0.19  # per view; with P_PURCHASE gives View/AddToCart/Purchase ≈ 80/15/5 %
P_PURCHASE = 0.33  # per AddToCart

OLD_ITEMS, NEW_ITEMS = 2_000, 500
BULK_USERS, NEW_USERS, RETURNING_USERS = 300, 1_200, 100
BULK_VIEWS, NEW_USER_VIEWS, RETURNING_VIEWS = 5_500, 17_900, 2_000
MIXED_NEW_USERS = 0.08  # share of new shoppers who also browse older items
BULK_WINDOW = (60 * DAY, 15 * DAY)  # seconds before now: the history version 1 learns from
EVENTS_WINDOW = 14 * DAY  # PutEvents arrive over the last two weeks


def _schema(name: str, *fields: SchemaField) -> str:
    return json.dumps(avro_record(name, fields))


SCHEMAS = {
    "Interactions": _schema(
        "Interactions",
        SchemaField("USER_ID", "string", nullable=False),
        SchemaField("ITEM_ID", "string", nullable=False),
        SchemaField("TIMESTAMP", "long", nullable=False),
        SchemaField("EVENT_TYPE", "string", nullable=False),
    ),
    "Items": _schema(
        "Items",
        SchemaField("ITEM_ID", "string", nullable=False),
        SchemaField("NAME", "string", nullable=False, textual=True),
        SchemaField("CATEGORY", "string", nullable=False, categorical=True),
        SchemaField("PRICE", "float", nullable=False),
        SchemaField("CREATION_TIMESTAMP", "long", nullable=False),
    ),
    "Users": _schema(
        "Users",
        SchemaField("USER_ID", "string", nullable=False),
        SchemaField("SEGMENT", "string", nullable=False, categorical=True),
    ),
}


@dataclass(frozen=True)
class DemoData:
    """The shop, split by how each part reaches Personalize.

    Attributes:
        items: bulk Items import (ITEM_ID, NAME, CATEGORY, PRICE, CREATION_TIMESTAMP).
        new_items: the new collection, sent with PutItems after version 1 (same columns).
        users: bulk Users import (USER_ID, SEGMENT).
        new_users: shoppers who signed up after version 1, sent with PutUsers.
        interactions: bulk Interactions import (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE).
        events: sent with PutEvents, with a SESSION_ID column, in time order.
    """

    items: pd.DataFrame
    new_items: pd.DataFrame
    users: pd.DataFrame
    new_users: pd.DataFrame
    interactions: pd.DataFrame
    events: pd.DataFrame


def generate(now: int, seed: int = SEED) -> DemoData:
    """The demo shop as it looks at ``now`` (epoch seconds); same seed, same shop."""
    rng = np.random.default_rng(seed)
    catalogue = _items(rng, now)
    is_new = np.arange(len(catalogue)) >= OLD_ITEMS
    people = _users(rng)
    pools = _Pools(catalogue, is_new)

    bulk_ids = people["USER_ID"].to_numpy()[:BULK_USERS]
    bulk = _clicks(rng, pools, people.iloc[:BULK_USERS], BULK_VIEWS, now, "bulk", p_old=1.0)
    returning = people.iloc[rng.choice(bulk_ids.size, RETURNING_USERS, replace=False)]
    back = _clicks(rng, pools, returning, RETURNING_VIEWS, now, "events", p_old=0.6)
    newcomers = people.iloc[BULK_USERS:]
    mixed = rng.random(len(newcomers)) < MIXED_NEW_USERS
    fresh = [
        _clicks(rng, pools, newcomers[mixed == m], views, now, "events", p_old=p)
        for m, views, p in (
            (True, round(NEW_USER_VIEWS * MIXED_NEW_USERS), 0.4),
            (False, round(NEW_USER_VIEWS * (1 - MIXED_NEW_USERS)), 0.0),
        )
    ]
    events = pd.concat([back, *fresh], ignore_index=True)
    events = events.sort_values(["TIMESTAMP", "USER_ID"], kind="stable", ignore_index=True)
    return DemoData(
        items=catalogue[~is_new].reset_index(drop=True),
        new_items=catalogue[is_new].reset_index(drop=True),
        users=people.iloc[:BULK_USERS].reset_index(drop=True),
        new_users=newcomers.reset_index(drop=True),
        interactions=bulk.drop(columns="SESSION_ID").sort_values(
            ["TIMESTAMP", "USER_ID"], kind="stable", ignore_index=True
        ),
        events=events,
    )


def _items(rng: np.random.Generator, now: int) -> pd.DataFrame:
    names = list(CATEGORIES)
    n = OLD_ITEMS + NEW_ITEMS
    category = rng.choice(len(names), size=n)
    created = np.empty(n, dtype=np.int64)
    # Older items: mostly long before the history starts, some added during it.
    old_recent = rng.random(OLD_ITEMS) < 0.15
    created[:OLD_ITEMS] = np.where(
        old_recent,
        now - rng.integers(20 * DAY, 60 * DAY, OLD_ITEMS),
        now - rng.integers(61 * DAY, 400 * DAY, OLD_ITEMS),
    )
    # The new collection launched just before the events window; a trickle followed.
    trickle = rng.random(NEW_ITEMS) < 0.1
    created[OLD_ITEMS:] = np.where(
        trickle,
        now - rng.integers(1 * DAY, 5 * DAY, NEW_ITEMS),
        now - rng.integers(EVENTS_WINDOW, EVENTS_WINDOW + 2 * DAY, NEW_ITEMS),
    )
    rows = []
    used: set[str] = set()
    for i in range(n):
        cat = names[category[i]]
        nouns, (lo, hi) = CATEGORIES[cat]
        while True:  # unique names, drawn from a few hundred combinations per category
            name = (
                f"{ADJECTIVES[rng.integers(len(ADJECTIVES))]} {nouns[rng.integers(len(nouns))]}"
                f" ({COLOURS[rng.integers(len(COLOURS))]})"
            )
            if name not in used:
                used.add(name)
                break
        # whole hundreds of won, as a Korean shop prices (₩39,000; no fractions of a won)
        price = round(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))), -2)
        rows.append((f"item-{i + 1:04d}", name, cat, price, int(created[i])))
    return pd.DataFrame(
        rows, columns=["ITEM_ID", "NAME", "CATEGORY", "PRICE", "CREATION_TIMESTAMP"]
    )


def _users(rng: np.random.Generator) -> pd.DataFrame:
    n = BULK_USERS + NEW_USERS
    segments = np.asarray(list(SEGMENTS), dtype=object)[rng.integers(len(SEGMENTS), size=n)]
    return pd.DataFrame({"USER_ID": [f"user-{i + 1:04d}" for i in range(n)], "SEGMENT": segments})


class _Pools:
    """Per (old/new, segment, category): items by creation time with cumulative weights."""

    def __init__(self, items: pd.DataFrame, is_new: np.ndarray) -> None:
        self.ids = items["ITEM_ID"].to_numpy()
        self.categories = list(CATEGORIES)
        self.pools: dict[tuple[bool, str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        rng = np.random.default_rng(SEED + 1)
        price = items["PRICE"].to_numpy(dtype=np.float64)
        created = items["CREATION_TIMESTAMP"].to_numpy()
        for new in (False, True):
            for cat in self.categories:
                members = np.flatnonzero((items["CATEGORY"].to_numpy() == cat) & (is_new == new))
                ranks = rng.permutation(len(members))  # popularity is unrelated to age
                base = 1.0 / (ranks + 1.0) ** ZIPF
                order = np.argsort(created[members], kind="stable")
                for segment, (_, tilt) in SEGMENTS.items():
                    w = (base * price[members] ** tilt)[order]
                    self.pools[(new, segment, cat)] = (
                        members[order],
                        created[members][order],
                        np.cumsum(w),
                    )

    def category_weights(self, segment: str) -> np.ndarray:
        prefs = SEGMENTS[segment][0]
        w = np.array([prefs.get(c, OTHER_CATEGORY_WEIGHT) for c in self.categories])
        return w / w.sum()

    def draw(self, rng: np.random.Generator, segment: str, new: bool, at: int) -> int | None:
        """An item of the pool already created at ``at``, by popularity; None if none yet."""
        cat = self.categories[rng.choice(len(self.categories), p=self.category_weights(segment))]
        members, created, cum = self.pools[(new, segment, cat)]
        k = int(np.searchsorted(created, at, side="right"))
        if k == 0:
            return None
        return int(members[np.searchsorted(cum[:k], rng.random() * cum[k - 1], side="right")])


def _clicks(
    rng: np.random.Generator,
    pools: _Pools,
    users: pd.DataFrame,
    total_views: int,
    now: int,
    window: str,
    *,
    p_old: float,
) -> pd.DataFrame:
    """Sessions of views, each view possibly followed by AddToCart and Purchase."""
    raw = rng.lognormal(0.0, 0.6, len(users))
    views = np.maximum(2, np.round(raw / raw.sum() * total_views)).astype(int)
    rows: list[tuple[str, str, int, str, str]] = []
    for (user, segment), n_views in zip(
        users[["USER_ID", "SEGMENT"]].itertuples(index=False), views, strict=True
    ):
        n_sessions = int(min(n_views // 2, 1 + rng.poisson(1.0)))
        splits = np.sort(rng.choice(np.arange(1, n_views), n_sessions - 1, replace=False))
        starts = _session_starts(rng, n_sessions, now, window)
        for s, (start, count) in enumerate(
            zip(starts, np.diff(np.r_[0, splits, n_views]), strict=True)
        ):
            session = f"{user}-{window}-{s + 1}"
            clock = int(start)
            batch: list[tuple[str, str, int, str, str]] = []
            for _ in range(int(count)):
                item = pools.draw(rng, segment, rng.random() >= p_old, clock)
                if item is None:
                    item = pools.draw(rng, segment, False, clock)
                if item is None:
                    continue
                item_id = pools.ids[item]
                batch.append((user, item_id, clock, "View", session))
                if rng.random() < P_CART:
                    clock += int(rng.integers(10, 90))
                    batch.append((user, item_id, clock, "AddToCart", session))
                    if rng.random() < P_PURCHASE:
                        clock += int(rng.integers(30, 300))
                        batch.append((user, item_id, clock, "Purchase", session))
                clock += int(rng.integers(20, 180))
            # A long session that would run into the future ends a minute ago instead.
            late = max(0, batch[-1][2] - (now - 60)) if batch else 0
            rows.extend((u, i, ts - late, e, ss) for u, i, ts, e, ss in batch)
    return pd.DataFrame(
        rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "SESSION_ID"]
    )


def _session_starts(rng: np.random.Generator, n: int, now: int, window: str) -> np.ndarray:
    """Start times of a user's sessions, oldest first, a day or so apart."""
    if window == "bulk":
        first, last = now - BULK_WINDOW[0], now - BULK_WINDOW[1] - DAY
        latest = int(rng.integers(first, last))
    else:
        # Traffic grows towards now (u² puts ~5 % of sessions in the last hour); sessions
        # last up to ~1 h, so the latest start leaves room to end before now.
        first, last = now - EVENTS_WINDOW, now - 3_600
        latest = int(last - (last - first) * rng.random() ** 2)
    gaps = rng.exponential(1.5 * DAY, n - 1)
    starts = latest - np.r_[np.cumsum(gaps[::-1])[::-1], 0.0]
    return np.maximum(starts, first + rng.integers(0, 3_600, n)).astype(np.int64)
