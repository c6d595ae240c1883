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
import os
import pickle
import pickletools
import zlib
from pathlib import Path
from typing import Any

from bench_tui.safeio import open_regular, read_capped
from bench_tui.sources.agentlab.pickle_plain import to_plain
from bench_tui.sources.agentlab.pickle_standin import PersistentRef, StandIn, global_name, pick
from bench_tui.sources.common import MAX_PARSE_BYTES, ReadContext, too_large

__all__ = [
    "MAX_PICKLE_BYTES",
    "PickleRefused",
    "RestrictedUnpickler",
    "StandIn",
    "UnsafeOrUnreadablePickle",
    "check_pickle",
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


MAX_PICKLE_OPS = 4_000_000
"""Opcodes in one pickle: bounds the objects, containers and memo entries it can make (a 3.6 MB
AgentLab step with its whole page tree is 400 000)."""
MAX_LONG_BYTES = 1024
"""A LONG4 integer's bytes: a longer one cannot even be printed (4300 digits)."""


class UnsafeOrUnreadablePickle(Exception):
    """The pickle could not be read by the restricted unpickler; the message says why."""


class PickleRefused(UnsafeOrUnreadablePickle):
    """The pickle asks for more than its own size justifies (a memory bomb): not unpickled."""


# Argument kinds of pickletools' opcode table, plus the two-line GLOBAL/INST arguments.
_LINE, _LEN1, _LEN4S, _LEN4, _LEN8 = (
    pickletools.UP_TO_NEWLINE,
    pickletools.TAKEN_FROM_ARGUMENT1,
    pickletools.TAKEN_FROM_ARGUMENT4,
    pickletools.TAKEN_FROM_ARGUMENT4U,
    pickletools.TAKEN_FROM_ARGUMENT8U,
)
_TWO_LINES = -100
_WIDTH = {_LEN1: 1, _LEN4S: 4, _LEN4: 4, _LEN8: 8}


def _opcode_table() -> list[int | None]:
    table: list[int | None] = [None] * 256
    for op in pickletools.opcodes:
        table[ord(op.code)] = op.arg.n if op.arg is not None else 0
    table[ord("c")] = table[ord("i")] = _TWO_LINES
    return table


_ARG_KIND = _opcode_table()
_STOP, _MEMOIZE, _FRAME, _LONG4 = ord("."), 0x94, 0x95, 0x8B
_PUTS = frozenset({ord("p"), ord("q"), ord("r")})


def check_pickle(data: bytes) -> None:
    """Walk the opcodes without building anything; raise PickleRefused where unpickling would
    allocate far beyond what the data holds. The C unpickler sizes its memo by the largest index
    a PUT names (9 bytes can ask for 4 GB) and allocates a declared length before reading it."""
    kinds = _ARG_KIND
    end = len(data)
    pos = ops = memo = 0
    while pos < end:
        code = data[pos]
        pos += 1
        ops += 1
        if ops > MAX_PICKLE_OPS:
            raise PickleRefused(f"more than {MAX_PICKLE_OPS:,} operations")
        kind = kinds[code]
        if kind is None:
            raise UnsafeOrUnreadablePickle(f"not a readable pickle (unknown opcode 0x{code:02x})")
        if kind == 0:
            if code == _STOP:
                return
            if code == _MEMOIZE:
                memo += 1
            continue
        if kind > 0:
            if pos + kind > end:
                break
            if code in _PUTS:
                memo = _memo_put(int.from_bytes(data[pos : pos + kind], "little"), memo)
            elif code == _FRAME and not _fits(
                int.from_bytes(data[pos : pos + 8], "little"), end - pos - 8, "frame"
            ):
                break
            pos += kind
            continue
        if kind in (_LINE, _TWO_LINES):
            newline = data.find(b"\n", pos)
            if kind == _TWO_LINES and newline >= 0:
                newline = data.find(b"\n", newline + 1)
            if newline < 0:
                break
            if code in _PUTS:
                try:
                    index = int(data[pos:newline])
                except ValueError as exc:
                    raise UnsafeOrUnreadablePickle("not a readable pickle (bad PUT)") from exc
                memo = _memo_put(index, memo)
            pos = newline + 1
            continue
        width = _WIDTH[kind]
        if pos + width > end:
            break
        size = int.from_bytes(data[pos : pos + width], "little", signed=kind == _LEN4S)
        pos += width
        if not _fits(size, end - pos, "value"):
            break
        if code == _LONG4 and size > MAX_LONG_BYTES:
            raise PickleRefused(f"an integer of {size:,} bytes")
        pos += size
    raise UnsafeOrUnreadablePickle("data ends early (file truncated)")


def _memo_put(index: int, memo: int) -> int:
    # Picklers number memo entries 0, 1, 2, … as they go: anything further is a forged index.
    if index < 0 or index > memo:
        raise PickleRefused(f"memo index {index:,} with {memo:,} objects stored so far")
    return memo + 1 if index == memo else memo


def _fits(size: int, left: int, what: str) -> bool:
    """Whether a declared length fits in what is left; False is a truncated file, unless no
    pickle this reader accepts could hold it (the unpickler would allocate it first)."""
    if size < 0 or size > MAX_PICKLE_BYTES:
        raise PickleRefused(f"a {what} of {size:,} bytes declared")
    return size <= left


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
    check_pickle(data)
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
        fd, info = open_regular(path, ctx.within)
        try:
            too_big = info.st_size > MAX_PARSE_BYTES
            data = b"" if too_big else read_capped(fd, MAX_PARSE_BYTES, info.st_size)
        finally:
            os.close(fd)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        ctx.problem(path, f"cannot read {what}: {reason}")
        return False, None
    if too_big or len(data) > MAX_PARSE_BYTES:
        ctx.problem(path, f"{too_large(info.st_size if too_big else None)} ({what})")
        return False, None
    try:
        return True, load_restricted(data)
    except PickleRefused as exc:
        ctx.problem(path, f"pickle refused: {exc} ({what})")
        return False, None
    except UnsafeOrUnreadablePickle as exc:
        ctx.problem(path, f"{what} could not be read safely: {exc}")
        return False, None
