"""Behaviour of the individual checks, with expected numbers worked out by hand."""

import json

import numpy as np
import pandas as pd
import pytest

from services.prepare.suggest import suggest_mapping
from services.readiness import check_dataframe, check_file

from .conftest import NOW, T0


def interactions(users: int, per_user: int, *, start: int = 0, types=("click",)) -> pd.DataFrame:
    """`users` users with `per_user` events each, one hour apart, distinct items."""
    rows = []
    for u in range(start, start + users):
        for k in range(per_user):
            rows.append(
                (
                    f"u{u}",
                    f"i{(u + k) % 50}",
                    T0 + 3600 * (u * per_user + k),
                    types[k % len(types)],
                    1.0 + k,
                )
            )
    return pd.DataFrame(
        rows, columns=["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE", "EVENT_VALUE"]
    )


def csv_text(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def test_milliseconds_numbers_and_rows():
    df = interactions(10, 5)
    df.loc[1:, "TIMESTAMP"] = df.loc[1:, "TIMESTAMP"] * 1000  # 49 of 50
    report = check_dataframe(df, "interactions", now=NOW)
    f = report.get("timestamp_milliseconds")
    assert f.severity == "error"
    assert "98.0% of TIMESTAMP values (49 of 50) are > 1e11" in f.detail
    assert "Divide TIMESTAMP by 1000" in f.fix
    assert f.rows == (3, 4, 5, 6, 7)  # DataFrame row 1 is line 3
    assert f.column == "TIMESTAMP"


def test_microseconds_and_nanoseconds():
    df = interactions(2, 3)
    df.loc[0, "TIMESTAMP"] = T0 * 10**6
    df.loc[1, "TIMESTAMP"] = T0 * 10**9
    report = check_dataframe(df, "interactions", now=NOW)
    assert report.get("timestamp_microseconds").rows == (2,)
    assert report.get("timestamp_nanoseconds").rows == (3,)


def test_training_minimums_at_the_boundary():
    ok = interactions(25, 40)  # 1000 interactions, 25 users with 2+
    report = check_dataframe(ok, "interactions", now=NOW)
    assert report.get("too_few_interactions") is None
    assert report.get("too_few_users_with_two") is None
    assert report.summary.interactions_after_filter == 1000
    assert report.summary.users_with_two_or_more == 25

    # 999 records: the import job itself is refused (FULL or INCREMENTAL), whatever the
    # dataset already holds, and the finding says so rather than blaming training
    short = check_dataframe(ok.iloc[:999], "interactions", now=NOW).get("too_few_interactions")
    assert short.title == "Too few interactions for an import job"
    assert short.detail.startswith(
        "999 interaction records; Personalize imports at least 1,000 per import job, FULL or "
        "INCREMENTAL alike"
    )
    assert short.fix.startswith("Add at least 1 more interaction to the file")
    assert "PutEvents" in short.fix

    # 1,000 records, 999 distinct: the import goes in, training would not
    repeated = pd.concat([ok.iloc[:999], ok.iloc[:1]])
    dup = check_dataframe(repeated, "interactions", now=NOW).get("too_few_interactions")
    assert dup.title == "Too few interactions to train"
    assert "999 distinct interactions" in dup.detail
    assert dup.fix == "Import at least 1 more interaction."

    fewer = pd.concat([interactions(24, 41), interactions(10, 1, start=100)])
    f = check_dataframe(fewer, "interactions", now=NOW).get("too_few_users_with_two")
    assert f.severity == "error"
    assert "24 users have 2 or more" in f.detail
    assert f.fix == "Import at least 2 interactions for 1 more user."


def test_minimums_count_after_event_type_filter():
    df = interactions(30, 50, types=("click", "click", "purchase", "click", "click"))
    purchases = int((df["EVENT_TYPE"] == "purchase").sum())  # 10 per user = 300
    assert purchases == 300
    report = check_dataframe(df, "interactions", event_type="purchase", now=NOW)
    assert report.summary.interactions_after_filter == 300
    f = report.get("too_few_interactions")
    assert "300 distinct interactions after filtering (eventType='purchase')" in f.detail
    assert check_dataframe(df, "interactions", now=NOW).get("too_few_interactions") is None


def test_minimums_count_after_event_value_threshold():
    df = interactions(30, 50)  # EVENT_VALUE = 1..50 per user
    report = check_dataframe(df, "interactions", event_value_threshold=41, now=NOW)
    assert report.summary.interactions_after_filter == 30 * 10
    assert "EVENT_VALUE >= 41" in report.get("too_few_interactions").detail


def test_unknown_event_type_filter():
    report = check_dataframe(interactions(30, 40), "interactions", event_type="buy", now=NOW)
    f = report.get("event_type_not_found")
    assert f.severity == "error" and "'click'" in f.detail
    assert report.summary.interactions_after_filter == 0


def test_share_of_users_with_two():
    df = pd.concat([interactions(25, 2), interactions(2500, 1, start=1000)])
    report = check_dataframe(df, "interactions", now=NOW)
    f = report.get("too_few_users_with_two_share")
    assert f.severity == "error"
    assert "25 of 2,525 users (1.0%)" in f.detail  # 0.99% rounds to 1.0% but is < 1%
    assert report.get("users_single_interaction").severity == "warning"


def test_duplicates_counted_and_excluded():
    df = interactions(30, 40)
    dup = pd.concat([df, df.iloc[[3, 10, 10]]], ignore_index=True)
    report = check_dataframe(dup, "interactions", now=NOW)
    f = report.get("duplicate_rows")
    assert "3 rows" in f.detail
    assert f.rows == (1202, 1203, 1204)
    assert report.summary.interactions_after_filter == 1200


@pytest.mark.parametrize(("empty", "flagged"), [(30, False), (31, True)])
def test_completeness_seventy_percent(empty, flagged):
    df = interactions(10, 10)
    df["EVENT_VALUE"] = df["EVENT_VALUE"].astype(object)
    df.loc[: empty - 1, "EVENT_VALUE"] = None
    f = check_dataframe(df, "interactions", now=NOW).get("column_mostly_empty")
    assert (f is not None) == flagged
    if flagged:
        assert "69.0% complete (31 of 100 values empty)" in f.detail


def test_id_rules():
    df = interactions(6, 2)
    df.loc[0, "USER_ID"] = "-5"  # a number, not a formula
    df.loc[1, "USER_ID"] = "=cmd|' /C calc'!A0"
    df.loc[2, "ITEM_ID"] = "x" * 256
    df.loc[3, "ITEM_ID"] = "y" * 257
    df.loc[4, "USER_ID"] = " u9"
    df.loc[5, "USER_ID"] = ""
    report = check_dataframe(df, "interactions", now=NOW)
    assert report.get("id_formula").rows == (3,)
    assert report.get("id_too_long").rows == (5,)
    assert "longest 257" in report.get("id_too_long").detail
    assert report.get("id_whitespace").rows == (6,)
    assert report.get("id_empty").rows == (7,)


def test_timestamp_text_problems_with_lines(write_csv):
    text = (
        "USER_ID,ITEM_ID,TIMESTAMP\n"
        f"u1,i1,{T0}\n"
        "u1,i2,2024-01-05\n"
        f"u1,i3,{T0}.5\n"
        "u1,i4,\n"
        f"u1,i5,-{T0}\n"
    )
    report = check_file(write_csv(text), "interactions", now=NOW)
    nan = report.get("timestamp_not_a_number")
    assert nan.rows == (3,) and "look like dates" in nan.detail
    assert report.get("timestamp_not_integer").rows == (4,)
    assert report.get("required_value_empty").rows == (5,)
    assert report.get("timestamp_negative").rows == (6,)


def test_future_uses_now_with_a_day_of_slack():
    df = interactions(1, 3)
    df.loc[0, "TIMESTAMP"] = NOW + 3600  # clock skew: tolerated
    df.loc[1, "TIMESTAMP"] = NOW + 2 * 86_400
    f = check_dataframe(df, "interactions", now=NOW).get("timestamp_future")
    assert f.rows == (3,) and "1 value of TIMESTAMP (" in f.detail


def test_identical_and_old_tail():
    df = interactions(4, 25)
    same = df.assign(TIMESTAMP=T0)
    assert check_dataframe(same, "interactions", now=NOW).get("timestamps_identical")
    df.loc[[0, 1], "TIMESTAMP"] = T0 - 5 * 365 * 86_400
    f = check_dataframe(df, "interactions", now=NOW).get("timestamps_old_tail")
    assert f.severity == "warning"
    assert f.rows == (2, 3)
    assert "2 events (2.0%)" in f.detail


def test_timestamps_implausible_as_a_whole_are_errors_a_few_stray_rows_warnings():
    df = interactions(4, 25)  # 100 rows, all in 2024
    df.loc[:49, "TIMESTAMP"] = NOW + 2 * 86_400  # exactly half in the future
    report = check_dataframe(df, "interactions", now=NOW)
    bulk = report.get("timestamps_mostly_future")
    assert bulk.severity == "error" and "50 of 100" in bulk.detail
    assert report.get("timestamp_future") is None and not report.ok
    df.loc[1:49, "TIMESTAMP"] = T0  # one stray row left in the future
    report = check_dataframe(df, "interactions", now=NOW)
    assert report.get("timestamp_future").severity == "warning"
    assert report.get("timestamps_mostly_future") is None


def test_decades_before_the_rest_is_an_error_from_ten_percent():
    df = interactions(4, 25)
    df.loc[:9, "TIMESTAMP"] = 0  # 10 of 100 on 1970-01-01: defaulted dates
    report = check_dataframe(df, "interactions", now=NOW)
    f = report.get("timestamps_decades_apart")
    assert f.severity == "error" and f.rows == (2, 3, 4, 5, 6)
    assert "10 of 100 events" in f.detail and report.get("timestamps_old_tail") is None
    df.loc[9, "TIMESTAMP"] = T0  # 9 of 100: a tail, warned about
    report = check_dataframe(df, "interactions", now=NOW)
    assert report.get("timestamps_decades_apart") is None
    assert report.get("timestamps_old_tail").severity == "warning"


def test_far_future_placeholders_do_not_become_the_bulk_old_rows_are_measured_against():
    # 5,000 events: 4,450 spread over 2024 (one hour apart from 2024-01-01, so the last is
    # 2024-07-27) and 550 (11%) on a 2099-12-31 placeholder. Before, the 90th-percentile day
    # was 2099-12-31 and all 4,450 real events counted as "decades before the rest" (89%).
    df = interactions(100, 50)
    placeholder = 4_102_358_400  # 2099-12-31T00:00:00Z
    df.loc[df.index % 100 < 11, "TIMESTAMP"] = placeholder
    report = check_dataframe(df, "interactions", now=NOW)
    future = report.get("timestamp_future")
    assert future.severity == "warning"
    assert "550 values of TIMESTAMP (11.0%)" in future.detail
    assert report.get("timestamps_decades_apart") is None
    assert report.get("timestamps_old_tail") is None
    assert report.get("timestamps_mostly_future") is None
    # Real defaulted dates are still measured against the real bulk: 500 of the 4,450
    # events not in the future on 1970-01-01 (11.2% >= 10%) is the error.
    df.loc[(df.index % 100 >= 11) & (df.index % 100 < 21), "TIMESTAMP"] = 0
    f = check_dataframe(df, "interactions", now=NOW).get("timestamps_decades_apart")
    assert f.severity == "error" and "500 of 4,450 events" in f.detail


def test_event_types_limit_counts_metadata_columns():
    df = interactions(30, 40, types=tuple(f"t{i}" for i in range(9)))
    assert check_dataframe(df, "interactions", now=NOW).get("too_many_event_types") is None
    df["DEVICE"] = "ios"
    df["CHANNEL"] = "web"
    f = check_dataframe(df, "interactions", now=NOW).get("too_many_event_types")
    assert "9 event types + 2 metadata columns = 11" in f.detail


def test_event_value_non_numeric_rows(write_csv):
    df = interactions(2, 3)
    df["EVENT_VALUE"] = df["EVENT_VALUE"].astype(object)
    df.loc[4, "EVENT_VALUE"] = "twelve"
    df.loc[5, "EVENT_VALUE"] = "12 EUR"  # a number with its currency: Prepare converts it
    report = check_file(write_csv(csv_text(df)), "interactions", now=NOW)
    f = report.get("event_value_non_numeric")
    assert f.rows == (6,) and "'twelve'" in f.detail
    written = report.get("event_value_written_number")
    assert written.rows == (7,) and "'12 EUR'" in written.detail


ITEMS_SCHEMA = {
    "type": "record",
    "name": "Items",
    "namespace": "com.amazonaws.personalize.schema",
    "fields": [
        {"name": "ITEM_ID", "type": "string"},
        {"name": "GENRES", "type": ["null", "string"], "categorical": True},
        {"name": "DESCRIPTION", "type": ["null", "string"], "textual": True},
    ],
}


def test_categorical_limits_with_schema():
    df = pd.DataFrame(
        {
            "ITEM_ID": ["a", "b", "c", "d"],
            "GENRES": ["|".join(["g"] * 30), "|".join(["g"] * 31), "x" * 1000, "x" * 1001],
            "DESCRIPTION": ["short", "z" * 20_001, "", ""],
        }
    )
    report = check_dataframe(df, "items", schema=ITEMS_SCHEMA, now=NOW)
    assert report.get("categorical_too_many_values").rows == (3,)
    assert report.get("categorical_too_long").rows == (5,)
    assert report.get("textual_too_long").rows == (3,)
    assert report.get("categorical_too_long").severity == "error"


def test_schema_problems(write_csv):
    path = write_csv("USER_ID,ITEM_ID,TIMESTAMP,COLOUR\nu1,i1,1\n")
    bad = {
        "type": "record",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "int"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_TYPE", "type": "string", "categorical": True},
        ],
    }
    report = check_file(path, "interactions", schema=bad, now=NOW)
    detail = report.get("schema_invalid").detail
    assert "ITEM_ID must be string" in detail and "EVENT_TYPE must not be categorical" in detail
    assert report.get("unknown_column").severity == "error"
    assert report.get("missing_required_column").column == "EVENT_TYPE"
    assert check_file(path, "interactions", schema="{not json", now=NOW).get("schema_invalid")


