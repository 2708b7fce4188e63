"""Following a batch job kept in the session (batch preview, segments): a failed job shows its
reason as text and gives no answer; a job with an answer gives it and polls no more."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.dashboard.rendered import shown


def _script() -> None:
    import streamlit as st

    from dashboard.components.recommendations.batch_poll import follow_batch_job

    def poll() -> None:
        st.session_state["polls"] = st.session_state.get("polls", 0) + 1

    state = st.session_state["job"]
    answer = follow_batch_job(state, "users", "The job failed: {reason}", poll)
    st.text(f"answer {answer!r}; polls {st.session_state.get('polls', 0)}")


def _run(state: dict[str, object]) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["job"] = state
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_failed_job_shows_its_reason_as_text_and_gives_no_answer() -> None:
    at = _run({"failure": "bad *input* <b>x</b>", "users": None})
    assert [shown(e.value) for e in at.error] == ["The job failed: bad *input* <b>x</b>"]
    assert [t.value for t in at.text] == ["answer None; polls 0"]


def test_a_running_job_is_polled_and_a_finished_one_gives_its_answer() -> None:
    running = _run({"failure": None, "users": None})
    assert not running.error
    assert [t.value for t in running.text] == ["answer None; polls 1"]  # the fragment ran once
    done = _run({"failure": None, "users": ["u1", "u2"]})
    assert not done.error
    assert [t.value for t in done.text] == ["answer ['u1', 'u2']; polls 0"]
