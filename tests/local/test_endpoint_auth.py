"""The engine's HTTP endpoint off loopback: SigV4 signatures checked against the engine's keys.

The server runs on 127.0.0.1 (tests use loopback only) with ``--require-auth``, which any
non-loopback ``--host`` turns on by itself. Requests are signed by boto3 (botocore's own
signer), or sent raw to show what an unsigned, tampered or stale request gets.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from services.config import ENGINE_KEY_ID_ENV as KEY_ID_ENV
from services.config import ENGINE_SECRET_ENV as SECRET_ENV
from services.config import ConfigError, Settings
from services.local.__main__ import main
from services.local.engine import LocalEngine
from services.local.errors import InvalidSignature
from services.local.wire.auth import (
    AccessKeys,
    KeyFileError,
    SignedRequest,
    is_loopback,
    load_keys,
    verify,
)
from services.local.wire.server import create_app
from services.personalize.clients import build_clients
from tests.local.asgi import Reply, send
from tests.local.server import EngineServer

KEY_ID = "ENGINEKEY1"
SECRET = "s3cr3t-for-the-engine-0123456789"
OTHER_ID = "ENGINEKEY2"
OTHER_SECRET = "another-secret-abcdefghijklmnop"
TARGET = "AmazonPersonalize.ListDatasetGroups"
CONTROL_TYPE = "application/x-amz-json-1.1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineServer]:
    root = tmp_path_factory.mktemp("auth")
    keys = root / "keys.txt"
    keys.write_text(f"# the engine's keys\n{OTHER_ID} {OTHER_SECRET}\n")
    env = {
        KEY_ID_ENV: KEY_ID,
        SECRET_ENV: SECRET,
        "PERSONALIZE_LOCAL_WORKER": "thread",
        "PERSONALIZE_LOCAL_LIFECYCLE_SECONDS": "0",
    }
    srv = EngineServer(root / "data", args=["--require-auth", "--access-keys", str(keys)], **env)
    yield srv.start()
    srv.stop()


def client(server: EngineServer, key_id: str, secret: str, service: str = "personalize") -> Any:
    return boto3.Session(
        aws_access_key_id=key_id, aws_secret_access_key=secret, region_name="us-east-1"
    ).client(
        service,
        endpoint_url=server.url,
        config=Config(retries={"total_max_attempts": 1}),
    )


def error_of(call: Callable[[], Any]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    err = info.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Message"]


def raw(server: EngineServer, headers: dict[str, str], body: bytes = b"{}") -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        data = json.loads(resp.read() or b"{}")
        assert resp.getheader("x-amzn-ErrorType", data.get("__type")) == data.get("__type")
        return resp.status, data
    finally:
        conn.close()


def signed_headers(
    server: EngineServer, body: bytes, key_id: str = KEY_ID, secret: str = SECRET
) -> dict[str, str]:
    """Headers of a ListDatasetGroups request signed by botocore's SigV4Auth."""
    request = AWSRequest(
        method="POST",
        url=server.url + "/",
        data=body,
        headers={"Content-Type": CONTROL_TYPE, "X-Amz-Target": TARGET},
    )
    SigV4Auth(Credentials(key_id, secret), "personalize", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_boto3_with_the_engines_keys_works_over_all_three_services(
    server: EngineServer,
) -> None:
    for key_id, secret in ((KEY_ID, SECRET), (OTHER_ID, OTHER_SECRET)):
        p = client(server, key_id, secret)
        arn = p.create_dataset_group(name=f"signed-{key_id}")["datasetGroupArn"]
        names = [g["name"] for g in p.list_dataset_groups()["datasetGroups"]]
        assert f"signed-{key_id}" in names
        p.delete_dataset_group(datasetGroupArn=arn)
    # Runtime and events are signed with the same signing name and answer too (a modelled
    # refusal, not an authentication error).
    runtime = client(server, KEY_ID, SECRET, "personalize-runtime")
    code, status, _ = error_of(
        lambda: runtime.get_recommendations(
            campaignArn="arn:aws:personalize:us-east-1:000000000000:campaign/none", userId="u"
        )
    )
    assert (code, status) == ("ResourceNotFoundException", 404)
    # The dashboard's own clients sign with the keys from its settings.
    settings = Settings(
        endpoint_url=server.url,
        data_dir=server.data_dir,
        engine_access_key_id=KEY_ID,
        engine_secret_access_key=SECRET,
    )
    assert "datasetGroups" in build_clients(settings).personalize.list_dataset_groups()


def test_unsigned_and_wrongly_signed_requests_are_refused_and_change_nothing(
    server: EngineServer,
) -> None:
    good = client(server, KEY_ID, SECRET)
    arn = good.create_dataset_group(name="kept")["datasetGroupArn"]

    status, body = raw(
        server,
        {"Content-Type": CONTROL_TYPE, "X-Amz-Target": "AmazonPersonalize.DeleteDatasetGroup"},
        json.dumps({"datasetGroupArn": arn}).encode(),
    )
    assert (status, body["__type"]) == (403, "MissingAuthenticationTokenException")

    unknown = client(server, "NOSUCHKEY", SECRET)
    code, status, message = error_of(lambda: unknown.delete_dataset_group(datasetGroupArn=arn))
    assert (code, status) == ("UnrecognizedClientException", 403)
    assert "security token included in the request is invalid" in message

    wrong_secret = client(server, KEY_ID, OTHER_SECRET)
    code, status, message = error_of(lambda: wrong_secret.delete_dataset_group(datasetGroupArn=arn))
    assert (code, status) == ("InvalidSignatureException", 400)
    assert "does not match the signature you provided" in message

    status, body = raw(
        server,
        {
            "Content-Type": CONTROL_TYPE,
            "X-Amz-Target": TARGET,
            "Authorization": "AWS4-HMAC-SHA256 Credential=garbage, Signature=00",
        },
    )
    assert (status, body["__type"]) == (403, "IncompleteSignatureException")
    scope = f"{KEY_ID}/20200101/us-east-1/personalize/aws4_request"
    for header, date, expected in (
        ("Bearer abc", None, "IncompleteSignatureException"),
        ("AWS4-HMAC-SHA256", None, "IncompleteSignatureException"),
        (f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0", None,
         "IncompleteSignatureException"),  # no X-Amz-Date
        (f"AWS4-HMAC-SHA256 Credential={scope.replace('personalize', 's3')}, "
         "SignedHeaders=host, Signature=0", "20200101T000000Z", "IncompleteSignatureException"),
        (f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date, Signature=0",
         "20200101T000000Z", "InvalidSignatureException"),  # six years stale
        ("AWS4-HMAC-SHA256 Credential=\u00e9///personalize/aws4_request, "
         "SignedHeaders=host, Signature=0", "20200101T000000Z", "IncompleteSignatureException"),
    ):  # fmt: skip
        headers = {"Content-Type": CONTROL_TYPE, "X-Amz-Target": TARGET, "Authorization": header}
        if date:
            headers["X-Amz-Date"] = date
        status, body = raw(server, headers)
        assert 400 <= status < 500 and body["__type"] == expected, (header, body)

    assert good.describe_dataset_group(datasetGroupArn=arn)["datasetGroup"]["name"] == "kept"
    assert SECRET not in server.log.read_text() and OTHER_SECRET not in server.log.read_text()


def test_a_signed_request_cannot_be_altered_or_sent_to_another_host(
    server: EngineServer,
) -> None:
    body = b'{"maxResults": 5}'
    headers = signed_headers(server, body)
    assert raw(server, headers, body)[0] == 200
    for why, changed_headers, changed_body in (
        ("another body", headers, b'{"maxResults": 6}'),
        ("another Host", {**headers, "Host": "engine.example.com"}, body),
        ("another operation", {**headers, "X-Amz-Target": TARGET + "x"}, body),
    ):
        status, answer = raw(server, changed_headers, changed_body)
        assert (status, answer["__type"]) == (400, "InvalidSignatureException"), why
    unsigned_host = headers["Authorization"].replace("host;", "")
    status, answer = raw(server, {**headers, "Authorization": unsigned_host}, body)
    assert (status, answer["__type"]) == (403, "IncompleteSignatureException")


def test_a_stale_or_future_signature_is_refused() -> None:
    keys = AccessKeys({KEY_ID: SECRET})
    request = AWSRequest(
        method="POST",
        url="http://engine:4599/",
        data=b"{}",
        headers={"Content-Type": CONTROL_TYPE, "X-Amz-Target": TARGET},
    )
    SigV4Auth(Credentials(KEY_ID, SECRET), "personalize", "eu-west-1").add_auth(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers["host"] = "engine:4599"
    signed = SignedRequest("POST", "/", "", headers, b"{}")
    signed_at = dt.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert verify(keys, signed, signed_at + dt.timedelta(minutes=4)) == KEY_ID
    with pytest.raises(InvalidSignature, match="Signature expired"):
        verify(keys, signed, signed_at + dt.timedelta(minutes=6))
    with pytest.raises(InvalidSignature, match="not yet current"):
        verify(keys, signed, signed_at - dt.timedelta(minutes=6))


def test_off_loopback_without_keys_refuses_to_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ID_ENV, raising=False)
    monkeypatch.delenv(SECRET_ENV, raising=False)
    for host in ("0.0.0.0", "::", "192.0.2.10", "engine.example.com"):
        code = main(["serve", "--host", host, "--port", "4599", "--data-dir", str(tmp_path)])
        err = capsys.readouterr().err
        assert code == 2, host
        assert len(err.strip().splitlines()) == 1, err
        assert "not a loopback address" in err and KEY_ID_ENV in err, err
    code = main(["serve", "--require-auth", "--port", "4599", "--data-dir", str(tmp_path)])
    assert code == 2 and "no access keys" in capsys.readouterr().err
    bad = tmp_path / "keys.txt"
    bad.write_text("ONLYANID\n")
    args = ["serve", "--host", "0.0.0.0", "--access-keys", str(bad), "--data-dir", str(tmp_path)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "line 1" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv(KEY_ID_ENV, KEY_ID)
    assert main(["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert SECRET_ENV in err and SECRET not in err


def test_key_configuration_and_loopback(tmp_path: Path) -> None:
    settings = Settings.from_env({KEY_ID_ENV: KEY_ID, SECRET_ENV: SECRET})
    keys = load_keys(settings)
    assert keys.key_ids == [KEY_ID]
    assert SECRET not in repr(keys) and SECRET not in repr(settings)
    assert not load_keys(Settings())
    with pytest.raises(ConfigError, match=SECRET_ENV):
        Settings.from_env({KEY_ID_ENV: KEY_ID})
    short = tmp_path / "keys.txt"
    short.write_text(f"{OTHER_ID} short\n")
    with pytest.raises(KeyFileError, match="shorter than 16"):
        load_keys(settings, short)
    short.write_text(f"{KEY_ID} {OTHER_SECRET}\n")
    with pytest.raises(KeyFileError, match="given twice"):
        load_keys(settings, short)
    assert [is_loopback(h) for h in ("127.0.0.1", "127.8.9.1", "::1", "localhost")] == [True] * 4
    assert [is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "example.com")] == [False] * 4


def test_an_open_loopback_engine_answers_only_loopback_host_names(tmp_path: Path) -> None:
    """Without keys (loopback) no signature is checked, but a browser page whose domain was
    re-pointed at 127.0.0.1 (DNS rebinding) names its own Host and is refused."""
    engine = LocalEngine(Settings(data_dir=tmp_path / "data", worker_mode="thread"))
    app = create_app(engine)

    async def ask_all(hosts: tuple[str, ...]) -> list[Reply]:
        headers = [("Content-Type", CONTROL_TYPE), ("X-Amz-Target", TARGET)]
        return [await send(app, "POST", "/", [("Host", h), *headers], b"{}") for h in hosts]

    def ask(*hosts: str) -> list[Reply]:
        # Its own thread and event loop: a browser test may have left one in this thread.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, ask_all(hosts)).result()

    try:
        loopback = ("127.0.0.1:4599", "localhost", "[::1]:4599", "127.9.9.9")
        assert [r.status for r in ask(*loopback)] == [200] * len(loopback)
        foreign = ("evil.example:4599", "192.168.1.20", "[2001:db8::1]:80", "localhost.evil")
        for host, reply in zip(foreign, ask(*foreign), strict=True):
            assert reply.status == 403, host
            assert json.loads(reply.body)["__type"] == "MissingAuthenticationTokenException"
    finally:
        engine.close()
