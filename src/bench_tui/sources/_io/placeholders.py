"""Screenshots of remote results that are listed but not fetched yet (issue 16, DESIGN §10).

Remote results are read from a local mirror (`bench_tui.remote`): small files are fetched, while
an image is a *placeholder* there, a sparse file of the size the listing gave, so readers see it
exist with its size and nothing is downloaded to list a workspace. This module is how the
readers' image code tells a placeholder apart and has its bytes fetched when a step is shown;
it imports nothing from `bench_tui.remote` (which registers the fetcher), and outside the mirror
folder every answer is "not a placeholder", so local results are read exactly as before.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from bench_tui.userdirs import cache_dir

_fetcher: Callable[[str], None] | None = None
"""Set by bench_tui.remote while a mirror is open in this process."""
_header_reader: Callable[[str], bytes | None] | None = None
"""Set with `_fetcher`: the first bytes of a placeholder image, from a small ranged request."""
HEADER_BYTES = 32
"""Enough of a PNG for its size (signature, IHDR length, type, width, height)."""


def mirrors_folder() -> str:
    """Where remote mirrors live: a file anywhere else is never a placeholder."""
    return os.path.join(cache_dir(), "remote") + os.sep


def in_mirror(path: str | os.PathLike[str]) -> bool:
    return os.path.abspath(path).startswith(mirrors_folder())


def is_placeholder(path: str | os.PathLike[str], info: os.stat_result) -> bool:
    """A listed image whose bytes were not fetched: non-empty, no block written, in a mirror.

    Its content is unknown, so checks answer from the listing's size alone (a summary never
    downloads a screenshot); a local file is never one, whatever its blocks.
    """
    return info.st_size > 0 and getattr(info, "st_blocks", 1) == 0 and in_mirror(path)


def set_fetcher(
    fetcher: Callable[[str], None] | None,
    header_reader: Callable[[str], bytes | None] | None = None,
) -> None:
    global _fetcher, _header_reader
    _fetcher, _header_reader = fetcher, header_reader


def placeholder_header(path: str | os.PathLike[str]) -> bytes | None:
    """The first HEADER_BYTES of a mirrored image whose bytes were not fetched (its size is in
    them, and a step's coordinates need it), without fetching the rest; None for any other
    file, fetched or local. Raises OSError with the reason when it cannot be fetched.

    (A placeholder that `--check-images` wrote an end into has blocks, but not its header: the
    mirror, not the file, knows which images are whole.)"""
    reader = _header_reader
    if reader is None or not in_mirror(path):
        return None
    return reader(os.fspath(path))


def fetch_if_placeholder(path: str | os.PathLike[str]) -> None:
    """Fetch the real bytes of a mirrored image before it is decoded (the step is shown).

    Raises OSError with the reason when it cannot be fetched; does nothing for a local file.
    """
    fetcher = _fetcher
    if fetcher is not None and in_mirror(path):
        fetcher(os.fspath(path))
