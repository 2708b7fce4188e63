"""Who may call the engine over HTTP: SigV4 signatures checked against the engine's access keys.

Off loopback the endpoint answers only requests signed (AWS Signature Version 4, an
``Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/personalize/aws4_request,
SignedHeaders=…, Signature=…`` header) with an access key configured for the engine. The
signature is recomputed with botocore's own signer (``botocore.auth.SigV4Auth``: the same
canonical request, string to sign and signing key boto3 used), over the headers the client
says it signed, the body as received and the client's ``X-Amz-Date``; it is never
re-implemented here.

Refusals are AWS's (Amazon Personalize API reference, "Common Errors"; the codes are those the
awsJson and restJson front ends send):

- no ``Authorization`` header: ``MissingAuthenticationTokenException``, HTTP 403
  ("MissingAuthenticationToken … HTTP Status Code: 403"); an open loopback engine answers the
  same to an unsigned request whose ``Host`` is not a loopback name (``check_open_host``);
- a header that is not a complete SigV4 one (no Credential, SignedHeaders, Signature or
  X-Amz-Date; ``host`` not signed; a scope for another service): ``IncompleteSignatureException``,
  HTTP 403 ("IncompleteSignature … 403");
- an access key ID the engine does not have, or a session token it never issued:
  ``UnrecognizedClientException``, HTTP 403 ("UnrecognizedClientException … The X.509
  certificate or AWS access key ID provided does not exist in our records … 403");
- a signature that does not match, a body whose ``X-Amz-Content-SHA256`` is not its hash, or
  an ``X-Amz-Date`` more than ``MAX_SKEW`` from the engine's clock (SigV4 signatures are valid
  for 5 minutes; "Signature expired" / "Signature not yet current"):
  ``InvalidSignatureException``, HTTP 400, as AWS's JSON services answer it.

Keys come from the settings (``PERSONALIZE_LOCAL_ACCESS_KEY_ID`` +
``PERSONALIZE_LOCAL_SECRET_ACCESS_KEY``) and/or a file (``serve --access-keys FILE``) of
``KEY_ID SECRET`` lines; secrets are never logged, printed or put in an error message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from services.config import ENGINE_KEY_ID_ENV, Settings
from services.local.errors import (
    IncompleteSignature,
    InvalidSignature,
    MissingAuthenticationToken,
    UnrecognizedClient,
)

ALGORITHM = "AWS4-HMAC-SHA256"
SIGNING_NAME = "personalize"  # botocore's signingName for all three Personalize services
MAX_SKEW = dt.timedelta(minutes=5)
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{3,128}")
_FIELD = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


class KeyFileError(ValueError):
    """The access-key configuration cannot be used (message names the file and line)."""


@dataclass(frozen=True)
class AccessKeys:
    """The access keys the engine accepts: key ID → secret (the secrets never print)."""

    secrets: Mapping[str, str] = field(repr=False)

    @property
    def key_ids(self) -> list[str]:
        return sorted(self.secrets)

    def __bool__(self) -> bool:
        return bool(self.secrets)


def load_keys(settings: Settings, path: Path | None = None) -> AccessKeys:
    """The keys of ``settings`` (``engine_access_key_id``) and of the file at ``path``.

    Raises:
        KeyFileError: an unreadable file; a line that is not ``KEY_ID SECRET``; a key ID that
            is not 3-128 letters, digits, ``_.-``; a secret shorter than 16 characters; a key
            ID given twice.
    """
    secrets: dict[str, str] = {}
    if settings.engine_access_key_id and settings.engine_secret_access_key:
        where = f"${ENGINE_KEY_ID_ENV}"
        _add(secrets, settings.engine_access_key_id, settings.engine_secret_access_key, where)
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
            raise KeyFileError(f"cannot read the access-key file {path}: {reason}") from None
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 2:
                raise KeyFileError(f"{path} line {number}: expected 'KEY_ID SECRET'")
            _add(secrets, parts[0], parts[1], f"{path} line {number}")
    return AccessKeys(secrets)


def _add(secrets: dict[str, str], key_id: str, secret: str, where: str) -> None:
    if not _KEY_ID.fullmatch(key_id):
        raise KeyFileError(f"{where}: an access key ID is 3-128 letters, digits, '_', '.', '-'")
    if len(secret) < 16:
        raise KeyFileError(f"{where}: the secret of {key_id} is shorter than 16 characters")
    if key_id in secrets:
        raise KeyFileError(f"{where}: access key {key_id} is given twice")
    secrets[key_id] = secret


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1); false for every
    other address or name, including 0.0.0.0 and :: (every interface)."""
    if host.strip().lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_open_host(headers: Mapping[str, str]) -> None:
    """On an open (loopback, unsigned) engine: the Host a request names must be a loopback
    name too, so a web page whose domain was re-pointed at 127.0.0.1 (DNS rebinding) cannot
    call the engine from a browser. No Host at all (HTTP/1.0) names nothing and passes.

    Raises:
        MissingAuthenticationToken: the Host is any other name; such requests must be signed.
    """
    host = headers.get("host")
    if host is None:
        return
    if host.startswith("["):  # [::1]:4599
        name = host[1:].partition("]")[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if not is_loopback(name):
        raise MissingAuthenticationToken(
            f"Host {host[:100]!r} is not a loopback name; this engine answers unsigned requests "
            "only for 127.0.0.1, localhost and [::1]."
        )


@dataclass(frozen=True)
class SignedRequest:
    """What the verifier needs of an HTTP request (headers with lower-case names)."""

    method: str
    path: str  # as sent, still percent-encoded
    query: str
    headers: Mapping[str, str]
    body: bytes


def check_header(keys: AccessKeys, headers: Mapping[str, str], now: dt.datetime) -> None:
    """The checks that need no body: a complete SigV4 header, a known key, a fresh date.

    Raises:
        MissingAuthenticationToken, IncompleteSignature, UnrecognizedClient, InvalidSignature.
    """
    _parse(keys, headers, now)


def verify(keys: AccessKeys, request: SignedRequest, now: dt.datetime) -> str:
    """Check ``request``'s SigV4 signature; returns the access key ID that signed it.

    Raises:
        MissingAuthenticationToken, IncompleteSignature, UnrecognizedClient, InvalidSignature.
    """
    key_id, region, signed, signature, amz_date = _parse(keys, request.headers, now)
    declared = request.headers.get("x-amz-content-sha256")
    if declared is not None and declared != hashlib.sha256(request.body).hexdigest():
        raise InvalidSignature("The X-Amz-Content-SHA256 header is not the body's SHA-256.")
    missing = [name for name in signed if name not in request.headers]
    if missing:
        raise IncompleteSignature(f"Signed header {missing[0]!r} is not in the request.")
    url = f"http://{request.headers['host']}{request.path}"
    if request.query:
        url += f"?{request.query}"
    aws = AWSRequest(
        method=request.method,
        url=url,
        headers={name: request.headers[name] for name in signed},
        data=request.body,
    )
    aws.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(key_id, keys.secrets[key_id]), SIGNING_NAME, region)
    canonical = signer.canonical_request(aws)
    expected = signer.signature(signer.string_to_sign(aws, canonical), aws)
    if not hmac.compare_digest(expected, signature):
        raise InvalidSignature(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method."
        )
    return key_id


