"""A remote URL taken apart: which library reads it, the bucket (or container) and the prefix."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bench_tui.remote import SCHEMES


class RemoteError(Exception):
    """Remote results that cannot be read; the message is one line for the user (no secret)."""


@dataclass(frozen=True)
class Location:
    url: str
    """As the user gave it, trailing slashes removed: what the header and `root` show."""
    scheme: str
    extra: str
    """The bench-tui extra whose library reads it: s3, azure or gcs."""
    bucket: str
    prefix: str
    """The key prefix inside the bucket, without slashes at either end ('' for the whole bucket)."""

    @property
    def path(self) -> str:
        """The fsspec path of the prefix: bucket/prefix."""
        return f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket

    @property
    def cache_key(self) -> str:
        return hashlib.sha256(f"{self.scheme}://{self.path}".encode()).hexdigest()[:24]

    def key_of(self, relative: str) -> str:
        """The fsspec path of a file given relative to the prefix."""
        return f"{self.path}/{relative}" if relative else self.path


def parse_url(text: str) -> Location:
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        raise RemoteError(f"not a remote URL: {text}")
    rest = rest.strip("/")
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise RemoteError(f"{text}: the URL names no bucket or container")
    prefix = "/".join(part for part in prefix.split("/") if part)
    return Location(
        url=f"{scheme}://{rest}",
        scheme=scheme,
        extra=SCHEMES[scheme],
        bucket=bucket,
        prefix=prefix,
    )
