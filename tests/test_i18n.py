"""The message catalogue and per-locale formats (issue #21): every marked string of the code is
in the catalogue with a Korean translation that keeps its placeholders; numbers, money and
dates read the way each language writes them (expected strings written by hand)."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from services.i18n import (
    LANGUAGES,
    _,
    current_language,
    formats,
    language_for_locale,
    ngettext,
    use_language,
)
from services.i18n.catalogue import po_path

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "streamlit_app.py"  # the router, outside dashboard/ (its docstring says why)
KEYWORDS = {**DEFAULT_KEYWORDS, "N_plural": (1, 2)}  # as `make messages` extracts


@pytest.fixture(autouse=True)
def english_after() -> None:
    yield
    use_language("en")


def _code_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for folder in ("dashboard", "services"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else tuple(message))
    for _line, message, _comments, _context in extract_from_file(
        "python", ENTRYPOINT, keywords=KEYWORDS, comment_tags=()
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_marked_string_has_a_korean_translation_with_the_same_placeholders() -> None:
    """Extracting now gives exactly the catalogue's messages (``make messages`` was run), and
    each has a Korean text, not fuzzy, naming the same ``{fields}`` (a missing or misspelt
    one would raise KeyError or drop a value on the page)."""
    korean = _catalog(po_path("ko"))
    template = _catalog(ROOT / "services" / "i18n" / "messages.pot")
    in_code = _code_messages()
    in_catalogue = {m.id if isinstance(m.id, str) else tuple(m.id) for m in korean if m.id}
    assert in_code - in_catalogue == set(), "run `make messages` and translate the new strings"
    assert in_catalogue - in_code == set(), "run `make messages`: these are no longer used"
    assert {m.id for m in template if m.id} == {m.id for m in korean if m.id}
    for message in korean:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(texts) and not message.fuzzy, message.id
        for text in texts:
            assert _fields(text) == _fields(ids[-1]), (message.id, text)
            # markdown and icons the page relies on stay: bold, code spans, :material: icons
            for mark in ("**", "`", ":material/"):
                assert (mark in text) == (mark in ids[0]), (message.id, text, mark)


def test_the_language_is_per_run_and_falls_back_to_english() -> None:
    assert LANGUAGES == {"en": "English", "ko": "한국어"}
    assert current_language() == "en"
    assert _("Overview") == "Overview"
    use_language("ko")
    assert (_("Overview"), _("Sign out")) == ("개요", "로그아웃")
    assert ngettext("every {n} day", "every {n} days", 3).format(n=3) == "3일마다"
    assert _("a string nobody marked") == "a string nobody marked"
    use_language("fr")  # not a catalogue language
    assert current_language() == "en" and _("Overview") == "Overview"


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("ko-KR", "ko"),
        ("ko", "ko"),
        ("ko_KR", "ko"),
        ("en-US", "en"),
        ("ja-JP", "en"),
        (None, "en"),
    ],
)
def test_the_browser_locale_picks_the_first_language(locale: str | None, language: str) -> None:
    assert language_for_locale(locale) == language


def test_one_format_per_kind_of_number_in_each_language() -> None:
    when = datetime(2026, 12, 6, 15, 4, tzinfo=UTC)
    expected = {
        # count, metric, share, won, dollars, date in Seoul's zone (UTC+9), missing values
        "en": ("19,884", "0.2301", "26%", "₩39,000", "$1.50", "Dec 7, 2026 00:04", "–"),
        "ko": ("19,884", "0.2301", "26%", "₩39,000", "US$1.50", "2026년 12월 7일 00:04", "–"),
    }
    seoul = ZoneInfo("Asia/Seoul")
    for language, (count, metric, share, won, usd, date, missing) in expected.items():
        use_language(language)
        assert formats.count(19_884) == count
        assert formats.metric(0.230_14) == metric
        assert formats.share(0.256) == share
        assert formats.money(39_000, "KRW") == won  # the won has no minor unit
        assert formats.money(1.5, "USD") == usd
        assert formats.date_time(when, seoul) == date
        assert {formats.count(None), formats.metric(float("nan")), formats.money(None, "KRW")} == {
            missing
        }
    use_language("en")
    assert formats.share(0.1234, digits=1) == "12.3%"


def test_times_to_the_second_keep_the_24_hour_clock_and_name_their_zone() -> None:
    # 2026-10-31 15:47:05 UTC is 2026-11-01 00:47:05 in Seoul (UTC+9, no daylight saving)
    when = datetime(2026, 10, 31, 15, 47, 5, tzinfo=UTC)
    seoul = ZoneInfo("Asia/Seoul")
    for language, expected in (
        ("en", "Nov 1, 2026 00:47:05"),
        ("ko", "2026년 11월 1일 00:47:05"),  # not Korean's own "0시 47분 5초"
    ):
        use_language(language)
        assert formats.date_time(when, seoul, seconds=True) == expected
    use_language("en")
    assert formats.date_time(when.replace(tzinfo=None)) == "Oct 31, 2026 15:47"  # naive: UTC
    assert (formats.zone_name(seoul), formats.zone_name(UTC)) == ("Asia/Seoul", "UTC")


def test_relative_times_and_durations_read_in_korean() -> None:
    from dashboard.components.formatting import relative_time

    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    use_language("ko")
    assert relative_time(now - timedelta(hours=3, minutes=5), now) == "3시간 5분 전"
    assert relative_time(now + timedelta(minutes=5), now) == "5분 후"
    assert relative_time(now, now) == "방금"
    assert formats.duration(timedelta(days=3)) == "3일"
    # a trial's training times: 53 s and 100 s both read "1 min"
    assert formats.duration(53) == "53초"
    assert formats.duration(100) == "1분 40초"
    assert formats.duration(2 * 3600 + 5 * 60) == "2시간 5분"
    assert formats.duration(86400 + 3 * 3600) == "1일 3시간"
    assert formats.duration(0.4) == "0.4초"
    use_language("en")
    assert relative_time(now - timedelta(hours=3, minutes=5), now) == "3 h 5 min ago"


def test_a_zero_change_has_no_sign_and_no_arrow() -> None:
    from dashboard.components.solutions.metrics_chart import delta_text, is_no_change

    # by hand: 0.2004 vs 0.2000 is +0.2 %, which rounds to 0 %; 0.2100 vs 0.2000 is +5 %
    assert delta_text(0.2004, 0.2, "deployed") == "0% vs deployed"
    assert is_no_change(0.2004, 0.2)
    assert delta_text(0.21, 0.2, "deployed") == "+5% vs deployed"
    assert not is_no_change(0.21, 0.2)
    assert delta_text(0.19, 0.2, "deployed") == "-5% vs deployed"
    assert delta_text(0.2, 0.0, "deployed") is None and not is_no_change(0.2, 0.0)
    use_language("ko")
    # the sign stays first: st.metric colours the delta by its leading sign
    assert delta_text(0.21, 0.2, "배포") == "+5% (배포 대비)"


def test_no_korean_translation_keeps_an_english_sentence() -> None:
    """A translation copied from English by mistake (three or more English words in a row,
    outside code spans, placeholders and API names) is caught here."""
    korean = _catalog(po_path("ko"))
    english_run = re.compile(r"\b[a-z]{3,}\b(?:[ ,]+\b[a-z]{3,}\b){2,}")
    for message in korean:
        if not message.id:
            continue
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in texts:
            plain = re.sub(r"`[^`]*`|\{[^}]*\}|\([^)]*[A-Za-z]{3,}[^)]*\)", "", text)
            assert not english_run.search(plain), (message.id, text)


def test_korean_bold_closes_whatever_the_value_ends_with() -> None:
    # CommonMark closes ** only when it is "right-flanking": after a value ending in
    # punctuation ("sol-1)", "…") and before a Hangul particle (**{name}**을) it stays open and
    # the reader sees the asterisks. Rendered here by markdown-it (CommonMark), not by our code.
    from markdown_it import MarkdownIt

    with po_path("ko").open("rb") as fh:
        catalog = read_po(fh, locale="ko")
    md = MarkdownIt("commonmark")
    unclosed = []
    for message in catalog:
        if not message.id or not isinstance(message.string, str) or "**" not in message.string:
            continue
        names = {n for _, n, _, _ in string.Formatter().parse(message.string) if n}
        text = message.string.format(**dict.fromkeys(names, "a-1)"))
        if "**" in md.renderInline(text):
            unclosed.append(message.string)
    assert unclosed == []


def _bare_texts(folder: Path) -> list[str]:
    """Spinner and status texts written as plain literals (shown in English whatever the
    language): ``show_spinner="…"``, ``st.spinner("…")``, ``st.status("…")``, f-strings too."""
    import ast

    found = []
    for path in sorted(folder.rglob("*.py")) if folder.is_dir() else [folder]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            texts = [k.value for k in node.keywords if k.arg == "show_spinner"]
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in ("spinner", "status") and node.args:
                texts.append(node.args[0])
            for text in texts:
                literal = isinstance(text, ast.Constant) and isinstance(text.value, str)
                if literal or isinstance(text, ast.JoinedStr):
                    found.append(f"{path}:{node.lineno}")
    return found


def test_spinner_and_status_texts_go_through_the_catalogue(tmp_path: Path) -> None:
    """A cached read's ``show_spinner`` text is fixed when its module is imported, so the
    pages draw their spinners with ``st.spinner(_("…"))`` in the session's language."""
    assert _bare_texts(ROOT / "dashboard") == []
    assert _bare_texts(ENTRYPOINT) == []
    bad = tmp_path / "page.py"
    bad.write_text(
        'import streamlit as st\n@st.cache_data(show_spinner="Reading…")\ndef f(): ...\n'
        'with st.spinner(f"Checking {x}"):\n    pass\n'
    )
    assert len(_bare_texts(tmp_path)) == 2


