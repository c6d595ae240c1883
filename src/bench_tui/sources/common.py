"""Shared reading helpers: located Problems, size-capped JSON, image headers.

Readers never raise on bad data. They read through these helpers, which turn every failure
into a Problem on the ReadContext and hand back what could be read.
"""

from __future__ import annotations

import builtins
import json
import math
import os
import struct
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from bench_tui.model import Problem
from bench_tui.safeio import (
    boundary,
    is_inside,
    open_binary,
    open_regular,
    read_capped,
)
from bench_tui.safetext import display_path
from bench_tui.sources._io.images import PNG_SIGNATURE
from bench_tui.sources._io.limits import MAX_TEXT_CHARS, cut_text, text_cut_message
from bench_tui.sources._io.placeholders import fetch_if_placeholder, placeholder_header
from bench_tui.sources._io.ranges import Range

Num = TypeVar("Num", int, float)

MAX_PARSE_BYTES = 32 * 1024 * 1024
"""Files above this are not parsed (DESIGN §9): one Problem says so."""


@dataclass
class ReadContext:
    """Where the scan started, and the Problems readers found so far."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    _boundaries: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)
    inputs: list[str] | None = field(default=None, repr=False, compare=False)
    """While an index records what a reader's result depends on: every file and folder it read
    (a cacheable reader notes each one, so the result is reused only while they are unchanged)."""

    noted: list[str] | None = field(default=None, repr=False, compare=False)
    """Every input noted during a whole walk, whichever claim it was for (discover.WalkLog)."""

    def note_input(self, path: Path | str) -> None:
        if self.inputs is not None:
            self.inputs.append(os.fspath(path))
        if self.noted is not None:
            self.noted.append(os.fspath(path))

    def rel(self, path: Path | str) -> str:
        """`path` relative to the root, `/`-separated, escaped for display."""
        text = os.fspath(path)
        prefix = self._prefix
        # Fast path for paths the walk built under the root (nearly all): no normalising needed.
        if text.startswith(prefix) and "/." not in text and "//" not in text:
            text = text[len(prefix) :]
        else:
            text = os.path.relpath(text, self.root).replace(os.sep, "/")
        return display_path(text)

    @property
    def _prefix(self) -> str:
        root = os.fspath(self.root)
        return root if root.endswith(os.sep) else root + os.sep

    def problem(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(path=self.rel(path), line=line, message=message))

    @cached_property
    def within(self) -> str | None:
        """The real folder every file read must stay in (None: BENCH_TUI_FOLLOW_OUTSIDE=1)."""
        return boundary(self.root)

    def link_leaves(self, path: Path | str) -> str | None:
        """The real path of a symbolic link `path` when it leads out of the opened folder."""
        within = self.within
        if within is None:
            return None
        real = os.path.realpath(path)
        return None if is_inside(real, within) else real

    def link_problem(self, path: Path | str, real: str) -> None:
        self.problem(
            path, f"symbolic link leaves the opened folder (to {display_path(real)}): not followed"
        )

    def boundary_of(self, folder: Path | str) -> str | None:
        """The real path of a run folder its recorded files must stay in (cached per folder)."""
        key = os.fspath(folder)
        if key not in self._boundaries:
            self._boundaries[key] = boundary(key)
        return self._boundaries[key]


@dataclass
class JsonDoc:
    """A parsed JSON file with its text, so values can be located by line."""

    path: Path | str
    text: str
    data: Any

    def line_of(self, key: str, start_line: int = 1) -> int | None:
        """1-based line of the first `"key"` at or after `start_line` (None if not found)."""
        needle = json.dumps(key)
        offset = 0
        if start_line > 1:
            for _ in range(start_line - 1):
                offset = self.text.find("\n", offset) + 1
                if offset == 0:
                    return None
        index = self.text.find(needle, offset)
        if index < 0:
            return None
        return self.text.count("\n", 0, index) + 1


def read_text(
    path: Path | str, ctx: ReadContext, *, what: str = "a text file", missing_ok: bool = False
) -> str | None:
    """The file's text, or None with a Problem (missing, too large, binary, not UTF-8, not a
    regular file, leaving the opened folder).

    `missing_ok`: a file that does not exist is None without a Problem (saves a stat or listing).
    """
    raw = read_raw(path, ctx, what=what, missing_ok=missing_ok)
    return None if raw is None else decode_text(raw, path, ctx, what)


def read_raw(
    path: Path | str, ctx: ReadContext, *, what: str = "a text file", missing_ok: bool = False
) -> bytes | None:
    """`read_text`'s bytes before decoding: None with a Problem as there (`missing_ok` too)."""
    ctx.note_input(path)
    try:
        # Bare file descriptors, one fstat, usually one read: this runs for every file of every
        # task, and a buffered file object costs twice as much.
        fd, info = open_regular(path, ctx.within)
        try:
            if info.st_size > MAX_PARSE_BYTES:
                ctx.problem(path, f"{too_large(info.st_size)} ({what})")
                return None
            raw = read_capped(fd, MAX_PARSE_BYTES, info.st_size)
        finally:
            os.close(fd)
    except FileNotFoundError as exc:
        if not missing_ok:
            ctx.problem(path, f"cannot read: {exc.strerror or exc}")
        return None
    except OSError as exc:
        ctx.problem(path, f"cannot read: {exc.strerror or exc}")
        return None
    except ValueError:  # a path recorded in a file can hold a NUL byte
        ctx.problem(path, "cannot read: the path holds a NUL byte")
        return None
    if len(raw) > MAX_PARSE_BYTES:
        ctx.problem(path, f"{too_large(None)} ({what})")  # it grew, or its size said nothing
        return None
    return raw


