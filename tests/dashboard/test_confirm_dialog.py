"""The shared confirmation dialog: the action runs only when confirmed, once; Cancel does
nothing. A dialog forced open for a viewer is refused by the action's own check
(tests/dashboard/test_access.py)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboard.rendered import shown


def _script() -> None:
    import streamlit as st

    from dashboard.components.confirm_dialog import Confirmation, confirm_button

    def act() -> None:
        st.session_state["acted"] = st.session_state.get("acted", 0) + 1
        st.rerun()

    confirm_button(
        "demo",
        "Do it",
        Confirmation("Do it?", "This **deletes** everything.", "Yes, do it"),
        act,
        disabled=bool(st.session_state.get("locked")),
        help="locked" if st.session_state.get("locked") else None,
    )
    st.write(f"acted {st.session_state.get('acted', 0)}")


def _app() -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _acted(at: AppTest) -> str:
    (line,) = [m.value for m in at.markdown if m.value.startswith("acted ")]
    return line


def test_the_action_runs_only_once_confirmed_and_the_dialog_closes() -> None:
    at = _app()
    assert not [b for b in at.button if b.key == "demo_confirm"]  # no dialog yet
    at.button(key="demo_button").click().run()
    assert "This **deletes** everything." in [m.value for m in at.markdown]
    assert _acted(at) == "acted 0"
    at.button(key="demo_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _acted(at) == "acted 1"
    assert not [b for b in at.button if b.key == "demo_confirm"], "the dialog closed"
    at.run()
    assert _acted(at) == "acted 1", "a rerun does not repeat the action"


def test_cancel_closes_without_acting() -> None:
    at = _app()
    at.button(key="demo_button").click().run()
    at.button(key="demo_cancel").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [b for b in at.button if b.key == "demo_confirm"]
    assert _acted(at) == "acted 0"


def test_a_disabled_button_says_why() -> None:
    at = _app()
    at.session_state["locked"] = True
    at.run()
    button = at.button(key="demo_button")
    assert button.disabled and shown(button.help) == "locked"
    assert not [b for b in at.button if b.key == "demo_confirm"]
    assert _acted(at) == "acted 0"
