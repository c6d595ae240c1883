"""Atomic, deterministic file output for the demo workspace.

Every file appears complete or not at all (temp file in the same folder, then `os.replace`), so an app
watching the folder never reads half a JSON file. No fsync: the demo is regenerable, and syncing
tens of thousands of small files would make `--tasks 3000` crawl.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from bench_tui.safeio import create_new, is_inside, read_file

MARKER_NAME = ".bench-tui-demo"
MAX_MARKER_BYTES = 1024 * 1024
MARKER_GENERATOR = "bench-tui demo"


class FileWriter:
    """Writes files under `root` and counts them (for the summary)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = 0
        self.links = 0
        self._copied: dict[Path, bytes] = {}
        self._folders: set[Path] = set()

    def folder(self, path: Path) -> None:
        """mkdir -p once per folder: at --tasks 3000 the repeated syscalls were a tenth of the time."""
        if path not in self._folders:
            path.mkdir(parents=True, exist_ok=True)
            self._folders.add(path)

    def write_bytes(self, path: Path, data: bytes) -> Path:
        self.folder(path.parent)
        temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        # The folder may hold an earlier demo someone tampered with: a link planted under the
        # temp name must not turn this write into one elsewhere (create_new never follows it).
        temp.unlink(missing_ok=True)
        with os.fdopen(create_new(temp), "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
        self.files += 1
        return path

    def write_text(self, path: Path, text: str) -> Path:
        return self.write_bytes(path, text.encode("utf-8"))

    def write_json(self, path: Path, data: Any) -> Path:
        # indent=2 like the upstream collectors, so the files look (and diff) like real ones
        return self.write_bytes(path, dumps(data).encode("utf-8"))

    def link(self, source: Path, path: Path) -> Path:
        """Hard-link `source` at `path` (one inode for thousands of screenshots); copy if linking
        is not possible (another device, a filesystem without links)."""
        self.folder(path.parent)
        try:
            os.link(source, path)
        except FileExistsError:
            temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
            os.link(source, temp)
            os.replace(temp, path)
        except OSError:
            data = self._copied.get(source)
            if data is None:
                data = self._copied[source] = source.read_bytes()
            self.write_bytes(path, data)
            return path
        self.files += 1
        self.links += 1
        return path

    def symlink(self, target: str, path: Path) -> bool:
        """A relative symlink, created atomically; False where symlinks are unsupported."""
        temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        try:
            os.symlink(target, temp)
            os.replace(temp, path)
        except (OSError, NotImplementedError):
            # Windows without developer mode, some network filesystems: the demo works without it
            return False
        return True


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2)


def marker_data(entries: list[str], tasks_per_run: int) -> dict[str, Any]:
    return {
        "generator": MARKER_GENERATOR,
        "version": 1,
        "tasks_per_run": tasks_per_run,
        "note": "Written by `bench-tui demo`; the next demo run removes exactly the entries below.",
        "entries": sorted(entries),
    }


def read_marker_entries(root: Path) -> list[str] | None:
    """The entries an earlier demo recorded, or None when the marker has no usable list."""
    try:
        raw = read_file(root / MARKER_NAME, MAX_MARKER_BYTES)
        data = json.loads(raw) if len(raw) <= MAX_MARKER_BYTES else None
    except (OSError, ValueError):
        return None
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return None
    return [entry for entry in entries if isinstance(entry, str) and is_safe_entry(entry)]


def is_safe_entry(entry: str) -> bool:
    """A marker entry must name something inside the demo folder: a hand-edited marker must never
    make the demo delete outside it."""
    path = PurePosixPath(entry)
    return (
        bool(entry)
        and not path.is_absolute()
        and "\\" not in entry
        and all(part not in ("", ".", "..") for part in path.parts)
    )


def remove_entries(root: Path, entries: list[str]) -> None:
    """Delete the listed files and folders, then the folders they leave empty.

    Only inside `root`: an entry whose folder is a link leading out of it is left alone.
    """
    real_root = os.path.realpath(root)
    for entry in entries:
        path = root.joinpath(*PurePosixPath(entry).parts)
        if not is_inside(os.path.realpath(path.parent), real_root):
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
    for entry in sorted(entries, key=lambda item: -item.count("/")):
        parent = root.joinpath(*PurePosixPath(entry).parts).parent
        while parent != root and root in parent.parents:
            if not is_inside(os.path.realpath(parent), real_root):
                break
            try:
                parent.rmdir()
            except OSError:  # not empty: it holds something the user put there
                break
            parent = parent.parent
