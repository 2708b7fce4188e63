"""Every page × every backend failure, injected at the boto3 boundary (see ``faults.py``).

The dashboard runs in AWS mode (standard retries, the credential chain) and the local engine
answers what the fault does not take. Each cell checks: no exception element; a message that
names what failed and what to do; and that what does not need the failed call still renders.

Two kinds of failure hit every call (the network, the credentials, throttling); three hit
one operation of the page while the rest works (AccessDenied, a resource deleted between the
List and the Describe, a malformed answer).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from streamlit.testing.v1 import AppTest

from services.access import hash_password
from tests.dashboard.conftest import APP, TIMEOUT, Seeded
from tests.dashboard.faults import Fault, error, response, use_aws_backend
from tests.dashboard.rendered import shown

OVERVIEW, DATA, SOLUTIONS, RECS, OPS = (
    "dashboard/pages/overview.py",
    "dashboard/pages/data.py",
    "dashboard/pages/solutions.py",
    "dashboard/pages/recommendations.py",
    "dashboard/pages/operations.py",
)
PAGES = [OVERVIEW, DATA, SOLUTIONS, RECS, OPS]
TITLES = {
    OVERVIEW: "Overview",
    DATA: "Data",
    SOLUTIONS: "Solutions & metrics",
    RECS: "Recommendations",
    OPS: "Operations",
}


OPERATOR_PW = "operator password 1"


@functools.cache
def operator_hash() -> str:
    return hash_password(OPERATOR_PW)


def open_page(page: str, *, operator: bool = False) -> AppTest:
    """The app on ``page``, as a viewer (AWS mode without access configured), or signed in as
    an operator with the Overview's data checks (export jobs: an operator's choice) on."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if operator:
        at.secrets["access"] = {
            "accounts": {"otto": {"role": "operator", "password_hash": operator_hash()}}
        }
    at.run()
    if operator:
        at.text_input(key="sign_in_name").input("otto")
        at.text_input(key="sign_in_password").input(OPERATOR_PW)
        at.button(key="sign_in_button").click().run()
        at.session_state["overview_data_checks"] = True
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == TITLES[page]
    return at


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def failures(at: AppTest) -> list[str]:
    """Messages of failed reads (other errors are findings, e.g. identical lists)."""
    return [m for m in errors(at) if m.startswith("Could not read the ")]


def markdown(at: AppTest) -> str:
    return "\n".join(shown(m.value) for m in at.markdown)


def options(at: AppTest, label: str) -> list[str]:
    return next(list(s.options) for s in at.selectbox if s.label == label)  # as displayed


# --- failures of every call ---------------------------------------------------------------


def _everything(make: Callable[[Any], Any]) -> Fault:
    return lambda _service, _operation, _params, request: make(request)


@dataclass(frozen=True)
class Everywhere:
    """A failure of every call, and the words the message must have."""

    fault: Fault
    says: tuple[str, ...]
    credentials: bool = True
    retried: bool = False  # standard retries make 5 attempts of a transient failure


EVERYWHERE = {
    "unreachable": Everywhere(
        _everything(lambda r: EndpointConnectionError(endpoint_url=r.url)),
        (
            "Cannot reach Personalize at https://personalize.us-east-1.amazonaws.com",
            "check the network (HTTPS_PROXY when there is a proxy) and AWS_REGION=us-east-1",
        ),
        retried=True,
    ),
    "read timeout": Everywhere(
        _everything(lambda r: ReadTimeoutError(endpoint_url=r.url)),
        ("The connection to Personalize failed during", "try again", "check the network"),
        retried=True,
    ),
    "no credentials": Everywhere(
        _everything(lambda r: None),
        ("No AWS credentials found: set AWS_PROFILE to", "or AWS_ACCESS_KEY_ID and"),
        credentials=False,
    ),
    "expired token": Everywhere(
        _everything(
            lambda r: error(r, 400, "ExpiredTokenException", "The security token is expired")
        ),
        (
            "Personalize rejected the credentials of AWS_ACCESS_KEY_ID (ExpiredTokenException: "
            "The security token is expired)",
            "renew AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN",
        ),
    ),
    "throttled past retries": Everywhere(
        _everything(lambda r: error(r, 400, "ThrottlingException", "Rate exceeded")),
        ("Throttled by Personalize", "try again in a few seconds"),
        retried=True,
    ),
}


def captions(at: AppTest) -> list[str]:
    """The main area's captions: streamlit_app.py's access notice, then the page's own."""
    return [c.value for c in at.main.caption]