def test_header_case_names_the_fix(write_csv):
    report = check_file(
        write_csv(f"user_id,Item_Id,TIMESTAMP\nu1,i1,{T0}\n"), "interactions", now=NOW
    )
    f = report.get("header_case")
    assert "'user_id' → USER_ID" in f.fix and "'Item_Id' → ITEM_ID" in f.fix
    assert report.summary.users == 1  # the data is still checked


def test_line_numbers_survive_quoted_newlines_and_blank_lines(write_csv):
    text = (
        'ITEM_ID,GENRE,DESCRIPTION\ni1,Drama,ok\ni2,Drama,"two\nlines"\n\ni3,Drama\n,Drama,no id\n'
    )
    report = check_file(write_csv(text), "items", now=NOW)
    assert report.get("quoted_newlines").rows == (3,)
    assert "DESCRIPTION" in report.get("quoted_newlines").detail
    assert report.get("blank_lines").rows == (5,)
    assert report.get("ragged_rows").rows == (6,)
    assert "line 6: 2 fields" in report.get("ragged_rows").detail
    assert report.get("id_empty").rows == (7,)


def test_latin1_offset_and_line(write_csv):
    report = check_file(write_csv(b"ITEM_ID,GENRE\ni1,Com\xe9die\n"), "items", now=NOW)
    f = report.get("not_utf8")
    assert "0xE9 at offset 20 (line 2)" in f.detail and "'é'" in f.detail
    assert f.rows == (2,)


