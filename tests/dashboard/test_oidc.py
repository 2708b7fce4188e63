"""Sign-in with OIDC (``st.login``): no identity provider can be reached here, so ``st.user``,
and ``st.login`` are replaced at the Streamlit boundary by a signed-in user; the
role mapping, the sidebar and which actions are allowed are the dashboard's own code."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.config import Settings
from services.personalize.clients import build_clients
from services.personalize.facade import PersonalizeService
from services.store.tables import Store
from tests.dashboard.conftest import APP, TIMEOUT, Seeded
from tests.dashboard.rendered import shown

AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret-only-for-this-test",
    "client_id": "dashboard",
    "client_secret": "x",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ACCESS = {"operators": ["Ops@Example.com"], "viewers": ["viewer@example.com"]}


class Provider:
    """Who the identity provider says is signed in, and the calls the dashboard made."""

    def __init__(self) -> None:
        self.user: SimpleNamespace = SimpleNamespace(is_logged_in=False)
        self.logins = 0

    def sign_in_as(self, email: str) -> None:
        self.user = SimpleNamespace(is_logged_in=True, email=email, name=email.split("@")[0])


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    idp = Provider()

    def login(*_: object, **__: object) -> None:
        idp.logins += 1

    class User:  # what st.user answers: whoever the provider says is signed in now
        def __getattr__(self, name: str) -> object:
            return getattr(idp.user, name)

    monkeypatch.setattr(st, "user", User())
    monkeypatch.setattr(st, "login", login)
    yield idp


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.secrets["access"] = ACCESS
    return at


def _texts(at: AppTest) -> list[str]:
    return [shown(e.value) for e in [*at.error, *at.caption, *at.markdown, *at.sidebar.markdown]]


def test_before_signing_in_the_form_offers_the_identity_provider(
    seeded: Seeded, provider: Provider
) -> None:
    at = _app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Sign in"
    at.button(key="sign_in_oidc").click().run()
    assert provider.logins == 1


def test_an_operator_email_may_act(seeded: Seeded, provider: Provider) -> None:
    provider.sign_in_as("ops@example.com")  # listed as Ops@Example.com: case does not matter
    at = _app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Overview"
    assert "**ops@example.com** · operator" in [shown(m.value) for m in at.sidebar.markdown]
    at.switch_page("dashboard/pages/operations.py").run()
    facade = PersonalizeService(build_clients(Settings.from_env()))
    before = len(facade.list_solution_versions(seeded.up_solution))
    at.selectbox(key="train_solution").set_value(seeded.up_solution).run()
    at.checkbox(key="train_confirm").check().run()
    assert not at.button(key="train_button").disabled
    at.button(key="train_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    trained = [r for r in Store(Settings.from_env().dashboard_db_url).recent_actions()
               if r.action == "create_solution_version"]  # fmt: skip
    assert [(r.actor, r.result) for r in trained] == [("ops@example.com", "ok")]
    assert len(facade.list_solution_versions(seeded.up_solution)) == before + 1


def test_a_viewer_email_sees_pages_but_may_not_act(seeded: Seeded, provider: Provider) -> None:
    provider.sign_in_as("viewer@example.com")
    at = _app()
    at.run()
    assert "**viewer@example.com** · viewer" in [shown(m.value) for m in at.sidebar.markdown]
    at.switch_page("dashboard/pages/operations.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.checkbox(key="train_confirm").check().run()
    for key in ("train_button", "refresh_button"):
        assert at.button(key=key).disabled
        assert "viewer@example.com is a viewer" in shown(at.button(key=key).help)


def test_an_email_with_no_role_is_refused(seeded: Seeded, provider: Provider) -> None:
    provider.sign_in_as("stranger@example.com")
    at = _app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Sign in"
    assert any("has no role" in shown(e.value) for e in at.error)
    # default_role admits anyone the provider signed in, with that role
    at.secrets["access"] = {**ACCESS, "default_role": "viewer"}
    at.run()
    assert "**stranger@example.com** · viewer" in [shown(m.value) for m in at.sidebar.markdown]
