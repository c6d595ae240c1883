"""File signatures: what must be unchanged for a file read before to be read the same way again.

One file: `signature`, its lstat (inode, size, mtime_ns, ctime_ns, mode) and, for a link, its
target's stat, packed in SIZE bytes, so a folder's files compare as one string. Many files at
once: `unchanged`, for a replayed claim, which holds 30 000 files in a run of 3 000 tasks and
100 000 at 10 000, every one lstat'ed on every reopen. Those whose kept signature was a plain
lstat (present, no link) are stat'ed relative to their folder in one C-level pass, and past
SPLIT_AT of them a forked child takes a share on the second core: the kernel's path lookups are
the cost there, and threads serialise on the GIL around them (measured: no gain).
"""

from __future__ import annotations

import functools
import gc
import operator
import os
import signal
import stat
import struct
import threading
from collections.abc import Callable, Sequence

_SIG = struct.Struct("<9q")
SIZE = _SIG.size
MISSING = _SIG.pack(*([0] * 9))
UNREADABLE = _SIG.pack(*([-1] * 9))
_PLAIN = struct.Struct("<5q32x")
"""A file that is no link: the same bytes as `_SIG` with the target's four fields zero."""
_LSTAT_FIELDS = operator.attrgetter("st_ino", "st_size", "st_mtime_ns", "st_ctime_ns", "st_mode")
_MODE_AT = 4 * 8

SPLIT_AT = 8000
"""Plain files in one claim from which a child process stats a share (a fork costs about a
millisecond; 8 000 lstats about 25)."""
CHILD_SHARE = 0.6
"""The child's part: the parent also decodes the claim meanwhile (`unchanged`'s `meanwhile`)."""


def signature(path: str) -> bytes:
    """What must be unchanged for a file read before to be read the same way again: its lstat
    (inode, size, mtime_ns, ctime_ns, mode) and, for a link, its target's stat; packed, so a
    folder's files compare as one string."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return MISSING
    except (OSError, ValueError):
        return UNREADABLE  # never equal to what was stored: read it again (and say why)
    if not stat.S_ISLNK(info.st_mode):
        return _PLAIN.pack(*_LSTAT_FIELDS(info))
    try:
        target = os.stat(path)
    except OSError:
        return UNREADABLE
    return _SIG.pack(
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
        info.st_mode,
        target.st_ino,
        target.st_size,
        target.st_mtime_ns,
        target.st_ctime_ns,
    )


def is_plain(sig: bytes) -> bool:
    """A present file that is no link: its signature is its lstat alone (see `unchanged`)."""
    if sig in (MISSING, UNREADABLE):
        return False
    (mode,) = struct.unpack_from("<q", sig, _MODE_AT)
    return not stat.S_ISLNK(mode)


def newest_ns(sig: bytes) -> int:
    """The latest of the file's (and its target's) modification and change times."""
    if sig in (MISSING, UNREADABLE):
        return 0
    fields: tuple[int, ...] = _SIG.unpack(sig)
    return max(fields[2], fields[3], fields[7], fields[8])


def absolute(path: str, folder: str) -> str:
    return path if path.startswith("/") else f"{folder}/{path}"


def unchanged(
    folder: str,
    names: Sequence[str],
    kept: bytes,
    plain: int,
    meanwhile: Callable[[], object] = lambda: None,
) -> bool:
    """Whether every file still has the signature kept for it. `names` are relative to `folder`
    (or absolute), the first `plain` of them kept as plain lstats (`is_plain`), `kept` their
    signatures in order. `meanwhile` runs while a child process stats its share, if one does
    (it must not raise)."""
    if len(kept) != len(names) * SIZE or not 0 <= plain <= len(names):
        raise ValueError("signatures and names do not match")
    cut = plain * SIZE
    others = [signature(absolute(name, folder)) for name in names[plain:]]
    if b"".join(others) != kept[cut:]:
        return False
    try:
        fd = os.open(folder, _DIR_FLAGS)
    except OSError:
        return False  # it cannot be read as it was: read it again (the walk says why)
    try:
        return _plain_unchanged(fd, names[:plain], kept[:cut], meanwhile)
    finally:
        os.close(fd)


_DIR_FLAGS = getattr(os, "O_PATH", os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0)


def _plain_unchanged(
    fd: int, names: Sequence[str], kept: bytes, meanwhile: Callable[[], object]
) -> bool:
    child = None
    if len(names) >= SPLIT_AT and _may_fork():
        cut = len(names) - int(len(names) * CHILD_SHARE)
        child = _Child.start(fd, names[cut:], kept[cut * SIZE :])
    if child is None:
        return _plain_sigs(fd, names) == kept
    verdict: bool | None = None
    try:
        mine = _plain_sigs(fd, names[:cut]) == kept[: cut * SIZE]
        meanwhile()
        verdict = child.verdict()
    finally:
        child.end(finished=verdict is not None)
    if verdict is None:  # the child failed: its share is done here (and fails here if it must)
        verdict = _plain_sigs(fd, names[cut:]) == kept[cut * SIZE :]
    return mine and verdict


def _plain_sigs(fd: int, names: Sequence[str]) -> bytes | None:
    """The signatures of files that are no links, or None when one is gone or unreadable (it
    was there before: changed). A file that became a link packs with a link's mode: changed."""
    lstat = functools.partial(os.lstat, dir_fd=fd) if _RELATIVE_STATS else os.lstat
    pack = _PLAIN.pack
    try:
        return b"".join([pack(*fields) for fields in map(_LSTAT_FIELDS, map(lstat, names))])
    except (OSError, ValueError):
        return None


_RELATIVE_STATS = os.stat in os.supports_dir_fd


def _may_fork() -> bool:
    """A fork copies only the calling thread: with others running (the app's workers), a lock
    one of them held stays held in the child. One CPU: nothing to gain."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus >= 2


_EQUAL, _DIFFERENT = b"=", b"!"


class _Child:
    """A forked process that compares a share of the signatures and writes one byte."""

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid = pid
        self.read_end = read_end

    @classmethod
    def start(cls, fd: int, names: Sequence[str], kept: bytes) -> _Child | None:
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # the child: never returns into the caller's code
            status = 1
            try:
                # A collection could run finalizers of the parent's objects here (an SQLite
                # connection's close would checkpoint the parent's index).
                gc.disable()
                os.close(read_end)
                same = _plain_sigs(fd, names) == kept
                os.write(write_end, _EQUAL if same else _DIFFERENT)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        return cls(pid, read_end)

    def verdict(self) -> bool | None:
        """The child's answer; None when it gave none (it failed or was killed)."""
        try:
            answer = os.read(self.read_end, 1)
        except OSError:
            return None
        return {_EQUAL: True, _DIFFERENT: False}.get(answer)

    def end(self, *, finished: bool) -> None:
        """Reap the child; one not finished (the parent failed meanwhile) is killed first."""
        os.close(self.read_end)
        if not finished:
            # Not reaped yet, so the pid is still this child's even if it has exited.
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
