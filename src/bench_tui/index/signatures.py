"""File signatures: what must be unchanged for a file read before to be read the same way again.

One file: `signature`, its lstat (inode, size, mtime_ns, ctime_ns, mode) and, for a link, its
target's stat, packed in SIZE bytes, so a folder's files compare as one string. Many files at
once: `unchanged`, for a replayed claim, which holds 30 000 files in a run of 3 000 tasks and
100 000 at 10 000, every one lstat'ed on every reopen. Those whose kept signature was a plain
lstat (present, no link) are stat'ed relative to their folder in one C-level pass, and past
SPLIT_AT of them a forked child shares the check on the second core: the kernel's path lookups
are the cost there, and threads serialise on the GIL around them (measured: no gain).
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
"""Plain files in one claim from which a child process shares the check (a fork costs about a
millisecond; 8 000 lstats about 25)."""


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


RACY_NS = 50_000_000
"""A file changed this close to (or after) the start of its read may have been read half-old
(file times come from a coarse clock that lags the one read here)."""


def settled(sigs: Sequence[bytes], started_ns: int) -> bool:
    """Whether what was read from these files may be kept: none changed within RACY_NS of
    `started_ns` (or after it), and every one could be stat'ed (what made one unreadable, a
    folder's permissions, may change with nothing a later check would see)."""
    since = started_ns - RACY_NS
    return UNREADABLE not in sigs and all(newest_ns(sig) < since for sig in sigs)


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
    signatures in order. `meanwhile` runs while a child process checks, if one does."""
    if len(kept) != len(names) * SIZE or not 0 <= plain <= len(names):
        raise ValueError("signatures and names do not match")
    cut = plain * SIZE
    others = [signature(absolute(name, folder)) for name in names[plain:]]
    if b"".join(others) != kept[cut:]:
        return False
    if not _RELATIVE_STATS:  # no dir_fd on this system: whole paths
        whole = [absolute(name, folder) for name in names[:plain]]
        return _plain_unchanged(None, whole, kept[:cut], meanwhile)
    try:
        fd = os.open(folder, _DIR_FLAGS)
    except OSError:
        return False  # it cannot be read as it was: read it again (the walk says why)
    try:
        return _plain_unchanged(fd, names[:plain], kept[:cut], meanwhile)
    finally:
        os.close(fd)


_DIR_FLAGS = getattr(os, "O_PATH", os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0)
_RELATIVE_STATS = os.stat in os.supports_dir_fd


def _plain_unchanged(
    fd: int | None, names: Sequence[str], kept: bytes, meanwhile: Callable[[], object]
) -> bool:
    pieces = range(0, len(names), PIECE)
    child = _Child.start(fd, names, kept) if len(names) >= SPLIT_AT and may_fork() else None
    if child is None:
        return _plain_sigs(fd, names) == kept
    # The child checks pieces from the first on, this process from the last back (after
    # decoding), until they meet: however busy the other core is, nothing is checked twice but
    # the piece each is on, and a child that failed leaves the rest to this process.
    try:
        meanwhile()
        for number in reversed(range(len(pieces))):
            done = child.progress()
            if done is None:
                return False  # the child found a change
            if done > number:
                return True  # it has checked this piece and all before it
            start = pieces[number]
            if (
                _plain_sigs(fd, names[start : start + PIECE])
                != kept[start * SIZE : (start + PIECE) * SIZE]
            ):
                return False
        return True
    finally:
        child.end()


PIECE = 2000
"""Files per piece of a shared check (a few milliseconds of lstats)."""


def _plain_sigs(fd: int | None, names: Sequence[str]) -> bytes | None:
    """The signatures of files that are no links, or None when one is gone or unreadable (it
    was there before: changed). A file that became a link packs with a link's mode: changed."""
    lstat = os.lstat if fd is None else functools.partial(os.lstat, dir_fd=fd)
    pack = _PLAIN.pack
    try:
        return b"".join([pack(*fields) for fields in map(_LSTAT_FIELDS, map(lstat, names))])
    except (OSError, ValueError):
        return None


def may_fork() -> bool:
    """A fork copies only the calling thread: with others running (the app's workers), a lock
    one of them held stays held in the child. One CPU: nothing to gain."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus >= 2


_SAME, _CHANGED = b"=", b"!"


class _Child:
    """A forked process that checks pieces of the signatures in order, one byte for each."""

    def __init__(self, pid: int, read_end: int) -> None:
        self.pid = pid
        self.read_end = read_end
        self.checked = 0
        """Pieces the child found unchanged so far, from the first."""
        self.changed = False
        self.ended = False
        """It will say no more: it finished, found a change, or failed."""

    @classmethod
    def start(cls, fd: int | None, names: Sequence[str], kept: bytes) -> _Child | None:
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
                for start in range(0, len(names), PIECE):
                    piece = kept[start * SIZE : (start + PIECE) * SIZE]
                    same = _plain_sigs(fd, names[start : start + PIECE]) == piece
                    os.write(write_end, _SAME if same else _CHANGED)
                    if not same:
                        break
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        os.set_blocking(read_end, False)
        return cls(pid, read_end)

    def progress(self) -> int | None:
        """How many pieces the child has found unchanged, from the first; None once it found
        a change. A child that failed stops counting (the caller checks the rest)."""
        while not self.ended:
            try:
                said = os.read(self.read_end, 4096)
            except BlockingIOError:
                break
            if not said:
                self.ended = True
            self.checked += said.count(_SAME)
            if _CHANGED in said:
                self.changed = self.ended = True
        return None if self.changed else self.checked

    def end(self) -> None:
        """Reap the child, killed first unless it has ended (this process may have finished
        the check first, or failed)."""
        os.close(self.read_end)
        if not self.ended:
            # Not reaped yet, so the pid is still this child's even if it has exited.
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