# What each page shows without any backend call (in the main area: the entrypoint's sidebar has
# its own).
STILL_THERE: dict[str, Callable[[AppTest], bool]] = {
    OVERVIEW: lambda at: [b.label for b in at.main.button] == ["Refresh"],
    DATA: lambda at: "Is the data right? Did the events arrive?" in captions(at),
    SOLUTIONS: lambda at: any(
        e.label.startswith("Saved metric snapshots") for e in at.main.expander
    ),
    RECS: lambda at: any(
        c.startswith("Do these recommendations make sense?") for c in captions(at)
    ),
    OPS: lambda at: (
        any("Audit log" in t.label for t in at.main.tabs)
        and any(shown(i.value).startswith("No action yet") for i in at.main.info)
    ),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("kind", list(EVERYWHERE))
def test_every_call_fails(
    seeded: Seeded, page: str, kind: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = EVERYWHERE[kind]
    faulty = use_aws_backend(monkeypatch, tmp_path, case.fault, credentials=case.credentials)
    at = open_page(page)
    messages = errors(at)
    assert messages, "the page says that something failed"
    for message in messages:
        assert message.startswith("Could not read the "), message  # names what failed
        for words in case.says:  # what happened and what to do
            assert words in message, message
    assert STILL_THERE[page](at)
    if case.retried:  # standard retries ran (5 attempts), without their sleeps
        calls = [c for c in faulty.calls if c != "GetCallerIdentity"]  # STS: the sidebar
        assert calls[:5] == [calls[0]] * 5, calls
    if not case.credentials:  # nothing unsigned was sent
        assert faulty.calls == []


# --- failures of one operation while the rest works ----------------------------------------


@dataclass(frozen=True)
class OneCall:
    """A page, the call that fails there, and what must render anyway."""

    operation: str
    renders: Callable[[AppTest, Seeded], bool]


def _overview_rest(at: AppTest, _s: Seeded) -> bool:
    return (
        "Dataset group shop" in [shown(s.value) for s in at.subheader]
        and any(
            "is not deployed" in shown(w.value) for w in at.warning
        )  # the alert from the snapshot
    )


def _data_rest(at: AppTest, _s: Seeded) -> bool:
    metrics = {m.label: m.value for m in at.metric}
    return (
        metrics.get("Events received") == "60"
        and "#### Interactions · shop-interactions" in markdown(at)
        and "#### Items · shop-items" in markdown(at)
    )


def _solutions_rest(at: AppTest, _s: Seeded) -> bool:
    return (
        "Solution versions" in [shown(s.value) for s in at.subheader]
        and len(at.dataframe[0].value) == 4
    )


def _recs_rest(at: AppTest, _s: Seeded) -> bool:
    return [r.label for r in at.radio][:1] == ["Recommendations from"] and "Similar items" in [
        shown(s.value) for s in at.subheader
    ]


def _ops_rest(at: AppTest, _s: Seeded) -> bool:
    return (
        "Running work" in [shown(s.value) for s in at.subheader]
        and any(o.startswith("shop-campaign") for o in options(at, "Campaign"))
        and any(shown(i.value).startswith("No action yet") for i in at.info)
    )


# AccessDenied and malformed answers hit a call whose absence leaves most of the page useful.
DENIED = {
    OVERVIEW: OneCall("CreateDatasetExportJob", _overview_rest),  # the data checks
    DATA: OneCall("ListEventTrackers", _data_rest),
    SOLUTIONS: OneCall("GetSolutionMetrics", _solutions_rest),
    RECS: OneCall("CreateDatasetExportJob", _recs_rest),  # history and sampling by activity
    OPS: OneCall("GetSolutionMetrics", _ops_rest),  # the deploy's metric deltas
}


def only(operation: str, answer: Callable[[Any, dict[str, Any]], Any]) -> Fault:
    def fault(_service: str, op: str, params: dict[str, Any], request: Any) -> Any:
        return answer(request, params) if op == operation else None

    return fault


@pytest.mark.parametrize("page", PAGES)
def test_access_denied_on_one_operation(
    seeded: Seeded, page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = DENIED[page]
    denied = (
        f"User: arn:aws:iam::000000000000:user/ops is not authorized to perform {case.operation}"
    )
    use_aws_backend(
        monkeypatch,
        tmp_path,
        only(case.operation, lambda r, _p: error(r, 400, "AccessDeniedException", denied)),
    )
    at = open_page(page, operator=page == OVERVIEW)
    shown = failures(at)
    assert shown, "the page says what was denied"
    for message in shown:
        assert f"AWS denied personalize:{case.operation}: the role needs that permission" in message
    assert case.renders(at, seeded)


MALFORMED = {
    # A member missing from an otherwise fine answer.
    OVERVIEW: ("CreateDatasetExportJob", lambda r, _p: response(r, 200, {})),
    DATA: (
        "DescribeEventTracker",
        lambda r, _p: response(r, 200, {"eventTracker": {"name": "shop-tracker"}}),
    ),
    # A member of the wrong type (botocore's parser fails on it).
    SOLUTIONS: ("GetSolutionMetrics", lambda r, _p: response(r, 200, {"metrics": "n/a"})),
    # Not JSON at all: a proxy's error page sent with status 200.
    RECS: ("DescribeDatasetExportJob", lambda r, _p: response(r, 200, b"<html>Gateway</html>")),
    OPS: ("GetSolutionMetrics", lambda r, _p: response(r, 200, b'{"metrics": {"ndcg": ')),
}


@pytest.mark.parametrize("page", PAGES)
def test_malformed_answer_to_one_operation(
    seeded: Seeded, page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    operation, answer = MALFORMED[page]
    use_aws_backend(monkeypatch, tmp_path, only(operation, answer))
    at = open_page(page, operator=page == OVERVIEW)
    shown = failures(at)
    assert shown, "the page says which answer could not be read"
    for message in shown:
        assert f"Personalize's answer to {operation} could not be read" in message, message
        assert "try again; if it persists, check that the endpoint" in message, message
    rest = DENIED[page] if page != DATA else OneCall(operation, _data_rest)
    assert rest.renders(at, seeded)


def _gone(request: Any, _params: dict[str, Any]) -> Any:
    return error(request, 404, "ResourceNotFoundException", "Resource does not exist")


@dataclass(frozen=True)
class Deleted:
    """A resource a List returns and the Describe after it no longer finds."""

    operation: str
    member: str  # the request member holding the ARN
    arn: Callable[[Seeded], str]
    check: Callable[[AppTest, Seeded], bool]


def _overview_without_pop(at: AppTest, _s: Seeded) -> bool:
    text = markdown(at)
    return "**shop-pop-campaign**" not in text and "**shop-campaign**" in text


def _data_without_items(at: AppTest, _s: Seeded) -> bool:
    text = markdown(at)
    return "#### Items" not in text and "#### Interactions · shop-interactions" in text


def _solutions_without_pop(at: AppTest, s: Seeded) -> bool:
    arns = list(at.dataframe[0].value["ARN"])
    return s.pop_version not in arns and s.up_v1 in arns and s.up_v2 in arns


def _recs_without_pop(at: AppTest, _s: Seeded) -> bool:
    campaigns = options(at, "Campaign")
    return not any("shop-pop-campaign" in c for c in campaigns) and any(
        c.startswith("shop-campaign") for c in campaigns
    )


def _ops_without_pop(at: AppTest, _s: Seeded) -> bool:
    campaigns = options(at, "Campaign")
    return not any("shop-pop-campaign" in c for c in campaigns) and any(
        c.startswith("shop-campaign") for c in campaigns
    )


DELETED = {
    OVERVIEW: Deleted(
        "DescribeCampaign", "campaignArn", lambda s: s.pop_campaign, _overview_without_pop
    ),
    DATA: Deleted("DescribeDataset", "datasetArn", lambda s: s.items, _data_without_items),
    SOLUTIONS: Deleted(
        "DescribeSolutionVersion",
        "solutionVersionArn",
        lambda s: s.pop_version,
        _solutions_without_pop,
    ),
    RECS: Deleted("DescribeCampaign", "campaignArn", lambda s: s.pop_campaign, _recs_without_pop),
    OPS: Deleted("DescribeCampaign", "campaignArn", lambda s: s.pop_campaign, _ops_without_pop),
}


@pytest.mark.parametrize("page", PAGES)
def test_resource_deleted_between_list_and_describe(
    seeded: Seeded, page: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Not an error of the page: the resource is gone, and the page shows what a List made
    now would show (the rest, without it)."""
    case = DELETED[page]
    arn = case.arn(seeded)

    def fault(_service: str, op: str, params: dict[str, Any], request: Any) -> Any:
        return (
            _gone(request, params)
            if op == case.operation and params.get(case.member) == arn
            else None
        )

    use_aws_backend(monkeypatch, tmp_path, fault)
    at = open_page(page)
    assert not failures(at), failures(at)
    assert case.check(at, seeded)
