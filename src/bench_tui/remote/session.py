"""Open a URL for the command line or the app: the mirror, its folder, and the image fetcher."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from bench_tui.model import Problem
from bench_tui.remote.filesystem import open_filesystem
from bench_tui.remote.location import Location, RemoteError, parse_url
from bench_tui.remote.mirror import DEFAULT_CACHE_BYTES, Mirror
from bench_tui.sources._io.placeholders import mirrors_folder, set_fetcher

SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_size(text: str) -> int:
    """`2G`, `500M`, `1.5G`, `1000000` (bytes); ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, re.IGNORECASE)
    if match is None:
        raise ValueError(f"not a size: {text!r} (e.g. 2G, 500M)")
    return int(float(match.group(1)) * SIZE_UNITS[match.group(2).upper()])


@dataclass
class RemoteSession:
    location: Location
    mirror: Mirror

    @property
    def root(self) -> Path:
        """The folder the readers read: paths relative to it are paths relative to the URL."""
        return self.mirror.tree

    @property
    def url(self) -> str:
        return self.location.url

    def sync(self) -> list[Problem]:
        """List the whole prefix; raises RemoteError (one line) when it cannot be read."""
        return self.mirror.sync()

    def sync_folder(self, folder: str | os.PathLike[str]) -> list[Problem]:
        """List only this mirrored folder again (a live run); its keys' Problems."""
        tree = os.path.realpath(self.mirror.tree)
        real = os.path.realpath(folder)
        inside = real.startswith(tree + os.sep)
        return self.mirror.sync(real[len(tree) + 1 :].replace(os.sep, "/") if inside else "")


def open_remote(url: str, cache_bytes: int = DEFAULT_CACHE_BYTES) -> RemoteSession:
    """The filesystem and mirror for `url`, nothing listed yet. Raises RemoteError (one line):
    the missing extra, or a filesystem that cannot be set up."""
    location = parse_url(url)
    fs, location = open_filesystem(location)
    folder = Path(mirrors_folder()) / location.cache_key
    try:
        mirror = Mirror(location, fs, folder, cache_bytes)
    except OSError as exc:
        raise RemoteError(f"cannot use the cache folder {folder}: {exc.strerror or exc}") from exc
    set_fetcher(mirror.fetch, mirror.header)
    return RemoteSession(location, mirror)
