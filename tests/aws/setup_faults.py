"""AWS configuration faults without the internet: temporary AWS config files with profiles that
work, lack credentials or assume a role; a loopback endpoint that answers every request with
one AWS error (STS refusing AssumeRole, Personalize rejecting an expired token), counting
requests; and a loopback URL that refuses connections."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from botocore.retries.standard import ExponentialBackoff

STS_ERROR = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    "<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId>"
    "</ErrorResponse>"
)
JSON_ERROR = '{{"__type": "{code}", "message": "{message}"}}'


class ErrorEndpoint:
    """``url`` answers ``status`` with ``body`` to at most ``limit`` requests (then 500)."""

    def __init__(self, status: int, body: str, content_type: str, limit: int = 20) -> None:
        self.requests: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                endpoint.requests.append(self.rfile.read(length).decode("utf-8", "replace"))
                over = len(endpoint.requests) > limit
                data = b"" if over else body.encode()
                self.send_response(500 if over else status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # a short poll interval: shutdown() waits for it
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> ErrorEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def sts_refusing(code: str, message: str) -> Iterator[ErrorEndpoint]:
    """An STS that refuses every call with ``code`` (HTTP 403, query protocol XML)."""
    body = STS_ERROR.format(code=code, message=message)
    with ErrorEndpoint(403, body, "text/xml") as endpoint:
        yield endpoint


@contextmanager
def personalize_refusing(code: str, message: str) -> Iterator[ErrorEndpoint]:
    """A Personalize that answers every call with ``code`` (HTTP 400, awsJson1.1)."""
    body = JSON_ERROR.format(code=code, message=message)
    with ErrorEndpoint(400, body, "application/x-amz-json-1.1") as endpoint:
        yield endpoint


def refused_url() -> str:
    """A loopback URL nothing listens on: connecting is refused at once (no network)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


ROLE = "arn:aws:iam::123456789012:role/Ops"
CONFIG = f"""[default]
region = eu-west-1
[profile ops]
region = eu-west-1
[profile base]
region = eu-west-1
[profile roled]
role_arn = {ROLE}
source_profile = base
[profile badsrc]
role_arn = {ROLE}
source_profile = nope
[profile sso]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = Ops
"""
CREDENTIALS = """[base]
aws_access_key_id = AKIAEXAMPLEBASE00000
aws_secret_access_key = base-secret
"""
PROFILES = "badsrc, base, default, ops, roled, sso"  # as the files above define them, sorted


