"""`to_plain`: the stand-in graph of a restricted unpickle as dicts, lists and scalars.

Pickles build some ordinary values through globals (sets, OrderedDicts, datetimes, paths,
numpy scalars and arrays); those are decoded here by our own code from the recorded
arguments, never by calling the named global.
"""

from __future__ import annotations

import math
import struct
from datetime import date, datetime, time, timedelta
from typing import Any

from bench_tui.sources.agentlab.pickle_standin import StandIn, global_name, state_dicts

MAX_PLAIN_DEPTH = 64
MAX_PLAIN_NODES = 200_000
MAX_ARRAY_ITEMS = 100_000
MAX_PLAIN_VALUES = 2_000_000
"""Values of any kind visited: a pickle can refer to one big list a million times, and the
plain copy would hold it a million times over."""
MAX_PLAIN_COPY_BYTES = 64 * 1024 * 1024
"""Bytes copied out of bytearrays (plain bytes are shared, not copied)."""
TRUNCATED = "…(truncated)"


def _reconstructed(obj: StandIn) -> StandIn | None:
    """copyreg._reconstructor(cls, base, state) builds a `cls`: look through to it."""
    if global_name(obj) == "copyreg._reconstructor" and obj.args:
        return obj
    return None


class _Plain:
    """One to_plain conversion: caps on depth and node count, cycle detection."""

    def __init__(self, max_depth: int, max_nodes: int) -> None:
        self.max_depth = max_depth
        self.nodes_left = max_nodes
        self.values_left = MAX_PLAIN_VALUES
        self.copy_bytes_left = MAX_PLAIN_COPY_BYTES
        self.active: set[int] = set()

    def convert(self, obj: Any, depth: int) -> Any:
        self.values_left -= 1
        if self.values_left < 0:
            return TRUNCATED
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, bytes):
            return obj
        if isinstance(obj, (bytearray, memoryview)):
            return bytes(obj) if self.charge(len(obj)) else TRUNCATED
        if isinstance(obj, complex):
            return str(obj)
        self.nodes_left -= 1
        if depth > self.max_depth or self.nodes_left < 0:
            return TRUNCATED
        if id(obj) in self.active:
            return "…(cycle)"
        self.active.add(id(obj))
        try:
            return self._container(obj, depth)
        finally:
            self.active.discard(id(obj))

    def charge(self, size: int) -> bool:
        """Whether `size` more copied bytes fit in this conversion's budget."""
        self.copy_bytes_left -= size
        return self.copy_bytes_left >= 0

    def _container(self, obj: Any, depth: int) -> Any:
        if isinstance(obj, dict):
            return {self._key(k, depth): self.convert(v, depth + 1) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self.convert(v, depth + 1) for v in obj]
        if isinstance(obj, (set, frozenset)):
            return [self.convert(v, depth + 1) for v in obj]
        if isinstance(obj, type) and issubclass(obj, StandIn):
            return f"<global {obj.qualified_name()}>"
        if isinstance(obj, StandIn):
            return self._stand_in(obj, depth)
        return repr(obj)

    def _key(self, key: Any, depth: int) -> Any:
        plain = self.convert(key, depth + 1)
        if isinstance(plain, (str, int, float, bool)) or plain is None:
            return plain
        return repr(plain) if not isinstance(plain, bytes) else plain.decode("latin-1")

    def _stand_in(self, obj: StandIn, depth: int) -> Any:
        name = global_name(obj) or ""
        known = _plain_data(self, obj, name, depth)
        if known is not _UNKNOWN:
            return known
        result: dict[str, Any] = {}
        reconstructed = _reconstructed(obj)
        if reconstructed is not None:
            inner = global_name(reconstructed.args[0])
            name = inner or name
        if obj.args and reconstructed is None:
            result["__args__"] = [self.convert(a, depth + 1) for a in obj.args]
        if obj.kwargs:
            result["__kwargs__"] = self.convert(obj.kwargs, depth)
        attributes = state_dicts(obj)
        if attributes:
            for attribute_dict in reversed(attributes):
                for key, value in attribute_dict.items():
                    if key == "__dict__" and isinstance(value, dict):
                        continue
                    result[str(self._key(key, depth))] = self.convert(value, depth + 1)
        elif obj.has_state:
            result["__state__"] = self.convert(obj.state, depth + 1)
        if obj.items:
            result["__items__"] = {
                self._key(k, depth): self.convert(v, depth + 1) for k, v in obj.items
            }
        if obj.appended:
            result["__list__"] = [self.convert(v, depth + 1) for v in obj.appended]
        result["__class__"] = name
        return result