def decode_text(raw: bytes, path: Path | str, ctx: ReadContext, what: str) -> str | None:
    """`read_text`'s text of bytes `read_raw` gave: None with a Problem when binary or not UTF-8."""
    if b"\x00" in raw[:8192]:
        ctx.problem(path, f"binary data where {what} was expected", line=1)
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        ctx.problem(path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): expected {what}", line)
        return None


def present(path: Path | str) -> bool:
    """Something is there under this name (a link or a FIFO too): read it and the reader says
    what is wrong with it, where `is_file()` would skip a FIFO or a broken link in silence."""
    try:
        return os.path.lexists(path)
    except ValueError:  # a NUL byte in a recorded name
        return False


def too_large(size: int | None) -> str:
    """The Problem's words for a file over MAX_PARSE_BYTES (`size` None: it did not say)."""
    if size is None:
        return "file is over the 32 MB limit: not parsed"
    return f"file is {size / 1048576:.1f} MB, over the 32 MB limit: not parsed"


def parse_json_text(text: str, path: Path | str, ctx: ReadContext, what: str) -> JsonDoc | None:
    if not text.strip():
        ctx.problem(path, f"empty file: expected {what}", line=1)
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        ctx.problem(
            path, f"invalid JSON ({exc.msg}, column {exc.colno}): expected {what}", exc.lineno
        )
        return None
    except RecursionError:
        ctx.problem(path, f"JSON nested too deeply to read: expected {what}", line=1)
        return None
    except ValueError as exc:
        # Integers longer than Python converts (4300 digits) raise a plain ValueError.
        ctx.problem(path, f"cannot read JSON ({exc}): expected {what}", line=1)
        return None
    return JsonDoc(path=path, text=text, data=data)


def read_json(
    path: Path | str, ctx: ReadContext, *, what: str = "a JSON object", missing_ok: bool = False
) -> JsonDoc | None:
    """Parse a JSON file; on any failure record a located Problem and return None.

    `missing_ok`: as for `read_text`.
    """
    text = read_text(path, ctx, what=what, missing_ok=missing_ok)
    if text is None:
        return None
    return parse_json_text(text, path, ctx, what)


