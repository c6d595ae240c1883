"""DIR on the command line may be a URL: kept whole (a Path would fold `s3://` into `s3:/`).

Imports nothing heavy: every command parses DIR through here, local or not.
"""

from __future__ import annotations

from pathlib import Path

from bench_tui.remote import is_remote_url


class RemoteArg(str):
    """A DIR that is a remote URL; commands open it with `bench_tui.remote.cli_open`."""


def dir_or_url(text: str) -> Path:
    """Typer's parser for DIR: a Path, or a RemoteArg for a URL (typed as Path for the
    commands' signatures; `_existing_dir` turns it into the mirror folder)."""
    if is_remote_url(text):
        return RemoteArg(text)  # type: ignore[return-value]
    return Path(text)
