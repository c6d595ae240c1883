"""Image checks at index time: is a screenshot there, whole, and inside its folder."""

from __future__ import annotations

import os
from pathlib import Path

from bench_tui.safeio import (
    LeavesFolder,
    is_inside,
    open_folder,
    open_regular,
    open_regular_at,
    real_path_of,
)
from bench_tui.safetext import display_path
from bench_tui.sources._io.placeholders import is_placeholder

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
END_MARKER_BYTES = 12
"""How many last bytes tell a whole PNG (IEND chunk) or JPEG (EOI marker) from a cut one."""
SIGNATURE_BYTES = len(PNG_SIGNATURE)
"""How many first bytes tell a PNG or JPEG from anything else."""


def has_end_marker(tail: bytes) -> bool:
    """Whether an image's last END_MARKER_BYTES are a PNG's IEND chunk or a JPEG's EOI."""
    return tail[4:8] == b"IEND" or tail[-2:] == b"\xff\xd9"


def image_problem(
    path: Path | str, within: str | None = None, where: str = "the opened folder"
) -> str | None:
    """Why the image at `path` cannot be shown (missing, empty, truncated, not a regular file,
    leading out of `within`, which `where` names), or None if it looks whole.

    This runs for every screenshot at index time, so the common case costs a few syscalls: a
    whole PNG or JPEG ends with its end marker, and only a file that does not is looked at further.
    """
    try:
        fd, info = open_regular(path, within)
    except FileNotFoundError:
        return "screenshot missing"
    except LeavesFolder as exc:
        return f"screenshot path leaves {where}: {display_path(exc.real)}"
    except OSError as exc:
        return f"screenshot unreadable: {exc.strerror or exc}"
    except ValueError:  # the path came from a file and holds a NUL byte
        return "screenshot path holds a NUL byte"
    return _image_content_problem(fd, info, path)


def _image_content_problem(fd: int, info: os.stat_result, path: Path | str) -> str | None:
    """`image_problem` of an open regular file; closes `fd`."""
    size = info.st_size
    try:
        if size == 0:
            return "screenshot is an empty file"
        if is_placeholder(path, info):
            return None  # remote results (issue 16): the listing's size is all that is known
        # Single preads: a regular file returns short only at its end.
        tail = os.pread(fd, END_MARKER_BYTES, max(0, size - END_MARKER_BYTES))
        if has_end_marker(tail):
            return None
        head = os.pread(fd, SIGNATURE_BYTES, 0)
    except OSError as exc:
        return f"screenshot unreadable: {exc.strerror or exc}"
    finally:
        os.close(fd)
    if head == PNG_SIGNATURE:
        return "screenshot is truncated (PNG has no end marker)"
    if head[:3] == b"\xff\xd8\xff":
        return "screenshot is truncated (JPEG has no end marker)"
    return "screenshot is not a PNG or JPEG image"


class ShotChecker:
    """`image_problem` for screenshot after screenshot, as a run's checks go through them.

    Consecutive screenshots in one folder are opened from that folder's descriptor, never
    through a link: one path component looked up and no readlink per file (a third of each
    check on 9 000 tasks × 9 screenshots). Anything off that path (a link, a missing file, a
    folder that is not one, leaving `within`) is answered by `image_problem` itself, so the
    answers are the same. Use as a context manager: the last folder's descriptor is closed.
    """

    def __init__(self, where: str = "the opened folder") -> None:
        self.where = where
        self._folder: str | None = None
        self._fd = -1
        self._real: str | None = None

    def __enter__(self) -> ShotChecker:
        return self

    def __exit__(self, *_: object) -> None:
        self._close()

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
        self._folder, self._fd, self._real = None, -1, None

    def _enter_folder(self, folder: str) -> None:
        self._close()
        self._folder = folder
        try:
            self._fd = open_folder(folder)
            self._real = real_path_of(self._fd, folder)
        except (OSError, ValueError):  # not a folder, a NUL byte, …: image_problem says why
            self._close()
            self._folder = folder

    def problem(self, path: str, within: str | None) -> str | None:
        folder, _, name = path.rpartition("/")
        if not folder or name in ("", ".", ".."):
            return image_problem(path, within, self.where)
        if folder != self._folder:
            self._enter_folder(folder)
        if self._real is None or (within is not None and not is_inside(self._real, within)):
            return image_problem(path, within, self.where)
        try:
            fd, info = open_regular_at(self._fd, name)
        except (OSError, ValueError):
            return image_problem(path, within, self.where)
        return _image_content_problem(fd, info, path)