_UNKNOWN = object()


def _plain_data(plain: _Plain, obj: StandIn, name: str, depth: int) -> Any:
    """Plain values that pickles build through globals; _UNKNOWN for anything else."""
    args = obj.args
    if name in ("builtins.set", "builtins.frozenset", "builtins.list", "builtins.tuple"):
        values = list(args[0]) if args and isinstance(args[0], (list, tuple, set)) else []
        return [plain.convert(v, depth + 1) for v in values + obj.appended]
    if name == "builtins.bytearray" or name == "builtins.bytes":
        value = _bytes_from_args(tuple(plain.convert(a, depth + 1) for a in args))
        return value if plain.charge(len(value)) else TRUNCATED
    if name == "_codecs.encode" and args and isinstance(args[0], str):
        if not plain.charge(len(args[0])):
            return TRUNCATED
        return args[0].encode("latin-1", "replace")
    if name in ("collections.OrderedDict", "collections.defaultdict", "builtins.dict"):
        result: dict[Any, Any] = {}
        seed = args[0] if name != "collections.defaultdict" and args else None
        if isinstance(seed, (list, tuple)):
            for pair in seed:
                if isinstance(pair, (list, tuple)) and len(pair) == 2:
                    result[plain._key(pair[0], depth)] = plain.convert(pair[1], depth + 1)
        for key, value in obj.items:
            result[plain._key(key, depth)] = plain.convert(value, depth + 1)
        return result
    module, _, short = name.rpartition(".")
    if module == "datetime":
        # Protocol 2 wraps the packed bytes in _codecs.encode: convert the arguments first.
        return _datetime_value(short, tuple(plain.convert(a, depth + 1) for a in args))
    if module.startswith("pathlib") and short.endswith("Path"):
        parts = [a for a in args if isinstance(a, str)]
        return "/".join(parts).replace("//", "/") if parts else ""
    if module in ("numpy.core.multiarray", "numpy._core.multiarray", "numpy.core.numeric"):
        return _numpy_value(plain, obj, short, depth)
    if name == "builtins.getattr" and len(args) == 2 and isinstance(args[1], str):
        # Enum members and class attributes: "module.Class.MEMBER".
        return f"{global_name(args[0]) or plain.convert(args[0], depth + 1)}.{args[1]}"
    if name == "builtins.complex":
        return str(complex(*[a for a in args[:2] if isinstance(a, (int, float))]))
    return _UNKNOWN


def _bytes_from_args(args: tuple[Any, ...]) -> bytes:
    if not args:
        return b""
    first = args[0]
    if isinstance(first, (bytes, bytearray)):
        return bytes(first)
    if isinstance(first, str):
        return first.encode("latin-1", "replace")
    if isinstance(first, list) and all(isinstance(v, int) and 0 <= v < 256 for v in first):
        return bytes(first)
    return b""


def _datetime_value(kind: str, args: tuple[Any, ...]) -> Any:
    """datetime objects pickle as their packed byte state; unpack it with our own code."""
    raw = args[0] if args else None
    if isinstance(raw, str):
        raw = raw.encode("latin-1", "replace")
    try:
        if kind == "timedelta":
            days, seconds, micro = ([*args, 0, 0, 0])[:3]
            return timedelta(days=days, seconds=seconds, microseconds=micro).total_seconds()
        if not isinstance(raw, bytes):
            return _UNKNOWN
        if kind == "datetime" and len(raw) == 10:
            micro = (raw[7] << 16) | (raw[8] << 8) | raw[9]
            value = datetime(
                raw[0] * 256 + raw[1], raw[2] & 0x7F, raw[3], raw[4], raw[5], raw[6], micro
            )
            return value.isoformat()
        if kind == "date" and len(raw) == 4:
            return date(raw[0] * 256 + raw[1], raw[2], raw[3]).isoformat()
        if kind == "time" and len(raw) == 6:
            micro = (raw[3] << 16) | (raw[4] << 8) | raw[5]
            return time(raw[0] & 0x7F, raw[1], raw[2], micro).isoformat()
    except (TypeError, ValueError, OverflowError):
        return _UNKNOWN
    return _UNKNOWN


