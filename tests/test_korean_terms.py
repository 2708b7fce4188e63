"""The Korean catalogue names one thing one way (issue #21, trial s13b): "데이터셋", never
"데이터세트"; "상품" for an item (the shops' items are products), never "아이템", and the
Items dataset is the 상품 데이터셋 as ``dataset_type_name`` says it; every confirm button says
yes the same way ("예, …합니다"), never "네, …".
The catalogue is read as written, not through the code that uses it."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from services.i18n.catalogue import po_path

# A spelling the catalogue must not use, and the one it uses instead.
# Personalize's own spellings (ITEM_ID, explorationItemAgeCutOff, Items.CATEGORY in a filter
# expression) are Latin letters and stay; no Korean text needs "아이템", so no allow-list.
AVOIDED = {
    "데이터세트": "데이터셋",
    "데이터 세트": "데이터셋",
    "아이템": "상품",
    "Items 데이터셋": "상품 데이터셋",
    "Interactions 데이터셋": "상호작용 데이터셋",
}


def _translations() -> list[tuple[str, str]]:
    """(msgid, each Korean text) of every translated entry, plural forms one by one."""
    with po_path("ko").open("rb") as fh:
        catalog = read_po(fh, locale="ko")
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        pairs.extend((msgid, text) for text in texts if text)
    return pairs


def test_the_catalogue_writes_dataset_and_item_one_way() -> None:
    found = [(msgid, text) for msgid, text in _translations() for word in AVOIDED if word in text]
    assert found == []
    # the words the catalogue does use are there, so the check reads the real catalogue
    assert any("데이터셋 그룹" in text for _id, text in _translations())
    said = dict(_translations())
    assert said["Items"] == "상품"
    assert said["Items without interactions"] == "상호작용이 없는 상품"


def test_every_yes_button_says_ye_and_a_whole_verb() -> None:
    yes = {msgid: text for msgid, text in _translations() if msgid.startswith("Yes, ")}
    # the seven confirm buttons of issue #21's pages, counted in the code by hand
    assert len(yes) >= 7
    for msgid, text in yes.items():
        assert text.startswith("예, "), (msgid, text)
        assert re.search(r"니다$", text), (msgid, text)  # "예, 가져옵니다", not "예, 가져오기"