def test_bom_and_separator_still_check_the_data(write_csv):
    df = interactions(3, 3)
    df["TIMESTAMP"] *= 1000
    text = csv_text(df).replace(",", ";")
    report = check_file(write_csv(b"\xef\xbb\xbf" + text.encode()), "interactions", now=NOW)
    assert {"utf8_bom", "wrong_separator", "timestamp_milliseconds"} <= set(report.codes)
    assert report.summary.rows == 9


def test_crlf_file_is_clean(write_csv):
    df = interactions(30, 40)
    report = check_file(write_csv(csv_text(df).replace("\n", "\r\n")), "interactions", now=NOW)
    assert report.ok and report.summary.rows == 1200


def test_block_size_does_not_change_the_result(write_csv):
    df = interactions(60, 40)
    df["EVENT_VALUE"] = df["EVENT_VALUE"].astype(object)
    df.loc[[5, 1500], "TIMESTAMP"] *= 1000
    df.loc[2000, "EVENT_VALUE"] = "n/a"
    df.loc[2100, "ITEM_ID"] = 'has "quotes", comma'
    lines = csv_text(df).splitlines(keepends=True)
    lines.insert(1800, "u1,i1\n")  # ragged
    lines.insert(900, "\n")  # blank
    path = write_csv("".join(lines))
    whole = check_file(path, "interactions", now=NOW)
    small = check_file(path, "interactions", now=NOW, block_bytes=2048)
    assert whole.codes == small.codes
    for a, b in zip(whole.findings, small.findings, strict=True):
        assert (a.code, a.detail, a.rows) == (b.code, b.detail, b.rows)
    assert whole.summary == small.summary
    assert whole.get("timestamp_milliseconds").rows == (7, 1503)
    assert whole.get("ragged_rows").rows == (1802,)  # index 1800, +1 for the blank line
    assert whole.get("event_value_non_numeric").rows == (2004,)