_STRUCT_CODES = {
    "f2": "e",
    "f4": "f",
    "f8": "d",
    "i1": "b",
    "i2": "h",
    "i4": "i",
    "i8": "q",
    "u1": "B",
    "u2": "H",
    "u4": "I",
    "u8": "Q",
    "b1": "?",
}


def _dtype_of(dtype: Any) -> tuple[str, str] | None:
    """(kind+size like 'f4', byte order '<'/'>') of a numpy dtype stand-in."""
    if not isinstance(dtype, StandIn) or not dtype.args or not isinstance(dtype.args[0], str):
        return None
    code = dtype.args[0]
    order = "<"
    if isinstance(dtype.state, tuple) and len(dtype.state) > 1 and dtype.state[1] in "<>":
        order = dtype.state[1]
    return code, order


def _decode_values(raw: Any, dtype: Any, count: int) -> list[Any] | None:
    info = _dtype_of(dtype)
    if info is None:
        return None
    code, order = info
    if isinstance(raw, list):  # object arrays pickle their items as a list
        return raw
    if not isinstance(raw, (bytes, bytearray)):
        return None
    fmt = _STRUCT_CODES.get(code)
    if fmt is not None:
        size = struct.calcsize(fmt)
        if count * size != len(raw):
            return None
        return list(struct.unpack(f"{order}{count}{fmt}", raw))
    if code.startswith("U") and code[1:].isdigit():
        width = int(code[1:]) * 4
        encoding = "utf-32-le" if order != ">" else "utf-32-be"
        return [
            raw[i : i + width].decode(encoding, "replace").rstrip("\x00")
            for i in range(0, len(raw), width or 1)
        ]
    return None


def _reshape(values: list[Any], shape: list[int]) -> Any:
    if len(shape) <= 1:
        return values
    step = len(values) // shape[0] if shape[0] else 0
    return [_reshape(values[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def _numpy_value(plain: _Plain, obj: StandIn, kind: str, depth: int) -> Any:
    args = obj.args
    if kind == "scalar" and len(args) >= 2:
        values = _decode_values(args[1], args[0], 1)
        if values:
            return _clean_number(values[0])
        return _UNKNOWN
    if kind == "_reconstruct" and isinstance(obj.state, tuple) and len(obj.state) == 5:
        _, shape, dtype, _, raw = obj.state
        return _array(plain, shape, dtype, raw, depth)
    if kind == "_frombuffer" and len(args) >= 3:
        return _array(plain, args[2], args[1], _bytes_from_args(args[:1]), depth)
    return _UNKNOWN


def _array(plain: _Plain, shape: Any, dtype: Any, raw: Any, depth: int) -> Any:
    if not isinstance(shape, (list, tuple)) or not all(isinstance(n, int) for n in shape):
        return _UNKNOWN
    count = math.prod(shape) if shape else 1
    if count > MAX_ARRAY_ITEMS:
        return {"__class__": "numpy.ndarray", "shape": list(shape), "__state__": TRUNCATED}
    values = _decode_values(raw, dtype, count)
    if values is None:
        return _UNKNOWN
    values = [_clean_number(plain.convert(v, depth + 1)) for v in values]
    if not shape:
        return values[0] if values else None
    return _reshape(values, list(shape))


def _clean_number(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def to_plain(
    obj: Any, *, max_depth: int = MAX_PLAIN_DEPTH, max_nodes: int = MAX_PLAIN_NODES
) -> Any:
    """The stand-in graph as dicts, lists, strings, numbers, bytes and None.

    A stand-in instance becomes `{"__class__": "module.name", <its attributes>...}` plus
    `__args__` / `__state__` / `__items__` / `__list__` for what the pickle recorded; a
    stand-in class becomes `"<global module.name>"`. Never raises; deep or huge graphs are
    cut with a "…(truncated)" marker and cycles with "…(cycle)".
    """
    return _Plain(max_depth, max_nodes).convert(obj, 0)
