"""Opening files in result folders that may be hostile (DESIGN §7, §10 "Hostile content").

Every reader and writer opens files through here, so these rules hold everywhere:

- Only regular files are read. A FIFO blocks `open` until a writer comes and a device such as
  /dev/zero never ends, so files are opened without blocking and checked before any read.
- Reads stop at a cap whatever size the file reports (/proc files say 0 and are not empty).
- A file whose real path leaves the folder the user opened (through a symbolic link) is not
  read, unless BENCH_TUI_FOLLOW_OUTSIDE=1 (`boundary`). The check costs one readlink of
  /proc/self/fd/N after the open, not a stat per path component.
- Our own files (the triage store, the demo) are never written through a symbolic link, and
  the folders we create them in must not be links either.

This module imports nothing from bench_tui: every layer may use it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from typing import BinaryIO

FOLLOW_OUTSIDE_ENV = "BENCH_TUI_FOLLOW_OUTSIDE"

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
READ_FLAGS = os.O_RDONLY | _NONBLOCK | _CLOEXEC | _NOCTTY | _BINARY
"""O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer."""
_CHUNK = 1 << 20
_PROC_FD = sys.platform.startswith("linux") and os.path.isdir("/proc/self/fd")
_DIR_FD = os.open in os.supports_dir_fd


class UnsafeFile(OSError):
    """A file refused for what it is or where it leads; `strerror` is the reason, in words."""

    def __init__(self, code: int, reason: str, path: str | os.PathLike[str] | None = None):
        super().__init__(code, reason, None if path is None else os.fspath(path))


class NotRegularFile(UnsafeFile):
    """A FIFO, socket, device or folder where a file was expected."""

    def __init__(self, path: str | os.PathLike[str], mode: int):
        super().__init__(errno.EINVAL, f"not a regular file ({file_kind(mode)})", path)
        self.mode = mode


class LeavesFolder(UnsafeFile):
    """The file's real path is outside the folder the user opened."""

    def __init__(self, path: str | os.PathLike[str], real: str):
        reason = f"its real path leaves the opened folder ({real}): not followed"
        super().__init__(errno.EXDEV, reason, path)
        self.real = real


class SymlinkRefused(UnsafeFile):
    """One of our own files or folders is a symbolic link: never written or read through."""

    def __init__(self, path: str | os.PathLike[str]):
        super().__init__(errno.ELOOP, "a symbolic link, not followed", path)


def file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "a special file"


# ----- where files may lead --------------------------------------------------------------------


def follow_outside() -> bool:
    """BENCH_TUI_FOLLOW_OUTSIDE=1: symbolic links out of the opened folder are followed."""
    return os.environ.get(FOLLOW_OUTSIDE_ENV, "") == "1"


def boundary(folder: str | os.PathLike[str]) -> str | None:
    """The real path files must stay inside, or None when links may lead anywhere."""
    return None if follow_outside() else os.path.realpath(folder)


def is_inside(path: str, folder: str) -> bool:
    """`path` is `folder` or below it; both are real (or both normalised) absolute paths."""
    if path == folder:
        return True
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    return path.startswith(prefix)


def lexically_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """`path` (relative paths are taken from the working folder) names something in `folder`
    once `..` and `.` are folded, before any link is looked at."""
    return is_inside(os.path.abspath(path), os.path.abspath(folder))


def real_path_of(fd: int, path: str | os.PathLike[str]) -> str:
    """Where an open file really is (Linux asks the kernel; elsewhere the path is resolved)."""
    proc = _proc_fd_dir()
    if proc is not None:
        try:
            return os.readlink(str(fd), dir_fd=proc)
        except OSError:
            return os.path.realpath(path)  # /proc went away: resolve the name instead
    return os.path.realpath(path)


_proc_fd: int | None = None
"""This process's descriptor of /proc/self/fd: readlink relative to it costs half of resolving
"/proc/self/fd/N" from the top, and this runs for every file read."""


def _proc_fd_dir() -> int | None:
    global _proc_fd
    if _PROC_FD and _proc_fd is None:
        try:
            _proc_fd = os.open("/proc/self/fd", os.O_RDONLY | _DIRECTORY | _CLOEXEC)
        except OSError:
            return None
    return _proc_fd


def _forget_proc_fd() -> None:
    # A forked child's inherited descriptor still lists its parent's files.
    global _proc_fd
    if _proc_fd is not None:
        os.close(_proc_fd)
        _proc_fd = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_proc_fd)


# ----- reading ---------------------------------------------------------------------------------


def open_regular(
    path: str | os.PathLike[str], within: str | None = None
) -> tuple[int, os.stat_result]:
    """(fd, its stat) of a regular file opened for reading, never blocking.

    `within`: a real folder path (see `boundary`) the file must really be in.
    Raises LeavesFolder, NotRegularFile or the OSError of the open.
    """
    fd = os.open(path, READ_FLAGS)
    try:
        info = os.fstat(fd)
        if within is not None:
            real = real_path_of(fd, path)
            if not is_inside(real, within):
                raise LeavesFolder(path, real)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, info.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def open_folder(path: str | os.PathLike[str]) -> int:
    """A descriptor of a folder, for `open_regular_at` (OSError when it is not one)."""
    return os.open(path, os.O_RDONLY | _DIRECTORY | _CLOEXEC | _NONBLOCK | _NOCTTY)


