"""The fsspec filesystem for a URL: s3fs, adlfs or gcsfs, imported only here and only then.

Credentials and endpoints are the libraries' own (environment variables, config files,
instance roles); bench-tui never reads, prints or stores them.
"""

from __future__ import annotations

import importlib
from typing import Any

from bench_tui.remote.location import Location, RemoteError

MODULES = {"s3": "s3fs", "azure": "adlfs", "gcs": "gcsfs"}

# One slow or dead endpoint must not hold a command for minutes: few retries, short connects.
S3_CONFIG = {"connect_timeout": 10, "read_timeout": 60, "retries": {"max_attempts": 2}}
AZURE_RETRY = {
    "total_retries": 2,
    "connect_retries": 2,
    "read_retries": 2,
    "status_retries": 2,
    "initial_backoff": 1,
    "increment_base": 2,
}
"""Azure Storage's default waits 15 s, then 18 s, then 24 s…: a dead endpoint took minutes."""


def _fewer_azure_retries(fs: Any) -> None:
    # adlfs takes no retry options; its client's policy object is shared by every request.
    config = getattr(getattr(fs, "service_client", None), "_config", None)
    policy = getattr(config, "retry_policy", None)
    for name, value in AZURE_RETRY.items():
        if policy is not None and hasattr(policy, name):
            setattr(policy, name, value)


class MissingExtra(RemoteError):
    """The library of the URL's extra is not installed."""


def missing_extra(location: Location) -> str:
    """The one line DESIGN §10 gives when the library is not installed."""
    return f"install bench-tui[{location.extra}] to read {location.scheme}:// results"


def open_filesystem(location: Location) -> tuple[Any, Location]:
    """The filesystem, and the location as that filesystem names it (an Azure URL may carry
    the account: `abfs://container@account.dfs.core.windows.net/prefix`)."""
    try:
        module = importlib.import_module(MODULES[location.extra])
    except ImportError as exc:
        raise MissingExtra(missing_extra(location)) from exc
    options: dict[str, Any] = {}
    if location.extra == "s3":
        options = {"config_kwargs": S3_CONFIG}
        filesystem_class = module.S3FileSystem
    elif location.extra == "azure":
        filesystem_class = module.AzureBlobFileSystem
        container, at, host = location.bucket.partition("@")
        if at:
            options["account_name"] = host.split(".", 1)[0]
            location = Location(
                location.url, location.scheme, location.extra, container, location.prefix
            )
    else:
        filesystem_class = module.GCSFileSystem
    try:
        # A fresh instance: fsspec's instance cache would keep credentials read earlier.
        fs = filesystem_class(skip_instance_cache=True, **options)
        if location.extra == "azure":
            _fewer_azure_retries(fs)
        return fs, location
    except Exception as exc:  # noqa: BLE001  each library raises its own types: all become one line
        from bench_tui.remote.errors import describe

        raise RemoteError(describe(location, exc)) from exc