def use_profiles(monkeypatch: pytest.MonkeyPatch, folder: Path, **env: str) -> None:
    """AWS mode with the profiles above in temporary AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE
    and nothing else that could supply credentials; ``env`` is set on top."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config").write_text(CONFIG)
    (folder / "credentials").write_text(CREDENTIALS)
    for key in list(os.environ):
        if key.startswith(("AWS_", "PERSONALIZE_")) and key != "AWS_EC2_METADATA_DISABLED":
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(folder / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("HOME", str(folder / "home"))  # no SSO token cache (~/.aws/sso/cache)
    monkeypatch.setenv("PERSONALIZE_BACKEND", "aws")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("PERSONALIZE_DATA_DIR", str(folder / "data"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)


DASHBOARD_ROLE = "arn:aws:iam::123456789012:role/Dashboard"
DENIED = "User base is not authorized to perform sts:AssumeRole"
EXPIRED = "The security token included in the request is expired"


@dataclass(frozen=True)
class Fault:
    """Environment on top of the temporary profiles, and the line every surface must show
    (``{dir}`` is the folder of the config files, ``{sts}``/``{api}`` the loopback URLs)."""

    env: Callable[[dict[str, str]], dict[str, str]]
    says: str
    sts: str | None = None  # "refuse": an STS answering AccessDenied to every call


FILES = "AWS_CONFIG_FILE ({dir}/config) or AWS_SHARED_CREDENTIALS_FILE ({dir}/credentials)"
FAULTS = {
    "missing profile": Fault(
        lambda u: {"AWS_PROFILE": "missing"},
        f"AWS_PROFILE=missing: no such profile in {FILES}; set AWS_PROFILE to one of: {PROFILES}",
    ),
    "profile without credentials": Fault(
        lambda u: {"AWS_PROFILE": "ops"},
        f"AWS_PROFILE=ops has no credentials in {FILES}: add them with `aws configure "
        "--profile ops`, or set AWS_PROFILE to one of: badsrc, base, default, roled, sso",
    ),
    "no credentials at all": Fault(
        lambda u: {},
        f"No AWS credentials found: set AWS_PROFILE to one of: {PROFILES}, or AWS_ACCESS_KEY_ID "
        "and AWS_SECRET_ACCESS_KEY (or PERSONALIZE_BACKEND=local for the local engine)",
    ),
    "expired token": Fault(
        lambda u: {"AWS_PROFILE": "base", "AWS_ENDPOINT_URL_PERSONALIZE": u["expired"]},
        f"Personalize rejected the credentials of AWS_PROFILE=base (ExpiredTokenException: "
        f"{EXPIRED}): they are expired or not valid; renew them (`aws sso login --profile "
        "base`, or new keys with `aws configure --profile base`), or set AWS_PROFILE to "
        "another profile",
    ),
    "profile role refused": Fault(
        lambda u: {"AWS_PROFILE": "roled", "AWS_ENDPOINT_URL_STS": u["sts"]},
        f"AWS_PROFILE=roled: AWS refused AssumeRole of its role_arn {ROLE} (AccessDenied: "
        f"{DENIED}); fix the profile's role_arn or source_profile, or set AWS_PROFILE to one "
        "of: badsrc, base, default, ops, sso",
        sts="refuse",
    ),
    "profile role without its source": Fault(
        lambda u: {"AWS_PROFILE": "badsrc"},
        'AWS_PROFILE=badsrc: The source_profile "nope" referenced in the profile "badsrc" does '
        "not exist; fix the profile in AWS_CONFIG_FILE ({dir}/config), or set AWS_PROFILE to "
        "one of: base, default, ops, roled, sso",
    ),
    "dashboard role refused": Fault(
        lambda u: {
            "AWS_PROFILE": "base",
            "PERSONALIZE_ASSUME_ROLE_ARN": DASHBOARD_ROLE,
            "AWS_ENDPOINT_URL_STS": u["sts"],
        },
        f"PERSONALIZE_ASSUME_ROLE_ARN={DASHBOARD_ROLE}: STS refused AssumeRole (AccessDenied: "
        f"{DENIED}); let the credentials of AWS_PROFILE=base assume that role (its trust "
        "policy and sts:AssumeRole), or unset PERSONALIZE_ASSUME_ROLE_ARN",
        sts="refuse",
    ),
    "SSO never logged in": Fault(
        lambda u: {"AWS_PROFILE": "sso", "AWS_ENDPOINT_URL_PERSONALIZE": u["expired"]},
        "AWS_PROFILE=sso: the SSO session has expired or was never started: run `aws sso login "
        "--profile sso`, then try again",
    ),
    "partial keys": Fault(
        lambda u: {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEPARTIAL00"},
        "AWS_ACCESS_KEY_ID: the credentials lack AWS_SECRET_ACCESS_KEY (env): set it, or "
        "remove the incomplete keys",
    ),
    "proxy down": Fault(
        lambda u: {"AWS_PROFILE": "base", "HTTPS_PROXY": u["down"], "NO_PROXY": ""},
        "Cannot reach the proxy {down}: check HTTPS_PROXY (and HTTP_PROXY, NO_PROXY), or unset it",
    ),
    "no network": Fault(
        lambda u: {"AWS_PROFILE": "base", "AWS_ENDPOINT_URL_PERSONALIZE": u["down"]},
        "Cannot reach Personalize at {down}/: check the network (HTTPS_PROXY when there is a "
        "proxy) and AWS_REGION=eu-west-1",
    ),
    "no network to STS": Fault(
        lambda u: {
            "AWS_PROFILE": "roled",
            "AWS_ENDPOINT_URL_STS": u["down"],
            "AWS_ENDPOINT_URL_PERSONALIZE": u["expired"],
        },
        "AWS_PROFILE=roled: cannot reach {down}/ to get its credentials (STS for its role_arn, "
        "or the SSO portal): check the network (HTTPS_PROXY when there is a proxy) and the "
        "profile's region",
    ),
}


@dataclass
class Setup:
    says: str
    sts_requests: list[str]
    api_requests: list[str]


def set_up(name: str, monkeypatch: pytest.MonkeyPatch, folder: Path, stack: ExitStack) -> Setup:
    """Fault ``name`` of ``FAULTS`` in the environment (loopback endpoints on ``stack``), with
    the line it must produce. Retries keep their count but not their sleeps."""
    fault = FAULTS[name]
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    sts = stack.enter_context(sts_refusing("AccessDenied", DENIED))
    api = stack.enter_context(personalize_refusing("ExpiredTokenException", EXPIRED))
    urls = {"sts": sts.url, "expired": api.url, "down": refused_url()}
    use_profiles(monkeypatch, folder, **fault.env(urls))
    says = fault.says.replace("{dir}", str(folder)).replace("{down}", urls["down"])
    return Setup(says, sts.requests, api.requests)
