"""Paths written inside result files (screenshots, logs), kept to the run folder they belong to.

A recorded path is data like every other string in a result file: `../../../../etc/passwd` or
`/proc/self/environ` must never be opened. A relative path is taken from its base folder and must
stay in the run folder once `..` is folded. An absolute path is never read as written: runs are
often recorded on another machine, so it is only used re-based by its file name onto a folder of
this run. Files are opened with the run folder's real path as `within`, so a symbolic link
cannot lead out either (see safeio).
"""

from __future__ import annotations

import os
import re

from bench_tui.safeio import is_inside, lexically_inside

LEAVES_RUN = "screenshot path leaves the run folder"
_SEPARATORS = re.compile(r"[\\/]")


def file_name(recorded: str) -> str:
    """The last component, whichever separator the recording machine used."""
    return _SEPARATORS.split(recorded)[-1]


def is_absolute(recorded: str) -> bool:
    """POSIX or Windows absolute (`C:\\…`, `\\\\server\\…`): never a path into this run.
    By hand, not ntpath: this runs for every screenshot of every task."""
    return recorded.startswith(("/", "\\")) or recorded[1:2] == ":"


def inside(
    base: str | os.PathLike[str], recorded: str, folder: str | os.PathLike[str]
) -> str | None:
    """`base/recorded` with `..` folded, when `recorded` is relative and that stays in `folder`."""
    if not recorded or is_absolute(recorded):
        return None
    candidate = os.path.normpath(os.path.join(base, recorded))
    return candidate if lexically_inside(candidate, folder) else None


def really_inside(path: str | os.PathLike[str], within: str | None) -> bool:
    """`path` resolves (links followed) into the real folder `within` (None: anywhere)."""
    if within is None:
        return True
    try:
        return is_inside(os.path.realpath(path), within)
    except ValueError:  # a NUL byte in a recorded name: nothing to open
        return False


def in_folder(
    folder: str | os.PathLike[str], recorded: str, within: str | None, places: tuple[str, ...]
) -> str | None:
    """A recorded screenshot of a folder that is its own run (an episode file's folder, a
    training job): as written when that stays inside, else re-based by file name onto `places`
    (sub-folders, "" for the folder itself) when such a file exists there. None: it leaves."""
    candidate = inside(folder, recorded, folder)
    if candidate is None and is_absolute(recorded) and lexically_inside(recorded, folder):
        candidate = os.path.normpath(recorded)  # recorded on this machine, inside the folder
    if candidate is None:
        name = file_name(recorded)
        found = (os.path.join(folder, place, name) for place in places if name)
        candidate = next((path for path in found if os.path.isfile(path)), None)
    if candidate is None or not really_inside(candidate, within):
        return None
    return os.path.abspath(candidate)
