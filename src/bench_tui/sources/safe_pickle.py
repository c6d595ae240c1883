"""Read pickles without running them: every global becomes an inert stand-in (DESIGN §7).

`pickle.load` imports whatever module a pickle names and calls whatever it is told to call,
so a result folder could run code on the user's machine, and AgentLab pickles do not load at
all without AgentLab installed. The unpickler here never imports and never calls anything
real: `find_class` hands back a fresh stand-in class (pickle_standin.py) that only records
what the pickle does with it (calls, `__setstate__`, item and list updates). `to_plain`
(pickle_plain.py) then turns the recorded graph into dicts, lists and scalars.
"""

from __future__ import annotations

import io
import pickle
import zlib
from pathlib import Path
from typing import Any

from bench_tui.sources.common import MAX_PARSE_BYTES, ReadContext
from bench_tui.sources.pickle_plain import to_plain
from bench_tui.sources.pickle_standin import PersistentRef, StandIn, global_name, pick

__all__ = [
    "MAX_PICKLE_BYTES",
    "RestrictedUnpickler",
    "StandIn",
    "UnsafeOrUnreadablePickle",
    "decompress_gzip",
    "global_name",
    "load_restricted",
    "pick",
    "read_pickle_file",
    "to_plain",
]

MAX_PICKLE_BYTES = 64 * 1024 * 1024
"""Decompressed size cap: a larger pickle is refused rather than read into memory."""
GZIP_MAGIC = b"\x1f\x8b"
# Python 2 pickles name old modules; map them so to_plain recognises plain-data globals.
PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}


class UnsafeOrUnreadablePickle(Exception):
    """The pickle could not be read by the restricted unpickler; the message says why."""


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler whose globals are all stand-ins: nothing is imported, nothing real is called."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, fix_imports=False)
        self._classes: dict[tuple[str, str], type[StandIn]] = {}

    def find_class(self, module: str, name: str) -> type[StandIn]:
        module = PY2_MODULES.get(module, module)
        key = (module, name)
        cls = self._classes.get(key)
        if cls is None:
            # A fixed class name: the pickle's text never reaches type() as an identifier.
            cls = type("StandIn", (StandIn,), {"stand_in_module": module, "stand_in_name": name})
            self._classes[key] = cls
        return cls

    def persistent_load(self, pid: Any) -> StandIn:
        return PersistentRef(pid)


def decompress_gzip(data: bytes, limit: int = MAX_PICKLE_BYTES) -> bytes:
    """Inflate gzip data (all members) without ever holding more than `limit` bytes."""
    out = bytearray()
    remaining = data
    while remaining[:2] == GZIP_MAGIC:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(remaining, limit + 1 - len(out))
        except zlib.error as exc:
            raise UnsafeOrUnreadablePickle(f"damaged gzip data ({exc})") from exc
        if len(out) > limit:
            raise UnsafeOrUnreadablePickle(
                f"decompresses to more than {limit // 1048576} MB: not read"
            )
        if not inflater.eof:
            raise UnsafeOrUnreadablePickle("gzip data ends early (file truncated)")
        remaining = inflater.unused_data
    if remaining.strip(b"\x00"):
        raise UnsafeOrUnreadablePickle("unexpected bytes after the gzip data")
    return bytes(out)


def load_restricted(data: bytes, *, limit: int = MAX_PICKLE_BYTES) -> Any:
    """Unpickle `data` (gzip is detected by its magic) with every global replaced by a stand-in.

    Raises UnsafeOrUnreadablePickle, and nothing else, when the data cannot be read.
    """
    if data[:2] == GZIP_MAGIC:
        data = decompress_gzip(data, limit)
    if len(data) > limit:
        raise UnsafeOrUnreadablePickle(f"larger than {limit // 1048576} MB: not read")
    if not data:
        raise UnsafeOrUnreadablePickle("empty file")
    unpickler = RestrictedUnpickler(io.BytesIO(data))
    try:
        return unpickler.load()
    except RecursionError as exc:
        raise UnsafeOrUnreadablePickle("nested too deeply to read") from exc
    except MemoryError as exc:
        raise UnsafeOrUnreadablePickle("needs more memory than allowed to read") from exc
    except (
        Exception
    ) as exc:  # the C unpickler raises many types on damaged data; all mean unreadable
        raise UnsafeOrUnreadablePickle(_describe(exc)) from exc


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, EOFError) or "truncated" in text:
        return "data ends early (file truncated)"
    if len(text) > 120:
        text = text[:117] + "..."
    return f"not a readable pickle ({text})"


def read_pickle_file(path: Path, ctx: ReadContext, *, what: str) -> tuple[bool, Any]:
    """(True, value) for a readable pickle; (False, None) with a located Problem otherwise."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        ctx.problem(path, f"cannot read {what}: {exc.strerror or exc}")
        return False, None
    if size > MAX_PARSE_BYTES:
        ctx.problem(
            path, f"file is {size / 1048576:.1f} MB, over the 32 MB limit: not parsed ({what})"
        )
        return False, None
    try:
        data = path.read_bytes()
    except OSError as exc:
        ctx.problem(path, f"cannot read {what}: {exc.strerror or exc}")
        return False, None
    try:
        return True, load_restricted(data)
    except UnsafeOrUnreadablePickle as exc:
        ctx.problem(path, f"{what} could not be read safely: {exc}")
        return False, None
