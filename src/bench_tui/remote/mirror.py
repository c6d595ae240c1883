"""A lazy local mirror of a remote prefix: list once, fetch the small files, leave images for later.

Measured (bench/remote.py): the readers make tens of thousands of opens, stats and partial reads
per workspace; over a network each would be a request. Mirroring the files they read and
letting them read the mirror keeps one I/O path and costs one paginated listing plus one GET
per small file, concurrently, and on a second open nothing but the listing when the ETags (or
size and modification time) are unchanged.

Images (and files over the parse cap, which readers only stat) are placeholders: sparse files of
the listed size, which checks answer from without reading (see sources/_io/placeholders.py);
their bytes are fetched when a step shows them, and fetched ones are kept within a byte budget,
least recently shown evicted first.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import posixpath
import stat
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_tui.model import Problem
from bench_tui.remote.errors import describe, kind_of
from bench_tui.remote.keys import unsafe_reason
from bench_tui.remote.location import Location, RemoteError
from bench_tui.safeio import make_private_dir
from bench_tui.sources._io.images import END_MARKER_BYTES, SIGNATURE_BYTES, has_end_marker
from bench_tui.sources._io.placeholders import HEADER_BYTES, is_placeholder
from bench_tui.sources.common import MAX_PARSE_BYTES

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
LAZY_SUFFIXES = IMAGE_SUFFIXES | {".mp4", ".webm", ".mkv", ".avi", ".mov"}
"""Screenshots and recordings: fetched when shown, never to list a workspace."""
DEFAULT_CACHE_BYTES = 2 * 1024**3
FETCH_BATCH_BYTES = 64 * 1024 * 1024
FETCH_BATCH_FILES = 256
MANIFEST_VERSION = 1
SAVE_EVERY_S = 5.0
"""A fetched image or header changes the manifest; it is written at most this often (a big
prefix's manifest is megabytes), and once more when the process ends."""
FATAL_KINDS = ("credentials", "denied", "network")
FOLDER = "/"
"""The token of a folder marker's entry (an object whose key ends in `/`)."""


@dataclass
class Entry:
    token: str
    """ETag (or generation), else size:mtime: unchanged means the local copy is current."""
    size: int
    mtime: float | None
    lazy: bool
    """A placeholder until shown (image, recording, or over the parse cap)."""
    fetched: bool = False
    """Lazy only: the real bytes are here."""
    used: float = 0.0
    """Lazy only: when last shown (least recently shown is evicted first)."""
    head: str | None = None
    """Lazy only: the image's first HEADER_BYTES (hex), asked for alone for its size."""


@dataclass
class Stats:
    """What the mirror asked of the store, for tests and bench/remote.py."""

    listings: int = 0
    fetched_files: int = 0
    fetched_bytes: int = 0
    images_fetched: int = 0
    images_probed: int = 0
    headers_fetched: int = 0
    """Images whose first bytes alone were fetched, for their size (a step being read)."""
    """Images whose end (and, when that is no end marker, start) was fetched to check them."""


@dataclass
class _Plan:
    fetch: list[tuple[str, Entry]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _token(info: dict[str, Any], size: int, mtime: float | None) -> str:
    for key in ("ETag", "etag", "generation", "md5Hash", "content_md5"):
        value = info.get(key)
        if value:
            return str(value)
    return f"{size}:{mtime}"


def _mtime(info: dict[str, Any]) -> float | None:
    for key in ("LastModified", "last_modified", "updated", "mtime", "timeCreated"):
        value = info.get(key)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return None


def _is_image(relative: str) -> bool:
    return posixpath.splitext(relative)[1].lower() in IMAGE_SUFFIXES


def _unfetched_image(relative: str, entry: Entry) -> bool:
    """A listed, non-empty image whose bytes are not here (its header or end may be asked)."""
    return entry.lazy and not entry.fetched and entry.size > 0 and _is_image(relative)


def _is_lazy(relative: str, size: int) -> bool:
    return posixpath.splitext(relative)[1].lower() in LAZY_SUFFIXES or size > MAX_PARSE_BYTES


class Mirror:
    def __init__(
        self, location: Location, fs: Any, folder: Path, cache_bytes: int = DEFAULT_CACHE_BYTES
    ):
        self.location = location
        self.fs = fs
        self.folder = folder
        self.tree = folder / "tree"
        self.scratch = folder / "tmp"
        self.manifest_path = folder / "manifest.json"
        self.cache_bytes = cache_bytes
        self.stats = Stats()
        self._lock = threading.RLock()
        self._fetching: dict[str, threading.Lock] = {}
        for path in (folder.parent.parent, folder.parent, folder, self.tree, self.scratch):
            path.parent.mkdir(parents=True, exist_ok=True)
            make_private_dir(path)
        self._entries: dict[str, Entry] | None = None
        self._images_by_folder: dict[str, list[str]] | None = None
        self._heading: dict[str, threading.Lock] = {}
        self._saved_at = 0.0
        self._dirty = False
        earlier = _OPEN.get(folder)
        if earlier is not None:  # what it learnt is this one's to read
            earlier._save_if_dirty()
        _OPEN[folder] = self
        atexit.register(self._save_if_dirty)

    @property
    def entries(self) -> dict[str, Entry]:
        """The manifest, read when first needed: for a big prefix that takes most of a second,
        which the app spends in its listing worker, not before its first frame."""
        with self._lock:
            if self._entries is None:
                self._entries = self._load()
            return self._entries

    # ----- manifest -------------------------------------------------------------------------
    def _load(self) -> dict[str, Entry]:
        try:
            data = json.loads(self.manifest_path.read_text("utf-8"))
            if data.get("version") != MANIFEST_VERSION:
                return {}
            return {rel: Entry(*values) for rel, values in data["entries"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}  # no manifest, or one we cannot trust: every file is fetched again

    def _save_soon(self) -> None:
        with self._lock:
            self._dirty = True
            due = time.monotonic() - self._saved_at >= SAVE_EVERY_S
        if due:
            self._save()

    def _save_if_dirty(self) -> None:
        if self._dirty:
            with contextlib.suppress(OSError):  # at exit: the next open fetches it again
                self._save()

    def _save(self) -> None:
        with self._lock:
            self._dirty = False
            self._saved_at = time.monotonic()
            entries = {
                rel: [e.token, e.size, e.mtime, e.lazy, e.fetched, e.used, e.head]
                for rel, e in self.entries.items()
            }
        data = {"version": MANIFEST_VERSION, "url": self.location.url, "entries": entries}
        scratch = self.scratch / f"manifest.{os.getpid()}.{threading.get_ident()}"
        scratch.write_text(json.dumps(data), "utf-8")
        os.replace(scratch, self.manifest_path)

    # ----- listing --------------------------------------------------------------------------
    def sync(self, under: str = "") -> list[Problem]:
        """List the prefix (or the folder `under` it, relative to the URL) once, fetch what
        changed, drop what went; the Problems of keys that cannot be mirrored."""
        base = self.location.key_of(under)
        try:
            self.stats.listings += 1
            # The library's cached listings would hide what was written since the last one.
            self.fs.invalidate_cache()
            # withdirs: folders are named by the listing itself (no request per folder); an
            # empty one exists only as a marker object, which some libraries list as a folder.
            listing = self.fs.find(base, detail=True, withdirs=True)
        except Exception as exc:  # noqa: BLE001  each library raises its own types
            raise RemoteError(describe(self.location, exc)) from exc
        if not under and not any(info.get("type") != "directory" for info in listing.values()):
            raise RemoteError(self._nothing_listed())
        plan = self._plan(under, listing)
        self._fetch_all(plan)
        self._save()
        return plan.problems

    def _nothing_listed(self) -> str:
        """Why an open listed nothing: no such bucket (some libraries list it as empty), or an
        empty prefix."""
        try:
            exists = self.fs.exists(self.location.bucket)
        except Exception as exc:  # noqa: BLE001  each library raises its own types
            return describe(self.location, exc)
        if not exists:
            return describe(self.location, FileNotFoundError(self.location.bucket))
        return f"cannot read {self.location.url}: no objects under it (check the URL)"

    def _plan(self, under: str, listing: dict[str, Any]) -> _Plan:
        plan = _Plan()
        self._images_by_folder = None
        start = self.location.path + "/"
        scope = f"{under}/" if under else ""
        listed: dict[str, dict[str, Any]] = {}
        marked: set[str] = set()
        for name, info in listing.items():
            if not name.startswith(start):
                continue
            # Folders, and `folder/` objects (what consoles create for an empty folder).
            is_marker = name.endswith("/") or info.get("type") == "directory"
            relative = name[len(start) :].rstrip("/") if is_marker else name[len(start) :]
            if not relative or not relative.startswith(scope):
                continue
            reason = unsafe_reason(relative)
            if reason is not None:
                if not is_marker or name.endswith("/"):  # folders a key implies: said once
                    plan.problems.append(Problem(path=relative, message=f"not read: {reason}"))
                continue
            if is_marker:
                marked.add(relative)
            else:
                listed[relative] = info
        folders = {posixpath.dirname(rel) for rel in [*listed, *marked]}
        folders = {prefix for folder in folders for prefix in _ancestors(folder)} | marked
        with self._lock:
            for relative in [rel for rel in self.entries if rel.startswith(scope)]:
                if (
                    relative not in (listed if self.entries[relative].token != FOLDER else marked)
                    or relative in folders
                    and self.entries[relative].token != FOLDER
                ):
                    self._drop(relative)
            for relative, info in sorted(listed.items()):
                if relative in folders:
                    message = "not read: a folder of the same name holds other files"
                    plan.problems.append(Problem(path=relative, message=message))
                    continue
                self._place(relative, info, plan)
            for relative in sorted(marked):
                try:
                    (self.tree / relative).mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    plan.problems.append(Problem(path=relative, message=f"not mirrored: {exc}"))
                    continue
                self.entries[relative] = Entry(FOLDER, 0, None, False)
        return plan

    def _place(self, relative: str, info: dict[str, Any], plan: _Plan) -> None:
        size = int(info.get("size") or 0)
        mtime = _mtime(info)
        entry = Entry(_token(info, size, mtime), size, mtime, _is_lazy(relative, size))
        old = self.entries.get(relative)
        local = self.tree / relative
        if old is not None and (old.token, old.lazy) == (entry.token, entry.lazy):
            with contextlib.suppress(OSError):
                found = os.lstat(local)
                if stat.S_ISREG(found.st_mode) and found.st_size == size:
                    return  # unchanged: nothing fetched
        if not entry.lazy:
            plan.fetch.append((relative, entry))
            return
        try:
            self._write(relative, None, entry)
        except OSError as exc:
            plan.problems.append(Problem(path=relative, message=f"not mirrored: {exc}"))
            return
        self.entries[relative] = entry

    def _drop(self, relative: str) -> None:
        entry = self.entries.pop(relative, None)
        if entry is not None and entry.token == FOLDER:
            with contextlib.suppress(OSError):  # not empty: other keys (or labels) are in it
                os.rmdir(self.tree / relative)
            return
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            os.unlink(self.tree / relative)

    # ----- fetching -------------------------------------------------------------------------
    def _fetch_all(self, plan: _Plan) -> None:
        """Small files, fetched concurrently in batches (fsspec gathers each batch's GETs)."""
        batch: list[tuple[str, Entry]] = []
        batch_bytes = 0
        succeeded = failed = 0
        first_failure: BaseException | None = None
        for item in [*plan.fetch, None]:
            if item is not None:
                batch.append(item)
                batch_bytes += item[1].size
                if len(batch) < FETCH_BATCH_FILES and batch_bytes < FETCH_BATCH_BYTES:
                    continue
            if not batch:
                continue
            paths = [self.location.key_of(rel) for rel, _ in batch]
            try:
                got = self.fs.cat(paths, on_error="return")
            except Exception as exc:  # noqa: BLE001  each library raises its own types
                got = dict.fromkeys(paths, exc)
            for (relative, entry), path in zip(batch, paths, strict=True):
                data = got.get(path) if isinstance(got, dict) else got
                if isinstance(data, bytes):
                    try:
                        self._write(relative, data, entry)
                    except OSError as exc:
                        plan.problems.append(Problem(path=relative, message=f"not mirrored: {exc}"))
                        continue
                    with self._lock:
                        self.entries[relative] = entry
                    self.stats.fetched_files += 1
                    self.stats.fetched_bytes += len(data)
                    succeeded += 1
                else:
                    failed += 1
                    error = data if isinstance(data, BaseException) else RuntimeError("no data")
                    first_failure = first_failure or error
                    said = describe(self.location, error)
                    plan.problems.append(Problem(path=relative, message=f"not fetched: {said}"))
            batch, batch_bytes = [], 0
        fatal = first_failure is not None and kind_of(first_failure) in FATAL_KINDS
        if failed and not succeeded and fatal and first_failure is not None:
            # Nothing could be read: one line says why instead of a Problem per file.
            raise RemoteError(describe(self.location, first_failure))

    # ----- image headers, for sizes ---------------------------------------------------------
    def header(self, local_path: str) -> bytes | None:
        """The first HEADER_BYTES of a mirrored image whose bytes are not here, None for any
        other file. Asked for with the other such images of its folder (a task's screenshots)
        in one concurrent batch of small ranged requests, and kept in the manifest."""
        relative = self.relative_of(local_path)
        if relative is None:
            return None
        folder = posixpath.dirname(relative)
        with self._lock:
            entry = self.entries.get(relative)
            if entry is None or not entry.lazy or entry.fetched:
                return None
            if entry.head is not None:
                return bytes.fromhex(entry.head)
            gate = self._heading.setdefault(folder, threading.Lock())
        with gate:
            with self._lock:
                wanted = [
                    (rel, 0, min(HEADER_BYTES, e.size))
                    for rel in self._images_in(folder)
                    if (e := self.entries.get(rel)) is not None
                    and _unfetched_image(rel, e)
                    and e.head is None
                ]
            problems: list[Problem] = []
            got = self._ranges(wanted, problems) if wanted else {}
            with self._lock:
                for rel, data in got.items():
                    found = self.entries.get(rel)
                    if found is not None:
                        found.head = data.hex()
                self.stats.headers_fetched += len(got)
            if got:
                self._save_soon()
            if relative not in got and entry.head is None:
                said = problems[0].message if problems else "no data"
                raise OSError(said)
            return bytes.fromhex(entry.head) if entry.head is not None else None

    def _images_in(self, folder: str) -> list[str]:
        """Lazy images of one folder (built once per listing: a search reads every task's)."""
        if self._images_by_folder is None:
            grouped: dict[str, list[str]] = {}
            for rel, entry in self.entries.items():
                if entry.lazy and _is_image(rel):
                    grouped.setdefault(posixpath.dirname(rel), []).append(rel)
            self._images_by_folder = grouped
        return self._images_by_folder.get(folder, [])

    # ----- image checks, when asked ---------------------------------------------------------
    def probe_images(self) -> list[Problem]:
        """Write each listed image's last bytes (and its first, when the last are no end marker)
        into its placeholder, so the image check answers as it does for a local copy: whole,
        truncated, or not an image. One small ranged request per image (two for a cut one);
        an image already probed or fetched is not asked for again. Problems: what could not
        be fetched. Raises RemoteError when nothing could (no credentials, network down)."""
        with self._lock:
            todo = [
                (relative, entry)
                for relative, entry in sorted(self.entries.items())
                if _unfetched_image(relative, entry) and self._is_placeholder(relative)
            ]
        problems: list[Problem] = []
        tails = self._ranges(
            [(rel, max(0, e.size - END_MARKER_BYTES), e.size) for rel, e in todo], problems
        )
        heads_wanted = [
            (rel, 0, min(SIGNATURE_BYTES, max(0, e.size - END_MARKER_BYTES)))
            for rel, e in todo
            if rel in tails and not has_end_marker(tails[rel])
        ]
        heads = self._ranges([item for item in heads_wanted if item[2] > 0], problems)
        for relative, entry in todo:
            tail = tails.get(relative)
            if tail is None:
                continue
            parts = [(max(0, entry.size - END_MARKER_BYTES), tail)]
            if relative in heads:
                parts.append((0, heads[relative]))
            try:
                self._write(relative, None, entry, parts)
            except OSError as exc:
                problems.append(Problem(path=relative, message=f"not checked: {exc}"))
                continue
            self.stats.images_probed += 1
        return problems

    def _is_placeholder(self, relative: str) -> bool:
        local = self.tree / relative
        try:
            found = os.lstat(local)
        except OSError:
            return False
        return stat.S_ISREG(found.st_mode) and is_placeholder(local, found)

    def _ranges(
        self, wanted: list[tuple[str, int, int]], problems: list[Problem]
    ) -> dict[str, bytes]:
        """The bytes [start, end) of each key, fetched concurrently; a failure is a Problem."""
        got: dict[str, bytes] = {}
        first_failure: BaseException | None = None
        for at in range(0, len(wanted), FETCH_BATCH_FILES):
            batch = wanted[at : at + FETCH_BATCH_FILES]
            paths = [self.location.key_of(rel) for rel, _, _ in batch]
            try:
                answers: list[Any] = self.fs.cat_ranges(
                    paths, [start for _, start, _ in batch], [end for _, _, end in batch]
                )
            except Exception as exc:  # noqa: BLE001  each library raises its own types
                answers = [exc] * len(batch)
            for (relative, _, _), data in zip(batch, answers, strict=True):
                if isinstance(data, bytes):
                    got[relative] = data
                    self.stats.fetched_bytes += len(data)
                    continue
                error = data if isinstance(data, BaseException) else RuntimeError("no data")
                first_failure = first_failure or error
                said = describe(self.location, error)
                problems.append(Problem(path=relative, message=f"not checked: {said}"))
        fatal = first_failure is not None and kind_of(first_failure) in FATAL_KINDS
        if wanted and not got and fatal and first_failure is not None:
            raise RemoteError(describe(self.location, first_failure))
        return got

    def _write(
        self,
        relative: str,
        data: bytes | None,
        entry: Entry,
        parts: list[tuple[int, bytes]] | None = None,
    ) -> None:
        """The file in the mirror, replaced in one rename; None: a sparse placeholder, with
        `parts` (offset, bytes) written into it (a probed image)."""
        local = self.tree / relative
        local.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.scratch / f"{os.getpid()}.{threading.get_ident()}.part"
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        try:
            if data is None:
                os.ftruncate(fd, entry.size)
                for offset, part in parts or ():
                    os.pwrite(fd, part[: max(0, entry.size - offset)], offset)
            else:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        if entry.mtime is not None:
            # The object's time, not the download's: live runs are judged by it.
            os.utime(scratch, (entry.mtime, entry.mtime))
        if local.is_dir() and not local.is_symlink():
            os.unlink(scratch)
            raise IsADirectoryError(f"a folder is in the way of {relative}")
        os.replace(scratch, local)

    def relative_of(self, local_path: str) -> str | None:
        """The key (relative to the URL) of a file in this mirror, None for any other path."""
        tree = os.path.realpath(self.tree)
        real = os.path.realpath(local_path)
        if not real.startswith(tree + os.sep):
            return None
        return real[len(tree) + 1 :].replace(os.sep, "/")

    def fetch(self, local_path: str) -> None:
        """The real bytes of a placeholder, before it is shown; raises OSError (one line)."""
        relative = self.relative_of(local_path)
        if relative is None:
            return
        with self._lock:
            entry = self.entries.get(relative)
            if entry is None or not entry.lazy:
                return
            entry.used = time.time()
            # Another process on the same mirror (a second served tab) may have evicted it.
            if entry.fetched and not self._is_placeholder(relative):
                return
            entry.fetched = False
            gate = self._fetching.setdefault(relative, threading.Lock())
        with gate:
            if entry.fetched:
                return  # another thread (the prefetch) fetched it meanwhile
            try:
                data = self.fs.cat_file(self.location.key_of(relative))
            except Exception as exc:  # noqa: BLE001  each library raises its own types
                raise OSError(describe(self.location, exc)) from exc
            self._write(relative, data, entry)
            with self._lock:
                entry.fetched = True
                entry.size = len(data)
                self.stats.images_fetched += 1
                self.stats.fetched_bytes += len(data)
                self._evict(keep=relative)
        self._save_soon()

    def _evict(self, keep: str) -> None:
        """Least recently shown images back to placeholders until the budget holds."""
        fetched = [(e.used, rel, e) for rel, e in self.entries.items() if e.lazy and e.fetched]
        total = sum(e.size for _, _, e in fetched)
        for _, relative, entry in sorted(fetched, key=lambda item: item[0]):
            if total <= self.cache_bytes:
                break
            if relative == keep:
                continue
            try:
                self._write(relative, None, entry)
            except OSError:
                continue  # still a whole file: it stays counted, the next eviction retries
            entry.fetched = False
            total -= entry.size

    def fetched_image_bytes(self) -> int:
        with self._lock:
            return sum(e.size for e in self.entries.values() if e.lazy and e.fetched)


_OPEN: dict[Path, Mirror] = {}
"""The mirror last opened on each folder in this process."""


def _ancestors(folder: str) -> list[str]:
    parts = folder.split("/") if folder else []
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]
