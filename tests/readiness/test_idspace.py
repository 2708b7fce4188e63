import pandas as pd
import pyarrow as pa

from services.readiness import check_user_ids, cross_check, id_shape
from services.readiness.report import ReadinessReport, Summary

KNOWN_NUMERIC = [str(i) for i in range(1000, 1200)]


def test_shapes():
    assert id_shape("12345") == "number"
    assert id_shape("3f2b8c1e-9a4d-4c2b-8e1f-0a1b2c3d4e5f") == "uuid"
    assert id_shape("user_123") == "prefixed:user_"
    assert id_shape("a@b.co") == "email"
    assert id_shape("alice") == "other"


def test_all_known_is_none():
    assert check_user_ids(["1000", "1001"], KNOWN_NUMERIC) is None
    assert check_user_ids([], KNOWN_NUMERIC) is None


def test_uuid_vs_numbers_is_another_id_space():
    sample = ["3f2b8c1e-9a4d-4c2b-8e1f-0a1b2c3d4e5f", "9e2b8c1e-9a4d-4c2b-8e1f-0a1b2c3d4e5f"]
    f = check_user_ids(sample, pd.Series(KNOWN_NUMERIC))
    assert f.code == "user_id_space_mismatch" and f.severity == "warning"
    assert "0 of 2 user IDs are in the dataset group's data" in f.detail
    assert "UUIDs" in f.detail and "numbers like '1000'" in f.detail


def test_prefixed_vs_numbers():
    f = check_user_ids(["user_1000", "user_1001", "user_1002"], pa.array(KNOWN_NUMERIC))
    assert f.code == "user_id_space_mismatch"
    assert "prefixed IDs (user_…)" in f.detail


def test_same_space_but_unknown():
    f = check_user_ids(["5", "6", "7", "1000"], set(KNOWN_NUMERIC))
    assert f.code == "user_ids_unknown"
    assert "1 of 4 user IDs is in the dataset group's data" in f.detail


def test_is_and_are_follow_their_own_counts():
    """The known IDs' count says "is/are", the unknown ones named after them "is/are not": a
    trial read "4 of 5 user IDs are known to the model ('nobody-123' are not)"."""
    one = check_user_ids(["1000", "1001", "1002", "1003", "nobody-123"], KNOWN_NUMERIC)
    assert one.detail.startswith(
        "4 of 5 user IDs are in the dataset group's data ('nobody-123' is not)"
    ), one.detail
    two = check_user_ids(["1000", "x1", "x2"], KNOWN_NUMERIC, version="5548c91f")
    assert two.detail.startswith(
        "1 of 3 user IDs is known to version 5548c91f ('x1', 'x2' are not)"
    )
    many = check_user_ids(["1000", "x1", "x2", "x3", "x4"], KNOWN_NUMERIC)
    assert many.detail.startswith(
        "1 of 5 user IDs is in the dataset group's data ('x1', 'x2', 'x3' … are not)"
    ), many.detail


def test_the_wording_says_what_the_ids_were_checked_against():
    """Against the group's data (all AWS can list) the finding says so, never "the model";
    against a version's users it names the version, and the note follows the count."""
    data = check_user_ids(["1000", "1001", "999", "998", "997"], KNOWN_NUMERIC)
    assert data.title == "Most of these users have no data in the dataset group"
    assert "model" not in data.title + data.detail
    version = check_user_ids(
        ["1000", "1001", "x1"], KNOWN_NUMERIC, version="5548c91f", note=" A note."
    )
    assert version.title == "Some of these users are unknown to version 5548c91f"
    assert version.detail.startswith(
        "2 of 3 user IDs are known to version 5548c91f ('x1' is not). A note."
    ), version.detail


def test_mostly_known_is_info():
    f = check_user_ids(["1000", "1001", "1002", "999999"], KNOWN_NUMERIC)
    assert f.code == "user_ids_partly_unknown" and f.severity == "info"


def test_near_miss_is_explained():
    f = check_user_ids(["U1", "U2"], ["u1", "u2", "u3"])
    assert "2 of them match a known user after fixing letter case" in f.detail
    f = check_user_ids(["007"], ["7", "8"])
    assert "leading zeros" in f.detail


def test_no_known_users():
    assert check_user_ids(["a"], []).code == "user_ids_unknown"


def _report(kind, users=None, items=None):
    return ReadinessReport(
        kind,
        "x",
        (),
        Summary(),
        user_ids=None if users is None else pa.array(users),
        item_ids=None if items is None else pa.array(items),
    )


def test_cross_check_counts_and_disjoint():
    events = _report("interactions", users=["u1", "u2"], items=["i1", "i2", "i3", "x9"])
    items = _report("items", items=["i1", "i2", "i3", "i4", "i5"])
    found = {f.code: f for f in cross_check(events, items)}
    assert (
        "1 of 4 items in the interactions (25.0%)" in found["items_missing_from_items_file"].detail
    )
    assert "'x9'" in found["items_missing_from_items_file"].detail
    assert "2 of 5 items" in found["items_without_interactions"].detail
    other = _report("items", items=["sku-1", "sku-2"])
    disjoint = cross_check(_report("interactions", items=["1", "2"]), other)
    assert [f.code for f in disjoint] == ["items_ids_disjoint"]
    assert disjoint[0].severity == "error" and "numbers" in disjoint[0].detail
    users = _report("users", users=["u1", "u3"])
    codes = {f.code for f in cross_check(events, users=users)}
    assert codes == {"users_missing_from_users_file", "users_without_interactions"}


def test_one_disjoint_id_reads_as_the_only_one_in_both_languages():
    """One ID in the interactions, none in the file: not "none of the 1 item" (Korean has one
    plural form, so only a sentence of its own can say it), and counts carry separators."""
    from services.i18n import use_language

    file = _report("items", items=[f"sku-{n}" for n in range(1200)])
    (found,) = cross_check(_report("interactions", items=["7"]), file)
    assert found.code == "items_ids_disjoint"
    assert found.title == "The only item in the interactions is not in the items file"
    assert found.detail == (
        "The only item in the interactions is not among the 1,200 of the items file: "
        "interactions use numbers like '7', the items file prefixed IDs (sku-…) like 'sku-0'."
    )
    use_language("ko")
    try:
        (found,) = cross_check(_report("interactions", items=["7"]), file)
        (users,) = cross_check(
            _report("interactions", users=["u1"]), users=_report("users", users=["9", "10"])
        )
        (many,) = cross_check(_report("interactions", items=["7", "8"]), file)
    finally:
        use_language("en")
    assert found.title == "상호작용의 유일한 상품이 상품 파일에 없습니다"
    assert found.detail == (
        "상호작용에 나오는 유일한 상품이 상품 파일의 1,200개 안에 없습니다. 상호작용은 "
        "'7' 같은 수치를, 상품 파일은 'sku-0' 같은 접두사 ID(sku-…)를 씁니다."
    )
    assert users.title == "상호작용의 유일한 사용자가 사용자 파일에 없습니다"
    assert users.detail.startswith("상호작용에 나오는 유일한 사용자가 사용자 파일의 2명 안에")
    assert many.detail.startswith("상호작용의 상품 2개 중 어느 것도 상품 파일의 1,200개 안에")
