"""One line for a remote failure: which URL, what the library said, what to set (issue 16).

Library messages can quote request URLs with signatures or a connection string: every known
secret is cut out before the line is shown, and the line never carries a traceback.
"""

from __future__ import annotations

import os
import re

from bench_tui.remote.location import Location
from bench_tui.safetext import visible

SECRET_ENV = (
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_STORAGE_CLIENT_SECRET",
    "AZURE_CLIENT_SECRET",
    "GOOGLE_APPLICATION_CREDENTIALS",
)
SECRET_PATTERNS = re.compile(
    r"(AccountKey|SharedAccessSignature|sig|Signature|X-Amz-Signature|X-Amz-Credential|"
    r"X-Amz-Security-Token|access_token|refresh_token|client_secret|private_key)"
    r"(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s&;,\"']+)",
    re.IGNORECASE,
)
MAX_SAID = 240

WHAT_TO_SET = {
    "s3": "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), "
    "and AWS_ENDPOINT_URL for an S3-compatible store",
    "azure": "set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT_NAME with "
    "AZURE_STORAGE_ACCOUNT_KEY or AZURE_STORAGE_SAS_TOKEN",
    "gcs": "set GOOGLE_APPLICATION_CREDENTIALS (or run `gcloud auth application-default login`)",
}
ENDPOINT_HINT = {
    "s3": "check the network and AWS_ENDPOINT_URL",
    "azure": "check the network and the account's endpoint",
    "gcs": "check the network (and STORAGE_EMULATOR_HOST if set)",
}


def scrub(text: str) -> str:
    """`text` without any secret the environment holds or a URL or connection string carries."""
    for name in SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return SECRET_PATTERNS.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def _said(exc: BaseException) -> str:
    """What the library said, first line, no secret, bounded."""
    text = str(exc).strip() or type(exc).__name__
    text = scrub(text.splitlines()[0] if text else text)
    if len(text) > MAX_SAID:
        text = text[: MAX_SAID - 1] + "…"
    return text


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def kind_of(exc: BaseException) -> str:
    """credentials, missing, denied, network or other: what the user has to do differs."""
    for link in _chain(exc):
        name = type(link).__name__
        text = str(link).lower()
        if name in ("NoCredentialsError", "PartialCredentialsError", "ClientAuthenticationError"):
            return "credentials"
        if "credential" in text and ("unable to locate" in text or "could not" in text):
            return "credentials"
        if "must provide either a connection_string" in text or "anonymous credentials" in text:
            return "credentials"
        if isinstance(link, PermissionError) or name in ("AccessDenied", "Forbidden"):
            return "denied"
        if "accessdenied" in text or "access denied" in text or "403" in text:
            return "denied"
        if isinstance(link, FileNotFoundError) or name in ("ResourceNotFoundError", "NoSuchBucket"):
            return "missing"
        if "nosuchbucket" in text or "does not exist" in text or "not found" in text:
            return "missing"
        if isinstance(link, (ConnectionError, TimeoutError)) or name in (
            "EndpointConnectionError",
            "ConnectTimeoutError",
            "ClientConnectorError",
            "ServerDisconnectedError",
            "ServiceRequestError",
            "ClientConnectionError",
        ):
            return "network"
        if "connect" in text and ("refused" in text or "timeout" in text or "cannot" in text):
            return "network"
    return "other"


def describe(location: Location, exc: BaseException) -> str:
    """`cannot read URL: <what>: <library said> (<what to set>)`, one line."""
    kind = kind_of(exc)
    said = _said(exc)
    if kind == "credentials":
        head, hint = "no credentials", WHAT_TO_SET[location.extra]
    elif kind == "denied":
        head, hint = "access denied", "check that these credentials may list and read it"
    elif kind == "missing":
        head, hint = "no such bucket, container or prefix", "check the URL"
    elif kind == "network":
        head, hint = "cannot connect", ENDPOINT_HINT[location.extra]
    else:
        head, hint = type(exc).__name__, WHAT_TO_SET[location.extra]
    return visible(f"cannot read {location.url}: {head}: {said} ({hint})", one_line=True)
