"""What the command line does with a URL given as DIR: one line and exit 2 when it cannot."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import typer

from bench_tui.model import Problem
from bench_tui.remote.filesystem import MissingExtra
from bench_tui.remote.location import RemoteError
from bench_tui.remote.mirror import DEFAULT_CACHE_BYTES
from bench_tui.remote.session import RemoteSession, open_remote


@dataclass
class Opened:
    url: str
    problems: list[Problem] = field(default_factory=list)
    """Keys the mirror could not hold: Problems of the workspace like any unreadable file."""


OPENED: dict[str, Opened] = {}
"""Mirror folder -> what was opened there, for `root` and the Problems of this command."""


def fail(exc: RemoteError) -> typer.Exit:
    # The missing extra is DESIGN §10's exact line; anything else is a bench-tui error line.
    typer.echo(str(exc) if isinstance(exc, MissingExtra) else f"bench-tui: {exc}", err=True)
    return typer.Exit(2)


def session_for(url: str, cache_bytes: int = DEFAULT_CACHE_BYTES) -> RemoteSession:
    """The session, nothing listed yet (the app lists in the background)."""
    try:
        return open_remote(url, cache_bytes)
    except RemoteError as exc:
        raise fail(exc) from None


def mirrored(url: str, check_images: bool = False) -> Path:
    """List the URL and fetch what the readers read; the mirror folder to read as DIR.
    `check_images`: also fetch each image's end (`Mirror.probe_images`), so a truncated
    screenshot is found as in a local copy; else the listing's sizes are all that is checked."""
    session = session_for(url)
    try:
        problems = session.sync()
        if check_images:
            problems += session.mirror.probe_images()
    except RemoteError as exc:
        raise fail(exc) from None
    OPENED[str(session.root)] = Opened(session.url, problems)
    return session.root


def shown_root(root: str) -> str:
    """The URL for a mirror folder (the header and `root` show it), else `root` unchanged."""
    opened = OPENED.get(root)
    return opened.url if opened else root


def remote_problems(root: str) -> list[Problem]:
    opened = OPENED.get(root)
    return list(opened.problems) if opened else []