def _parse(
    keys: AccessKeys, headers: Mapping[str, str], now: dt.datetime
) -> tuple[str, str, list[str], str, str]:
    header = headers.get("authorization")
    if not header:
        raise MissingAuthenticationToken("Missing Authentication Token")
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignature(f"Authorization header must use {ALGORITHM} (SigV4).")
    fields = dict(_FIELD.findall(rest))
    for name in ("Credential", "SignedHeaders", "Signature"):
        if not fields.get(name):
            raise IncompleteSignature(f"Authorization header requires a '{name}' parameter.")
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not scope[0]:
        raise IncompleteSignature("Credential must be KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request.")
    key_id, day, region, service, _ = scope
    if not (day.isascii() and day.isdigit() and len(day) == 8 and region):
        raise IncompleteSignature("Credential must name a date (YYYYMMDD) and a region.")
    if service != SIGNING_NAME:
        raise IncompleteSignature(f"Credential should be scoped to '{SIGNING_NAME}'.")
    signed = fields["SignedHeaders"].split(";")
    if "host" not in signed:
        raise IncompleteSignature("The Host header must be signed.")
    amz_date = headers.get("x-amz-date", "")
    try:
        when = dt.datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=dt.UTC)
    except ValueError:
        raise IncompleteSignature("The request needs an X-Amz-Date header.") from None
    if day != amz_date[:8]:
        raise InvalidSignature(f"Date in Credential scope does not match {amz_date[:8]}.")
    if key_id not in keys.secrets or "x-amz-security-token" in headers:
        raise UnrecognizedClient("The security token included in the request is invalid.")
    if when < now - MAX_SKEW:
        raise InvalidSignature(f"Signature expired: {amz_date} is now earlier than 5 min ago.")
    if when > now + MAX_SKEW:
        raise InvalidSignature(f"Signature not yet current: {amz_date} is over 5 min ahead.")
    return key_id, region, signed, fields["Signature"], amz_date
