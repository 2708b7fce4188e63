"""Who may act: sign-in, viewers who cannot act (through the UI, session state or query
parameters), refused attempts and wrong passwords in the audit log, and unconfigured modes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.access import hash_password
from services.access.config import HOW_TO_ENABLE
from services.access.throttle import USER_LIMIT
from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.store.tables import Store
from tests.dashboard.conftest import APP, TIMEOUT, Seeded
from tests.dashboard.faults import use_aws_backend
from tests.dashboard.rendered import shown

VIEWER_PW = "viewer password 1"
OPERATOR_PW = "operator password 1"


@pytest.fixture(scope="module")
def hashes() -> dict[str, str]:
    return {"vera": hash_password(VIEWER_PW), "otto": hash_password(OPERATOR_PW)}


def _app(hashes: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["access"] = {
        "accounts": {
            "vera": {"role": "viewer", "password_hash": hashes["vera"]},
            "otto": {"role": "operator", "password_hash": hashes["otto"]},
        }
    }
    return at


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    return at.button(key="sign_in_button").click().run()


def _store() -> Store:
    return Store(Settings.from_env().dashboard_db_url)


def _texts(at: AppTest) -> str:
    parts: list[Any] = []
    for kind in ("markdown", "caption", "error", "info", "success", "warning", "text", "title"):
        parts += [shown(e.value) for e in getattr(at, kind)]
    parts += [str(t.value) for t in at.text_input]
    return "\n".join(str(p) for p in parts)


def test_without_signing_in_nothing_but_the_sign_in_page(seeded: Seeded, hashes: dict) -> None:
    at = _app(hashes)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Sign in"
    # One form: Enter in either field submits it, as the button does.
    fields = [at.text_input(key="sign_in_name"), at.text_input(key="sign_in_password")]
    assert {w.form_id for w in [*fields, at.button(key="sign_in_button")]} == {"sign_in_form"}
    at.query_params["role"] = "operator"  # query parameters grant nothing
    at.session_state["access_session"] = {"user": "otto", "issued": 1, "mac": "0" * 64}
    at.run()
    assert at.title[0].value == "Sign in"


def test_a_wrong_password_is_refused_and_audited_without_the_password(
    seeded: Seeded, hashes: dict
) -> None:
    at = _app(hashes)
    at.run()
    _sign_in(at, "otto", "not the password")
    assert not at.exception
    assert at.title[0].value == "Sign in"
    assert "Wrong user name or password." in [shown(e.value) for e in at.error]
    (row,) = [r for r in _store().recent_actions() if r.action == "sign_in"]
    assert (row.actor, row.result, row.message) == ("otto", "error", "wrong user name or password")
    assert "not the password" not in str(row.params) + str(row.message)
    assert "not the password" not in _texts(at) and hashes["otto"] not in _texts(at)


def test_a_viewer_sees_pages_but_cannot_act_by_any_route(seeded: Seeded, hashes: dict) -> None:
    facade = PersonalizeService(build_clients(Settings.from_env()))
    served = facade.describe_campaign(seeded.up_campaign).solution_version_arn
    versions = len(facade.list_solution_versions(seeded.up_solution))
    at = _app(hashes)
    at.run()
    _sign_in(at, "vera", VIEWER_PW)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Overview"
    assert "**vera** · viewer" in [shown(m.value) for m in at.sidebar.markdown]
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    # Shown disabled, with the reason.
    for key in ("train_button", "deploy_button", "refresh_button", "ns_button"):
        assert at.button(key=key).disabled
        assert "vera is a viewer" in at.button(key=key).help
    # Refresh: its mapping upload too, and the reason once in plain sight.
    assert at.file_uploader(key="refresh_mapping").proto.disabled
    assert len([c for c in at.caption if "vera is a viewer" in shown(c.value)]) == 1
    # Forcing it through session state and query parameters changes nothing.
    at.query_params["target"] = seeded.up_campaign
    at.query_params["role"] = "operator"
    at.session_state["deploy_open"] = True  # the confirmation dialog, forged open
    at.session_state["train_confirm"] = True
    at.run()
    assert at.button(key="deploy_button").disabled and at.button(key="train_button").disabled
    at.session_state["deploy_button"] = True  # Streamlit refuses to set a button's value
    at.run()
    # The forged dialog's confirm button reaches the server-side check, which refuses and
    # audits the attempt.
    at.button(key="deploy_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(shown(e.value).startswith("Not allowed: vera is a viewer") for e in at.error)
    refused = [r for r in _store().recent_actions() if r.action == "update_campaign"]
    assert [(r.actor, r.result) for r in refused] == [("vera", "error")]
    assert facade.describe_campaign(seeded.up_campaign).solution_version_arn == served
    assert len(facade.list_solution_versions(seeded.up_solution)) == versions


def test_an_operator_demoted_while_the_page_is_open_cannot_act(
    seeded: Seeded, hashes: dict
) -> None:
    """The button was drawn enabled; the role changed before the click: nothing happens."""
    facade = PersonalizeService(build_clients(Settings.from_env()))
    served = facade.describe_campaign(seeded.up_campaign).solution_version_arn
    at = _app(hashes)
    at.run()
    _sign_in(at, "otto", OPERATOR_PW)
    at.switch_page("dashboard/pages/operations.py").run()
    at.selectbox(key="deploy_campaign").set_value(seeded.up_campaign).run()
    assert not at.button(key="deploy_button").disabled
    at.button(key="deploy_button").click().run()  # the dialog opens
    at.secrets["access"]["accounts"]["otto"]["role"] = "viewer"
    at.button(key="deploy_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="deploy_button").disabled
    assert "otto is a viewer" in at.button(key="deploy_button").help
    assert facade.describe_campaign(seeded.up_campaign).solution_version_arn == served
    refused = [r for r in _store().recent_actions() if r.action == "update_campaign"]
    assert [(r.actor, r.result) for r in refused] == [("otto", "error")]


def _permit_script() -> None:
    import streamlit as st

    from dashboard import identity

    identity.sign_in("vera", "viewer password 1")
    allowed = identity.permit("update_campaign", "arn:campaign", {"solution_version_arn": "v"})
    st.write("allowed" if allowed else "refused")


def test_the_server_side_check_refuses_a_viewer_and_audits_it(seeded: Seeded, hashes: dict) -> None:
    at = AppTest.from_function(_permit_script, default_timeout=TIMEOUT)
    at.secrets["access"] = {
        "accounts": {"vera": {"role": "viewer", "password_hash": hashes["vera"]}}
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.markdown[0].value == "refused"
    assert shown(at.error[0].value).startswith("Not allowed: vera is a viewer")
    row = _store().recent_actions()[0]
    assert (row.actor, row.action, row.target, row.result) == (
        "vera",
        "update_campaign",
        "arn:campaign",
        "error",
    )
    assert row.message.startswith("refused: vera is a viewer") and row.params == {
        "solution_version_arn": "v"
    }


def test_an_operator_signs_in_and_acts(seeded: Seeded, hashes: dict) -> None:
    facade = PersonalizeService(build_clients(Settings.from_env()))
    at = _app(hashes)
    at.run()
    _sign_in(at, "otto", OPERATOR_PW)
    assert "**otto** · operator" in [shown(m.value) for m in at.sidebar.markdown]
    at.switch_page("dashboard/pages/operations.py").run()
    at.selectbox(key="deploy_campaign").set_value(seeded.up_campaign).run()
    at.button(key="deploy_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [r for r in _store().recent_actions() if r.action == "update_campaign"], (
        "nothing happens until confirmed in the dialog"
    )
    at.button(key="deploy_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    campaign = facade.describe_campaign(seeded.up_campaign)
    assert seeded.up_v2 in (
        campaign.solution_version_arn,
        campaign.pending_update.solution_version_arn,
    )
    actions = {(r.actor, r.action, r.result) for r in _store().recent_actions()}
    assert ("otto", "update_campaign", "ok") in actions and ("otto", "sign_in", "ok") in actions


def test_no_configuration_locally_runs_as_operator_and_says_so(seeded: Seeded) -> None:
    # streamlit_app.py draws the notice before running any page (AppTest's switch_page runs a page
    # alone, so the router's part is checked on the default page; e2e checks every page).
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert any("everybody acts as operator" in shown(c.value) for c in at.caption)
    assert at.sidebar.markdown[0].value.endswith("· operator")
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.button(key="train_button").help  # enabled once confirmed, no refusal


def test_no_configuration_on_aws_disables_actions_and_says_how_to_enable(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_aws_backend(monkeypatch, tmp_path, lambda *_: None)  # AWS mode, answered by the engine
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(HOW_TO_ENABLE in shown(c.value) for c in at.caption)
    assert at.sidebar.markdown[0].value.endswith("· viewer")
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.checkbox(key="train_confirm").check().run()
    assert at.button(key="train_button").disabled
    assert shown(at.button(key="train_button").help) == HOW_TO_ENABLE


def test_a_viewers_upload_is_checked_but_written_to_no_bucket(seeded: Seeded, hashes: dict) -> None:
    from tests.dashboard.test_data import interactions_csv

    uploads = Settings.from_env().data_dir / "s3" / "uploads"
    before = sorted(uploads.rglob("*")) if uploads.exists() else []
    at = _app(hashes)
    at.run()
    _sign_in(at, "vera", VIEWER_PW)
    at.switch_page("dashboard/pages/data.py").run()
    data = interactions_csv(millis=True)
    at.file_uploader(key="readiness_file").set_value(("events.csv", data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    # The check ran on the file (it found the milliseconds) ...
    assert any("1 error blocks this import" in shown(e.value) for e in at.error), [
        shown(e.value) for e in at.error
    ]
    # ... and nothing was stored where imports read from.
    assert (sorted(uploads.rglob("*")) if uploads.exists() else []) == before


def test_a_deep_link_opened_signed_out_gets_the_sign_in_form(seeded: Seeded, hashes: dict) -> None:
    """A deep link runs streamlit_app.py first, whose gate asks to sign in before the page
    runs; after signing in the page shows itself (the browser test, tests/e2e/test_refresh.py,
    checks it on a fresh server). The form says a reload signs a password session out."""
    from dashboard.components.sign_in import PASSWORD_SESSION_NOTE

    at = _app(hashes)
    at.switch_page("dashboard/pages/operations.py").run()  # a deep link, opened signed out
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Sign in"]
    assert PASSWORD_SESSION_NOTE in [shown(c.value) for c in at.caption]
    assert not [s for s in at.subheader if shown(s.value) == "Running work"]
    _sign_in(at, "otto", OPERATOR_PW)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Operations"
    assert "Running work" in [shown(s.value) for s in at.subheader]


def test_failed_sign_ins_lock_the_name_in_every_session_and_are_audited(
    seeded: Seeded, hashes: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from services.access import throttle

    now = datetime.now(UTC)
    monkeypatch.setattr(throttle, "now", lambda: now)
    for _ in range(USER_LIMIT.free):  # a new session (tab) for each try: they share the count
        at = _sign_in(_app(hashes).run(), "otto", "not the password")
        assert [shown(e.value) for e in at.error] == ["Wrong user name or password."]
    at = _sign_in(_app(hashes).run(), "otto", "not the password")
    assert at.error[0].value == "Wrong user name or password. Too many failures: wait 30 s."
    # Locked: even the right password is refused, unchecked, in any new session.
    at = _sign_in(_app(hashes).run(), "otto", OPERATOR_PW)
    assert at.title[0].value == "Sign in"
    assert at.error[0].value == "Too many failed sign-ins: try again in 30 s."
    rows = [r for r in _store().recent_actions() if r.action == "sign_in"]
    assert [r.message for r in rows[:2]] == [
        "refused: locked for 30 s",
        "wrong user name or password; locked for 30 s",
    ]
    assert all(r.actor == "otto" and r.result == "error" for r in rows)
    assert rows[0].params == {"client": "local"}  # AppTest has no remote address
    now += timedelta(seconds=31)  # the lock ends by itself
    at = _sign_in(_app(hashes).run(), "otto", OPERATOR_PW)
    assert at.title[0].value != "Sign in"


def test_a_password_typed_as_the_user_name_is_not_stored(seeded: Seeded, hashes: dict) -> None:
    typed = "correct horse battery staple"
    at = _sign_in(_app(hashes).run(), typed, "")
    assert [shown(e.value) for e in at.error] == ["Wrong user name or password."]
    (row,) = [r for r in _store().recent_actions() if r.action == "sign_in"]
    assert row.actor == "(unknown user name)"
    files = list(Settings.from_env().data_dir.glob("dashboard.db*"))  # the store, its WAL
    assert files and not any(typed.encode() in f.read_bytes() for f in files)
    assert typed not in _texts(at)  # not even left in the user-name field