def open_regular_at(folder_fd: int, name: str) -> tuple[int, os.stat_result]:
    """`open_regular` of `name` (one path component) in an open folder, never through a
    symbolic link: its real path is then the folder's plus `name`, with no readlink per file.

    Raises NotRegularFile or the OSError of the open (ELOOP for a link: the caller decides).
    """
    fd = os.open(name, READ_FLAGS | _NOFOLLOW, dir_fd=folder_fd)
    return fd, _regular_or_closed(fd, name)


def _regular_or_closed(fd: int, shown: str | os.PathLike[str]) -> os.stat_result:
    """The stat of an open file that must be a regular one; else `fd` is closed and
    NotRegularFile (or the fstat's OSError) raised."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(shown, info.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return info


def open_binary(path: str | os.PathLike[str], within: str | None = None) -> BinaryIO:
    """A file object over `open_regular`, for libraries that want one (Pillow)."""
    fd = open_regular(path, within)[0]
    try:
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(fd: int, cap: int, size_hint: int | None = None) -> bytes:
    """At most `cap + 1` bytes from the current offset: one more than `cap` says "too large".

    `size_hint` (st_size) sizes the first read, so a whole small file costs one read; it is
    never trusted as the end: /proc files report 0, a growing file reports too little.
    """
    wanted = cap + 1
    first = wanted if size_hint is None else max(1, min(wanted, size_hint + 1))
    data = os.read(fd, first)
    if len(data) < first:
        return data  # a regular file reads short only at its end
    parts = [data]
    total = len(data)
    while total < wanted:
        chunk = os.read(fd, min(_CHUNK, wanted - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def read_at(fd: int, offset: int, count: int) -> bytes:
    """Up to `count` bytes at `offset` (fewer at the end of the file)."""
    parts: list[bytes] = []
    total = 0
    while total < count:
        chunk = os.pread(fd, min(_CHUNK, count - total), offset + total)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def read_file(path: str | os.PathLike[str], cap: int, within: str | None = None) -> bytes:
    """A regular file's bytes, at most `cap + 1` of them (more than `cap` means too large)."""
    fd, info = open_regular(path, within)
    try:
        return read_capped(fd, cap, info.st_size)
    finally:
        os.close(fd)


def read_sized(
    path: str | os.PathLike[str], cap: int, within: str | None = None
) -> tuple[bytes, os.stat_result]:
    """A regular file's bytes and its stat: nothing read when it says it is over `cap`, else at
    most `cap + 1` bytes (more than `cap` means it grew past the cap while being read)."""
    fd, info = open_regular(path, within)
    try:
        return (b"" if info.st_size > cap else read_capped(fd, cap, info.st_size)), info
    finally:
        os.close(fd)


def read_head(path: str | os.PathLike[str], count: int, within: str | None = None) -> bytes:
    """The first `count` bytes of a regular file (fewer if it is shorter)."""
    fd, info = open_regular(path, within)
    try:
        return read_at(fd, 0, min(count, info.st_size) if info.st_size else count)
    finally:
        os.close(fd)


# ----- our own files ---------------------------------------------------------------------------


def open_own_dir(path: str | os.PathLike[str], *, create: bool = False) -> int:
    """A descriptor of a folder bench-tui keeps its own files in; the folder itself must not be a
    symbolic link (its parents may be: the user may have opened the results through one).

    `create`: make it (one level) when it does not exist.
    """
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o755)
    if not _DIRECTORY or not _NOFOLLOW:
        _check_own_dir(path)
        return -1  # no directory descriptors on this platform: callers fall back to paths
    try:
        return os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR):
            _check_own_dir(path)
        raise


def _check_own_dir(path: str | os.PathLike[str]) -> None:
    """Raise the UnsafeFile that says why `path` is not a plain folder (OSError if missing)."""
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        raise SymlinkRefused(path)
    if not stat.S_ISDIR(mode):
        raise UnsafeFile(errno.ENOTDIR, "not a folder", path)


def check_own_path(path: str | os.PathLike[str]) -> None:
    """Raise SymlinkRefused / NotRegularFile when `path` exists as anything but a plain file."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise SymlinkRefused(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(path, info.st_mode)


def open_own_file(
    folder_fd: int, folder: str | os.PathLike[str], name: str, flags: int, mode: int = 0o644
) -> int:
    """Open `name` in an own folder (from `open_own_dir`) without following a symbolic link,
    and check it is a regular file. Reading never blocks on a FIFO planted under that name."""
    path = os.path.join(folder, name)
    flags |= _NOFOLLOW | _NONBLOCK | _CLOEXEC | _NOCTTY | _BINARY
    try:
        if folder_fd >= 0 and _DIR_FD:
            fd = os.open(name, flags, mode, dir_fd=folder_fd)
        else:
            check_own_path(path)
            fd = os.open(path, flags, mode)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(path):
            raise SymlinkRefused(path) from exc
        raise
    _regular_or_closed(fd, path)
    return fd


def make_private_dir(path: str | os.PathLike[str]) -> None:
    """Make (or accept) a folder only this user can use, e.g. a cache under the shared temp
    folder, where another user could have made the name first or planted a link there."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise SymlinkRefused(path)
    if not stat.S_ISDIR(info.st_mode):
        raise NotRegularFile(path, info.st_mode)
    owner = os.getuid() if hasattr(os, "getuid") else info.st_uid
    if info.st_uid != owner or info.st_mode & 0o022:
        raise UnsafeFile(errno.EPERM, "a folder of another user, or others may write in it", path)


def create_new(path: str | os.PathLike[str], mode: int = 0o644) -> int:
    """A new file for writing (a temp file before a rename): never an existing file or link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
    return os.open(path, flags, mode)