def test_the_demo_shop_prices_in_whole_won() -> None:
    """The demo shop is Korean: its prices are won (whole hundreds, ₩9,100 to ₩3,900,000), and
    read as such in either language."""
    from services.demo.data import generate

    prices = generate(1_700_000_000).items["PRICE"]
    assert (prices % 100 == 0).all() and prices.min() >= 9_000 and prices.max() <= 3_900_000
    use_language("ko")
    assert formats.money(float(prices.iloc[0]), "KRW").startswith("₩")
    assert formats.money(39_000, "KRW") == "₩39,000"


# Readiness modules whose findings go through the catalogue; the rest still speak English
# (docs/korean.md lists them). A module joins this list when its findings are marked.
TRANSLATED_READINESS = (
    "api.py",
    "cross.py",
    "dataset.py",
    "id_field.py",
    "idspace.py",
    "interactions.py",
    "items.py",
    "reader.py",
    "schema.py",
    "timestamp_field.py",
    "value_field.py",
)


def _english_messages(path: Path) -> list[str]:
    """Literals and f-strings of three or more words that no ``_``/``N_``/``ngettext`` marks
    (docstrings and log lines aside): text a person would read in English."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        else:
            continue
        parent = parents.get(node)
        words = [w for w in text.split() if re.search(r"[A-Za-z]{2,}", w)]
        if isinstance(parent, ast.Expr | ast.JoinedStr) or len(words) < 3:
            continue
        up, marked = node, False
        while up in parents and not marked:
            up = parents[up]
            if isinstance(up, ast.Call):
                name = getattr(up.func, "id", getattr(up.func, "attr", ""))
                marked = name in KEYWORDS or name in ("debug", "info", "warning", "exception")
        if not marked:
            found.append(f"{path.name}:{node.lineno}: {text[:60]}")
    return found


@pytest.mark.parametrize("module", TRANSLATED_READINESS)
def test_translated_readiness_modules_keep_every_message_in_the_catalogue(module: str) -> None:
    assert _english_messages(ROOT / "services" / "readiness" / module) == []


def test_the_english_message_walk_flags_an_unmarked_finding(tmp_path: Path) -> None:
    bad = tmp_path / "check.py"
    bad.write_text(
        'from services.i18n import _\n"""Doc string of the module."""\n'
        'a = _("Too few interactions to train")\n'
        'b = f"{n} rows repeat an earlier row"\n'
    )
    assert [line.split(":")[1] for line in _english_messages(bad)] == ["4"]


def test_readiness_findings_read_in_korean() -> None:
    """The Data page's readiness check in Korean: the interactions findings' title, numbers
    and fix are Korean, with the numbers worked out by hand (999 interactions: one short)."""
    import pandas as pd

    from services.readiness import check_dataframe

    rows = [
        (f"u{u}", f"i{(u + k) % 50}", 1_700_000_000 + 3600 * (u * 40 + k), "click")
        for u in range(25)
        for k in range(40)
    ][:999]
    # 1,000 records (one repeated), so the import job goes in and training is one short
    frame = pd.DataFrame(rows + rows[:1], columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"])
    use_language("ko")
    short = pd.DataFrame(rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"])
    job = check_dataframe(short, "interactions", now=1_800_000_000).get("too_few_interactions")
    assert job.title == "가져오기 작업 하나에 상호작용이 너무 적습니다"
    assert job.detail.startswith(
        "상호작용 레코드 999건: Personalize는 가져오기 작업마다 최소 1,000건"
    )
    assert job.fix.startswith("파일에 상호작용을 1건 이상 더 넣거나")
    found = check_dataframe(frame, "interactions", now=1_800_000_000).get("too_few_interactions")
    assert found.title == "학습하기에 상호작용이 너무 적습니다"
    assert found.detail == "서로 다른 상호작용 999개. 학습에는 최소 1,000개가 필요합니다."
    assert found.fix == "상호작용을 1개 이상 더 가져오세요."
    use_language("en")
    found = check_dataframe(frame, "interactions", now=1_800_000_000).get("too_few_interactions")
    assert found.title == "Too few interactions to train"


def test_file_and_schema_findings_read_in_korean(tmp_path: Path) -> None:
    """A semicolon-separated export with a blank line and a second ITEM_ID column, checked in
    Korean: the separator, blank-line and duplicate-column findings are Korean, with the counts
    read off the file by hand (3 semicolons in the header, 1 blank line, columns 2 and 4)."""
    from services.readiness import check_file

    path = tmp_path / "events.csv"
    path.write_text(
        "USER_ID;ITEM_ID;TIMESTAMP;ITEM_ID\nu1;i1;1700000000;i1\n\nu2;i2;1700000001;i2\n"
    )
    use_language("ko")
    report = check_file(path, "interactions", now=1_800_000_000)
    separator = report.get("wrong_separator")
    # the particles fit the word (세미콜론 ends in ㄴ: 으로, 이), not "(으)로", "이(가)"
    assert separator.title == "열이 세미콜론으로 구분되어 있습니다"
    assert separator.detail.startswith("헤더에 세미콜론이 3개 있고 쉼표는 없습니다.")
    assert report.get("blank_lines").detail.startswith("1개 줄이 비어 있습니다.")
    duplicate = report.get("duplicate_column")
    assert duplicate.title == "ITEM_ID 열이 두 번 나옵니다"
    assert duplicate.detail == "2번째 열과 4번째 열의 이름이 모두 'ITEM_ID'입니다."
    use_language("en")
    report = check_file(path, "interactions", now=1_800_000_000)
    assert report.get("wrong_separator").title == "Columns are separated by semicolons"
    assert report.get("duplicate_column").detail == "Columns 2 and 4 are both named 'ITEM_ID'."


def test_recommender_use_cases_read_in_korean() -> None:
    """A Domain recommender's use case (Personalize's title, e.g. "Best sellers") is in the
    catalogue: the Overview's recommender table and every recommender picker name it in
    Korean."""
    from services.workspace.catalog import CampaignInfo
    from services.workspace.use_cases import USE_CASE_TITLES

    best = CampaignInfo(
        "arn:aws:personalize:us-east-1:1:recommender/best",
        "best",
        "ACTIVE",
        None,
        "aws-ecomm-popular-items-by-purchases",
        None,
    )
    assert best.label == "best (recommender: Best sellers)"
    use_language("ko")
    assert [t for t in USE_CASE_TITLES.values() if _(t) == t] == []
    assert best.label == "best (추천기: 베스트셀러)"


def test_korean_has_one_plural_form_and_the_extraction_keywords_take_plurals() -> None:
    """Korean writes no plural (``사용자 1명``, ``사용자 2명``): the catalogue says so, and
    ``make messages`` extracts ``ngettext``/``npgettext`` and ``N_plural`` with both forms."""
    korean = _catalog(po_path("ko"))
    assert korean.plural_forms == "nplurals=1; plural=0;"
    assert (KEYWORDS["ngettext"], KEYWORDS["npgettext"]) == ((1, 2), ((1, "c"), 2, 3))
    assert "-k N_plural:1,2" in (ROOT / "Makefile").read_text()
    plural = {m.id for m in korean if isinstance(m.id, tuple)}
    assert ("{n} dataset", "{n} datasets") in plural
    # an N_plural constant (a readiness rule's detail) is extracted with both forms
    assert (
        "{count} line is empty; some importers read it as a row with empty IDs.",
        "{count} lines are empty; some importers read them as rows with empty IDs.",
    ) in plural


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 dataset, 1 event tracker", "2 datasets, 2 event trackers"),
        ("ko", "데이터셋 1개, 이벤트 트래커 1개", "데이터셋 2개, 이벤트 트래커 2개"),
    ],
)
def test_a_count_picks_its_form(language: str, one: str, two: str) -> None:
    use_language(language)
    for n, expected in ((1, one), (2, two)):
        text = ", ".join(
            (
                ngettext("{n} dataset", "{n} datasets", n).format(n=n),
                ngettext("{n} event tracker", "{n} event trackers", n).format(n=n),
            )
        )
        assert text == expected


def _blank_lines_detail(tmp_path: Path, blank: int) -> str:
    from services.readiness import check_file

    path = tmp_path / f"events{blank}.csv"
    rows = [f"u{i},i{i},{1_700_000_000 + i}" for i in range(4)]
    path.write_text("USER_ID,ITEM_ID,TIMESTAMP\n" + "\n".join(rows[:2] + [""] * blank + rows[2:]))
    return check_file(path, "interactions", now=1_800_000_000).get("blank_lines").detail


def _duplicate_ids_detail(repeats: int) -> str:
    import pandas as pd

    from services.readiness import check_dataframe

    # u0 … u{repeats-1} each written twice: that many repeated IDs, as many extra rows
    ids = [f"u{i}" for i in range(5)] + [f"u{i}" for i in range(repeats)]
    users = pd.DataFrame({"USER_ID": ids, "AGE": range(len(ids))})
    return check_dataframe(users, "users", now=1_800_000_000).get("duplicate_ids").detail


def test_readiness_findings_count_in_either_language(tmp_path: Path) -> None:
    """A rule's detail (an ``N_plural`` constant) and a finding built with ``ngettext``,
    with one and with two of what they count: the English forms agree with the count, the
    Korean is the one form with the number."""
    expected = {
        "en": (
            "1 line is empty; some importers read it as a row with empty IDs.",
            "2 lines are empty; some importers read them as rows with empty IDs.",
            "1 USER_ID value appears more than once (1 extra row); only one row per ID is "
            "kept, and which one is not defined.",
            "2 USER_ID values appear more than once (2 extra rows); only one row per ID is "
            "kept, and which one is not defined.",
        ),
        "ko": (
            "1개 줄이 비어 있습니다. 일부 가져오기 도구는 이를 ID가 빈 행으로 읽습니다.",
            "2개 줄이 비어 있습니다. 일부 가져오기 도구는 이를 ID가 빈 행으로 읽습니다.",
            "USER_ID 값 1개가 두 번 이상 나옵니다(추가 행 1개). ID마다 한 행만 남으며 어느 "
            "행이 남는지는 정해져 있지 않습니다.",
            "USER_ID 값 2개가 두 번 이상 나옵니다(추가 행 2개). ID마다 한 행만 남으며 어느 "
            "행이 남는지는 정해져 있지 않습니다.",
        ),
    }
    for language, (blank1, blank2, dup1, dup2) in expected.items():
        use_language(language)
        assert _blank_lines_detail(tmp_path, 1) == blank1
        assert _blank_lines_detail(tmp_path, 2) == blank2
        assert _duplicate_ids_detail(1) == dup1
        assert _duplicate_ids_detail(2) == dup2


def test_shares_and_changes_read_the_same_way_in_both_languages() -> None:
    """Percentages go through Babel's format_percent: no space before the sign in English or
    Korean; a change carries its sign (none where it rounds to zero); ``trim`` writes only the
    decimals a value needs (a tolerance of 2.5 or 10 percent)."""
    for language in LANGUAGES:
        use_language(language)
        assert formats.share(0.95) == "95%"
        assert (formats.share(0.025, 2, trim=True), formats.share(0.1, 2, trim=True)) == (
            "2.5%",
            "10%",
        )
        # by hand: 0.1665 / 0.1113 - 1 = 0.4960; -0.003 / 0.1 = -0.03; 0.00001 / 0.1 = 0.0001
        assert formats.change(0.1665 / 0.1113 - 1, 1) == "+49.6%"
        assert formats.change(-0.03, 1) == "-3.0%"
        assert formats.change(0.0001, 1) == "0.0%"
        assert formats.change(None) == "–"
        assert formats.change(9.0) == "+900%"


def _hand_made_percentages(folder: Path) -> list[str]:
    """f-strings that write a percentage themselves (``{x:.1%}``, ``{x:.1f} %``, ``{x}%``)
    instead of calling ``formats.share``/``formats.change``."""
    import ast

    found = []
    for path in sorted(folder.rglob("*.py")):
        if "local" in path.relative_to(folder).parts[:1]:
            continue  # the engine speaks the API, not the pages
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            parts = node.values
            for i, part in enumerate(parts):
                if not isinstance(part, ast.FormattedValue):
                    continue
                spec = part.format_spec
                spec_text = "".join(
                    v.value for v in getattr(spec, "values", []) if isinstance(v, ast.Constant)
                )
                after = parts[i + 1] if i + 1 < len(parts) else None
                follows = isinstance(after, ast.Constant) and after.value.lstrip().startswith("%")
                if spec_text.endswith("%") or follows:
                    found.append(f"{path.relative_to(folder)}:{node.lineno}")
    return found


def test_no_percentage_is_written_by_hand(tmp_path: Path) -> None:
    assert _hand_made_percentages(ROOT / "dashboard") == []
    assert _hand_made_percentages(ROOT / "services") == []
    korean = _catalog(po_path("ko"))
    spaced = re.compile(r"\d %")  # "95 %": the catalogue writes a share through a placeholder
    for message in korean:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        texts = [message.string] if isinstance(message.string, str) else list(message.string)
        assert not any(spaced.search(t) for t in [*ids, *texts] if t), message.id
    bad = tmp_path / "page.py"
    bad.write_text('a = f"{share:.1%}"\nb = f"({change:+.1f} %)"\nc = f"{n}%"\nd = f"{n} users"\n')
    assert _hand_made_percentages(tmp_path) == ["page.py:1", "page.py:2", "page.py:3"]


def test_an_upload_limit_reads_as_each_language_writes_megabytes() -> None:
    """CLDR: English puts a space before the unit, Korean none (the uploader's help)."""
    expected = {"en": "200 MB", "ko": "200MB"}
    for language, text in expected.items():
        use_language(language)
        assert formats.megabytes(200) == text


# A count followed by a plural noun ("{n} items", "{a} of {b} users") in a message without
# plural forms reads "1 items" for one. Placeholders that are no count, and counts that are
# fixed or at least 2 wherever the message is written, are named here with why.
_COUNT_NOUN = re.compile(
    r"\{(\w+)\}(?: of \{(\w+)\})?(?: (?!of\b)[\w-]+){0,2}? "
    r"(items|users|events|interactions|rows|values|days|hours|columns|types|lists|versions|IDs"
    r"|letters|characters|categories|requests|files|jobs|campaigns|solutions|datasets|filters)\b"
)
_NO_COUNT = {"column", "share", "group", "event_type", "hint", "total", "a"}
_NEVER_ONE = {
    ("max", "1–{max} Latin letters"): "NAME_MAX, a constant",
    ("max", "A name is 1 to {max} Latin letters"): "NAME_MAX, a constant",
    ("high", "Automatic training runs every"): "the schedule's upper bound, a constant",
    ("users", "Not enough data yet"): "the planner's minimum per arm, a constant",
    ("n", "Overlap of top {n} between users"): "the noun is the users, not the top n",
    ("n", "Recommendations differ between users"): "n >= 2: the n < 2 rule comes first",
    ("max_users", "Scored by the local engine"): "the metrics' user cap, a constant",
    ("limit", "Shorten {column}"): "Personalize's length limit, a constant",
    ("length", "The expression is {length} characters long"): "over the 2,500 limit",
    ("limit", "{column} joins more than"): "Personalize's category limit, a constant",
    ("limit", "{column} longer than"): "Personalize's length limit, a constant",
    ("limit", "{column} values longer than"): "Personalize's length limit, a constant",
    ("limit", "{field} is longer than"): "Personalize's length limit, a constant",
    ("count", "Showing the first"): "count > shown >= 1, so count >= 2",
    ("count", "None of the {count}"): "count >= 2: one ID has its own sentence (_ONLY_ONE)",
    ("requests", "recommenders' minimum requests"): "a month of requests at >= 1 a second",
    ("b", "scored on {a} vs {b}"): "a comparison of two counts, plural either way",
    ("b", "{a} vs {b} interactions"): "a comparison of two counts, plural either way",
    ("valid", "All {valid} values of"): "said only when valid >= 2 (TimestampField)",
    ("after", "{after} interactions from"): "said only past the minimum of 1,000",
    ("active", "{after} interactions from"): "said only past the minimum of 25 users",
    ("interactions", "{after} interactions from"): "RECOMMENDED_INTERACTIONS, a constant",
    ("users", "{after} interactions from"): "RECOMMENDED_USERS, a constant",
    ("n", "{n} requests/s"): "a unit, not a count",
    ("days", "these are the settings the campaign"): "a cut-off in days (0.5 days), no count",
    ("days", "these are the settings the recommender"): "a cut-off in days (0.5 days), no count",
}


def test_every_count_with_a_noun_takes_its_forms() -> None:
    """Messages whose count may be one are plural entries (ngettext / N_plural), so "1 of 1
    item", "1 row read", "in 1 day" read right (trial s6: "1 of 40 items came …")."""
    catalog = _catalog(ROOT / "services" / "i18n" / "messages.pot")
    single = [m.id for m in catalog if isinstance(m.id, str) and m.id]
    found = [
        (name, text)
        for text in single
        for match in _COUNT_NOUN.finditer(text)
        for name in (match.group(2) or match.group(1),)
        if name not in _NO_COUNT
        and not any(name == n and text.startswith(start) for n, start in _NEVER_ONE)
    ]
    assert not found, "\n".join(f"{{{n}}}: {t}" for n, t in found)
    assert all(any(t.startswith(s) for t in single) for _n, s in _NEVER_ONE), "stale entry"


def test_counts_of_one_read_in_the_singular() -> None:
    """The fixed messages, through the code that writes them, at one and two (by hand)."""
    import pandas as pd

    from services.evaluation.inspection import UserRecommendations, assess
    from services.readiness import check_dataframe

    def failed(n: int) -> str:
        return assess([UserRecommendations(f"u{k}", error="boom") for k in range(n)]).headline

    assert failed(1).startswith("1 of 1 user got no recommendations; all of them: boom.")
    assert failed(2).startswith("2 of 2 users got no recommendations; all of them: boom.")

    def single(users: int) -> str:
        frame = pd.DataFrame(
            {
                "USER_ID": [f"u{k}" for k in range(users)],
                "ITEM_ID": [f"i{k}" for k in range(users)],
                "TIMESTAMP": [1_700_000_000 + k for k in range(users)],
            }
        )
        found = check_dataframe(frame, "interactions", now=1_800_000_000)
        return found.get("users_single_interaction").detail

    assert single(1).startswith("100.0% of 1 user has exactly one interaction; the model learns")
    assert single(2).startswith("100.0% of 2 users have exactly one interaction; the model learns")
    use_language("ko")
    assert failed(1).startswith("사용자 1명 중 1명이 추천을 받지 못했습니다.")
    assert single(1).startswith("사용자 1명 중 100.0%의 상호작용이 정확히 하나뿐입니다.")