def read_json_object(
    path: Path | str, ctx: ReadContext, *, what: str = "a JSON object", missing_ok: bool = False
) -> JsonDoc | None:
    """Like read_json, and the top level must be an object."""
    doc = read_json(path, ctx, what=what, missing_ok=missing_ok)
    if doc is not None and not isinstance(doc.data, dict):
        ctx.problem(path, f"expected {what}, got a JSON {json_type(doc.data)}", line=1)
        return None
    return doc


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def describe_value(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class FieldReader:
    """Typed access to one JSON object's fields; a wrong type is a located Problem, not a crash."""

    def __init__(self, doc: JsonDoc, obj: dict[str, Any], ctx: ReadContext, start_line: int = 1):
        self.doc = doc
        self.obj = obj
        self.ctx = ctx
        self.start_line = start_line

    def wrong(self, key: str, expected: str, value: Any) -> None:
        line = self.doc.line_of(key, self.start_line)
        self.ctx.problem(
            self.doc.path, f"expected {expected} for '{key}', got {describe_value(value)}", line
        )

    def str(self, key: str) -> str | None:
        """Text (numbers accepted), cut with a Problem past MAX_TEXT_CHARS."""
        value = self.obj.get(key)
        if isinstance(value, str):
            if len(value) <= MAX_TEXT_CHARS:
                return value
            line = self.doc.line_of(key, self.start_line)
            self.ctx.problem(self.doc.path, text_cut_message(f"'{key}'", len(value)), line)
            return cut_text(value)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self.wrong(key, "text", value)
        return None

    def number(self, key: builtins.str, within: Range | None = None) -> float | None:
        """A finite number; outside `within` it is a Problem and None (DESIGN §7)."""
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if math.isfinite(number):
                return self._within(key, number, value, within)
        self.wrong(key, "a finite number", value)
        return None

    def int(self, key: builtins.str, within: Range | None = None) -> int | None:
        value = self.obj.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return self._within(key, value, value, within)
        if isinstance(value, float) and value.is_integer():
            return self._within(key, int(value), value, within)
        self.wrong(key, "a whole number", value)
        return None

    def _within(
        self, key: builtins.str, number: Num, value: Any, within: Range | None
    ) -> Num | None:
        if within is None or within.holds(number):
            return number
        self.wrong(key, within.expected, value)
        return None

    def bool(self, key: builtins.str) -> bool | None:
        value = self.obj.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.wrong(key, "true or false", value)
        return None

    def list(self, key: builtins.str) -> list[Any]:
        value = self.obj.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.wrong(key, "a list", value)
        return []

    def dict(self, key: builtins.str) -> dict[builtins.str, Any] | None:
        value = self.obj.get(key)
        if value is None or isinstance(value, dict):
            return value
        self.wrong(key, "an object", value)
        return None


DEFAULT_SCREEN = (1920, 1200)


def _has_png_header(head: bytes) -> bool:
    return head.startswith(PNG_SIGNATURE) and head[12:16] == b"IHDR"


def _png_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's first 24 bytes (signature, then the IHDR chunk)."""
    if len(head) < 24:
        return None
    width, height = struct.unpack(">II", head[16:24])
    return (width, height) if width and height else None


def image_size(path: Path | str, within: str | None = None) -> tuple[int, int] | None:
    """Pixel size from the image header only (PNG fast path, Pillow for JPEG), None if unreadable.

    `within`: as for open_regular (readers pass ctx.within).
    """
    try:
        handle = open_binary(path, within)
    except (OSError, ValueError):  # ValueError: a recorded path with a NUL byte
        return None
    with handle:
        try:
            # Remote results (issue 16): the size is in the image's first bytes, asked for
            # alone; the whole image is fetched when its step is shown.
            remote_head = placeholder_header(path)
            if remote_head is not None:
                if _has_png_header(remote_head):
                    return _png_size(remote_head)
                fetch_if_placeholder(path)  # anything else: Pillow reads it, whole
                handle.close()
                return image_size(path, within)
            head = handle.read(32)
        except OSError:
            return None
        if _has_png_header(head):
            return _png_size(head)
        try:
            from PIL import Image

            handle.seek(0)
            with Image.open(handle) as image:
                return image.size
        except Exception:  # Pillow raises many types for damaged files; all mean "no size"
            return None
