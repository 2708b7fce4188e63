"""Pages over a data directory whose interactions file is damaged: each page names the file and
what to do, and never draws a traceback or a server path; so does a truncated model file.

Two kinds of damage: a truncated file (its footer is gone, so the data read finds it
before any chart reads) and bytes damaged inside a file that keeps its footer (found only when
a page reads that part, on demand).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from services.config import Settings
from tests.dashboard.conftest import Seeded, app_at
from tests.dashboard.rendered import shown

OVERVIEW, DATA, RECS = (
    "dashboard/pages/overview.py",
    "dashboard/pages/data.py",
    "dashboard/pages/recommendations.py",
)
CAUSE = (
    "is corrupt (truncated or damaged): import the Interactions dataset of dataset group shop "
    "again with importMode FULL, which replaces its bulk files."
)
# Where each page names the damaged file: (damage, page) -> the start of its message.
WHERE = {
    ("truncated", OVERVIEW): "Could not read the data checks of shop: The bulk file ",
    ("truncated", DATA): "Could not read the data back",
    ("truncated", RECS): "Could not read the data back",
    ("damaged inside", OVERVIEW): "Could not read the data checks of shop: The bulk file ",
    ("damaged inside", DATA): "Could not read the interactions: The bulk file ",
    ("damaged inside", RECS): "Could not read the users' activity: The bulk file ",
}


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_inside(path: Path) -> None:
    """Flip bytes of the first half (the column data), keeping the footer intact."""
    data = bytearray(path.read_bytes())
    for offset in range(100, len(data) // 2, 97):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    with ipc.open_file(pa.OSFile(str(path))) as damaged:  # the footer still reads...
        # ...the data does not: a record batch's header or its buffers no longer hold together
        with pytest.raises((OSError, pa.ArrowInvalid)):
            damaged.read_all().validate(full=True)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": truncate,
    "damaged inside": damage_inside,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("page", [OVERVIEW, DATA, RECS])
def test_a_damaged_interactions_file_is_a_message_on_the_page(
    seeded: Seeded, page: str, damage: str
) -> None:
    data_dir = Settings.from_env().data_dir
    (bulk,) = (data_dir / "bulk").glob("*/interactions/*.arrow")
    DAMAGE[damage](bulk)
    at = app_at(page)
    assert not at.exception, [e.value for e in at.exception]
    messages = [shown(e.value) for e in at.error]  # as read: escaped paths would hide a leak
    relative = bulk.relative_to(data_dir).as_posix()
    assert any(
        m.startswith(WHERE[damage, page]) and f"{relative} {CAUSE}" in m for m in messages
    ), messages
    for message in messages:
        assert str(data_dir) not in message and "Traceback" not in message, message
    assert at.title[0].value == page.removeprefix("dashboard/pages/").removesuffix(".py").title()


@pytest.mark.parametrize("page", [OVERVIEW, RECS])
def test_a_truncated_model_file_is_a_message_on_the_page(seeded: Seeded, page: str) -> None:
    """The campaign shop-campaign serves up_v1; both pages ask it for several users."""
    data_dir = Settings.from_env().data_dir
    (model,) = (data_dir / "models").glob(f"shop-up-{seeded.up_v1.rsplit('/', 1)[-1]}.npz")
    truncate(model)
    at = app_at(page)
    assert not at.exception, [e.value for e in at.exception]
    messages = [shown(e.value) for e in at.error]  # as read: escaped paths would hide a leak
    cause = (
        f"The model file models/{model.name} is corrupt (truncated or damaged): retrain (create "
        "a new version of solution shop-up and update the campaign to it)."
    )
    assert any("shop-campaign" in m and cause in m for m in messages), messages
    for message in messages:
        assert str(data_dir) not in message and "Traceback" not in message, message