def test_dataframe_matches_file(write_csv):
    df = interactions(30, 40, types=("click", "view"))
    from_file = check_file(write_csv(csv_text(df)), "interactions", now=NOW)
    from_frame = check_dataframe(df, "interactions", now=NOW)
    assert from_file.codes == from_frame.codes
    assert from_file.summary == from_frame.summary
    pd.testing.assert_series_equal(from_file.events_per_day, from_frame.events_per_day)


def test_aggregates_for_charts():
    df = pd.DataFrame(
        {
            "USER_ID": ["a", "a", "a", "b", "c", "c"],
            "ITEM_ID": ["i1", "i2", "i3", "i1", "i2", "i3"],
            "TIMESTAMP": [
                T0,
                T0 + 10,
                T0 + 86_400,
                T0 + 86_400,
                T0 + 3 * 86_400,
                T0 + 3 * 86_400 + 1,
            ],
        }
    )
    report = check_dataframe(df, "interactions", now=NOW)
    per_day = report.events_per_day
    assert list(per_day.index.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-02", "2024-01-04"]
    assert per_day.tolist() == [2, 2, 2]
    hist = report.interactions_per_user.set_index("interactions")["users"]
    assert hist["1"] == 1 and hist["2"] == 1 and hist["3-5"] == 1 and hist.sum() == 3
    s = report.summary
    assert (s.rows, s.users, s.items) == (6, 3, 3)
    assert s.time_min.isoformat() == "2024-01-01T00:00:00+00:00"
    # the latest time itself, not the end of its day (T0 + 3 days + 1 s)
    assert s.time_max.isoformat() == "2024-01-04T00:00:01+00:00"
    assert s.single_interaction_user_share == pytest.approx(1 / 3)
    json.dumps(report.to_dict())  # JSON-ready


def test_dataframe_typed_and_mixed_columns():
    df = interactions(30, 40)
    df["USER_ID"] = np.arange(len(df)) % 30  # numeric IDs are fine
    df["EVENT_TYPE"] = pd.Series([1, "click"] * 600, dtype=object)
    report = check_dataframe(df, "interactions", now=NOW)
    assert report.summary.users == 30
    assert report.get("event_type_meaningless") is not None  # "1" names no action


def test_empty_dataframe_is_header_only():
    report = check_dataframe(interactions(1, 1).iloc[:0], "interactions", now=NOW)
    assert report.codes == ("header_only",)


def test_items_and_users_need_metadata_and_unique_ids():
    users = pd.DataFrame({"USER_ID": ["u1", "u2", "u1"], "AGE": [30, 40, 31]})
    report = check_dataframe(users, "users", now=NOW)
    assert (
        "1 USER_ID value appears more than once (1 extra row)" in report.get("duplicate_ids").detail
    )
    only_id = check_dataframe(users[["USER_ID"]], "users", now=NOW)
    assert only_id.get("missing_metadata_column").severity == "error"


def test_unknown_dataset_type(write_csv):
    with pytest.raises(ValueError, match="dataset_type"):
        check_file(write_csv("a\n1\n"), "actions")
    with pytest.raises(FileNotFoundError):
        check_file("/nonexistent/file.csv", "items")


def test_a_cp949_export_is_named_as_cp949_not_windows_1252(write_csv):
    # "상품" in CP949 is BB F3 C7 B0: read as Windows-1252 it would be mojibake, and the old
    # advice `iconv -f WINDOWS-1252` corrupted every Korean name
    raw = "ITEM_ID,GENRE\ni1,상품\n".encode("cp949")
    report = check_file(write_csv(raw), "items", now=NOW)
    f = report.get("not_utf8")
    assert "CP949 (Korean)" in f.detail and "'상'" in f.detail
    assert "iconv -f CP949 -t UTF-8" in f.fix
    latin = check_file(write_csv(b"ITEM_ID,GENRE\ni1,Com\xe9die\n"), "items", now=NOW)
    assert "iconv -f WINDOWS-1252 -t UTF-8" in latin.get("not_utf8").fix


def test_readiness_names_the_encoding_prepare_reads(write_csv):
    """One detection (csv_sniff.decoding over the whole file) for readiness and prepare: a
    Latin-1 file whose first odd pair of bytes happens to be a CP949 syllable ("Är" is C4 72,
    the syllable 훣) is Latin-1 for both, since "é" followed by a comma is not CP949."""
    raw = "USER_ID,ITEM_ID,TIMESTAMP,NOTE\nu1,i1,1700000000,Ärger\nu2,i2,1700000001,café,\n"
    path = write_csv(raw.encode("latin-1"))
    assert suggest_mapping(path, "interactions").layout.encoding == "latin-1"
    f = check_file(path, "interactions", now=NOW).get("not_utf8")
    assert "Latin-1/Windows-1252" in f.detail and "'Ä'" in f.detail, f.detail
    assert "iconv -f WINDOWS-1252 -t UTF-8" in f.fix
    # the same in a header: its names read as Latin-1, not as Hangul
    named = "USER_ID,ITEM_ID,TIMESTAMP,Ärger\nu1,i1,1700000000,café\n"
    header = check_file(write_csv(named.encode("latin-1")), "interactions", now=NOW)
    said = " ".join(f.title + " " + f.detail for f in header.findings)
    assert "'Ärger' is not one of" in said and "훣" not in said, said
    assert "iconv -f WINDOWS-1252 -t UTF-8" in header.get("not_utf8").fix


def test_counts_in_findings_carry_separators_in_both_languages():
    """A finding writes counts as the pages do ("1,501 of 30,000 rows"), not "1501 of 30000".
    The frame by hand: rows 0-1500 have no USER_ID (1,501), every 7th row no ITEM_ID
    (ceil(30,000 / 7) = 4,286), every 11th TIMESTAMP is in milliseconds (2,728); the items
    repeat ID "1" 1,200 times after its own row."""
    from services.i18n import use_language

    n = 30_000
    events = pd.DataFrame(
        {
            "USER_ID": ["" if i <= 1500 else f"u{i % 2000}" for i in range(n)],
            "ITEM_ID": ["" if i % 7 == 0 else str(i % 5000) for i in range(n)],
            "TIMESTAMP": [T0 * 1000 if i % 11 == 0 else T0 + i * 10 for i in range(n)],
            "EVENT_TYPE": ["click"] * n,
        }
    )
    items = pd.DataFrame(
        {"ITEM_ID": [str(i) for i in range(4000)] + ["1"] * 1200, "CATEGORY": ["a"] * 5200}
    )
    for language in ("en", "ko"):
        use_language(language)
        try:
            report = check_dataframe(events, "interactions", now=NOW)
            repeated = check_dataframe(items, "items", now=NOW).get("duplicate_ids")
        finally:
            use_language("en")
        found = {f.detail for f in report.findings if f.code == "id_empty"}
        assert any("1,501" in d and "30,000" in d for d in found), found
        assert any("4,286" in d for d in found), found
        assert "2,728" in report.get("timestamp_milliseconds").detail
        assert "1,200" in repeated.detail
        if language == "en":
            assert any(d.startswith("1,501 of 30,000 rows (5.0%)") for d in found), found


def test_a_raw_export_is_told_from_a_file_missing_a_column():
    raw = pd.DataFrame({"회원번호": ["1"], "상품코드": ["A"], "구매일시": ["2026-11-28 02:16"]})
    assert check_dataframe(raw, "interactions", now=NOW).looks_like_raw_export
    # Every required column present, one extra: not a raw export.
    extra = pd.DataFrame(
        {"USER_ID": ["u1"], "ITEM_ID": ["i1"], "TIMESTAMP": [T0], "가격": ["￦39,000원"]}
    )
    assert not check_dataframe(extra, "interactions", now=NOW).looks_like_raw_export
    # A required column missing, nothing extra: a fix, not a raw export.
    short = pd.DataFrame({"USER_ID": ["u1"], "ITEM_ID": ["i1"]})
    assert not check_dataframe(short, "interactions", now=NOW).looks_like_raw_export


def test_won_prices_are_named_as_numbers_prepare_converts():
    """A float PRICE written "￦39,000원" is not a plain number for Personalize, but it is a
    number: readiness says so and points to Prepare (the same rule that converts it), while
    a value that is no number at all keeps its own finding."""
    schema = {
        "type": "record",
        "name": "Items",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [{"name": "ITEM_ID", "type": "string"}, {"name": "PRICE", "type": "float"}],
        "version": "1.0",
    }
    df = pd.DataFrame(
        {
            "ITEM_ID": ["a", "b", "c", "d", "e"],
            "PRICE": ["￦39,000원", "₩129,000", "59000원", "무료", "inf"],
        }
    )
    report = check_dataframe(df, "items", schema=json.dumps(schema), now=NOW)
    written = report.get("value_written_number")
    assert written.severity == "error" and written.rows == (2, 3, 4)
    assert "3 values of PRICE" in written.detail and "Prepare a raw export" in written.fix
    plain = report.get("value_non_numeric")
    assert plain.rows == (5, 6) and "'무료'" in plain.detail  # "inf" is no price either


def test_web_addresses_cut_into_categories_are_a_warning():
    """What a categorical split on "/" makes of an IMAGE_URL (trial s13): the scheme as one
    category. Two of the three values are such; a plain category with "http" in it is not."""
    schema = {
        **ITEMS_SCHEMA,
        "fields": [
            {"name": "ITEM_ID", "type": "string"},
            {"name": "IMAGE_URL", "type": ["null", "string"], "categorical": True},
        ],
    }
    df = pd.DataFrame(
        {
            "ITEM_ID": ["a", "b", "c"],
            "IMAGE_URL": ["https:|img.example.kr|P0001.jpg", "http-cables|usb", "HTTP:|x|y.png"],
        }
    )
    finding = check_dataframe(df, "items", schema=schema, now=NOW).get(
        "categorical_cut_web_address"
    )
    assert finding is not None and finding.severity == "warning"
    assert finding.rows == (2, 4)  # lines of the file: the header is line 1
    assert "2 values of IMAGE_URL are web addresses split at '/'" in finding.detail
    # a whole address in a categorical field is not cut
    df["IMAGE_URL"] = ["https://img.example.kr/P1.jpg"] * 3
    assert (
        check_dataframe(df, "items", schema=schema, now=NOW).get("categorical_cut_web_address")
        is None
    )
