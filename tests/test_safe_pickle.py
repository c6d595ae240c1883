"""The restricted unpickler: plain data passes, every global is an inert stand-in, nothing runs."""

from __future__ import annotations

import collections
import gzip
import os
import pickle
import struct
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench_tui.sources.agentlab.safe_pickle import (
    StandIn,
    UnsafeOrUnreadablePickle,
    decompress_gzip,
    global_name,
    load_restricted,
    pick,
    read_pickle_file,
    to_plain,
)
from bench_tui.sources.common import ReadContext
from tests.fixtures.web_builders import (
    FAKE_MODULES,
    exp_args,
    fake_agentlab_classes,
    malicious_pickle,
    step_info,
)

PLAIN = {
    "text": "héllo",
    "int": 7,
    "big": 2**70,
    "float": 0.25,
    "bool": True,
    "none": None,
    "bytes": b"\x00\xffraw",
    "list": [1, [2, [3]]],
    "tuple": (1, "two"),
    "nested": {"a": {"b": [{"c": 1}]}},
}


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_plain_data_passes_through_in_every_protocol(protocol: int) -> None:
    loaded = load_restricted(pickle.dumps(PLAIN, protocol=protocol))
    assert loaded["text"] == "héllo" and loaded["big"] == 2**70 and loaded["nested"]["a"]["b"][0]
    plain = to_plain(loaded)
    assert plain["bytes"] == b"\x00\xffraw"
    assert plain["tuple"] == [1, "two"]
    assert plain["list"] == [1, [2, [3]]]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_builtin_values_built_through_globals_become_plain(protocol: int) -> None:
    value = [
        {3, 1},
        frozenset({"x"}),
        collections.OrderedDict(b=2, a=1),
        datetime(2025, 11, 8, 16, 20, 7, 123),
        date(2025, 11, 8),
        timedelta(seconds=90),
        bytearray(b"ab"),
        PurePosixPath("/runs/a"),
        collections.defaultdict(list, {"k": [1]}),
    ]
    plain = to_plain(load_restricted(pickle.dumps(value, protocol=protocol)))
    assert sorted(plain[0]) == [1, 3]
    assert plain[1] == ["x"]
    assert plain[2] == {"b": 2, "a": 1}
    assert plain[3] == "2025-11-08T16:20:07.000123"
    assert plain[4] == "2025-11-08"
    assert plain[5] == 90.0
    assert plain[6] == b"ab"
    assert plain[7] == "/runs/a"
    assert plain[8] == {"k": [1]}


def test_unknown_classes_become_stand_ins_with_their_fields(tmp_path: Path) -> None:
    with fake_agentlab_classes() as classes:
        data = pickle.dumps(exp_args(classes, "miniwob.click-button", 3), protocol=4)
    assert not any(name in sys.modules for name in FAKE_MODULES)
    loaded = load_restricted(data)
    assert isinstance(loaded, StandIn)
    assert global_name(loaded) == "agentlab.experiments.loop.ExpArgs"
    plain = to_plain(loaded)
    assert plain["__class__"] == "agentlab.experiments.loop.ExpArgs"
    assert plain["agent_args"]["chat_model_args"]["model_name"] == "lumen-4o"
    assert plain["agent_args"]["agent_name"] == "GenericAgent-lumen-4o"
    assert plain["env_args"]["task_name"] == "miniwob.click-button"
    assert plain["env_args"]["task_seed"] == 3
    assert plain["env_args"]["max_steps"] == 10
    assert plain["exp_date"] == "2025-11-08T16:20:07"
    # pick walks the same path without converting the rest.
    assert pick(loaded, "agent_args", "chat_model_args", "model_name") == "lumen-4o"
    assert pick(loaded, "env_args", "missing") is None
    assert pick(loaded, "env_args", "task_name", "deeper") is None


def test_step_info_fields_are_reachable() -> None:
    with fake_agentlab_classes() as classes:
        record = step_info(
            classes,
            4,
            "fill('f42', 'hi')",
            think="Type the name.",
            last_action_error="Element not found",
            boxes={"f42": [10.0, 20.0, 30.0, 40.0]},
            reward=0.5,
            terminated=True,
        )
        data = gzip.compress(pickle.dumps(record, protocol=4))
    loaded = load_restricted(data)
    plain = to_plain(loaded)
    assert plain["step"] == 4
    assert plain["reward"] == 0.5
    assert plain["terminated"] is True and plain["truncated"] is False
    assert plain["action"] == "fill('f42', 'hi')"
    assert plain["agent_info"]["think"] == "Type the name."
    assert plain["profiling"]["agent_stop"] - plain["profiling"]["agent_start"] == 1.25
    assert plain["obs"]["url"].startswith("http://miniwob.test/")
    assert plain["obs"]["extra_element_properties"]["f42"]["bbox"] == [10.0, 20.0, 30.0, 40.0]
    assert plain["obs"]["last_action_error"] == "Element not found"
    assert pick(loaded, "obs", "extra_element_properties", "f42", "bbox", 2) == 30.0


def test_malicious_reduce_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    loaded = load_restricted(malicious_pickle(marker))
    assert not marker.exists()
    payload = to_plain(loaded)["payload"]
    assert payload["__class__"] in ("posix.system", "nt.system")
    assert payload["__args__"] == [f"touch {marker}"]


def test_malicious_gzip_file_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "step_0.pkl.gz"
    path.write_bytes(gzip.compress(malicious_pickle(marker)))
    ctx = ReadContext(root=tmp_path)
    ok, value = read_pickle_file(path, ctx, what="a step record")
    assert ok and ctx.problems == []
    assert not marker.exists()
    assert isinstance(pick(value, "payload"), StandIn)


@pytest.mark.parametrize(
    "template",
    [
        # getattr(__import__('os'), 'system')('touch ...'): calls of calls stay records.
        "cbuiltins\ngetattr\n(cbuiltins\n__import__\n(Vos\ntRVsystem\ntR(V{cmd}\ntR.",
        "cbuiltins\nexec\n(Vimport os; os.system('{cmd}')\ntR.",
        "cbuiltins\neval\n(V__import__('os').system('{cmd}')\ntR.",
        "csubprocess\nPopen\n((Vsh\nV-c\nV{cmd}\nltR.",
        # INST / OBJ opcodes instantiate a named class directly.
        "(V{cmd}\nios\nsystem\n.",
        "(cos\nsystem\nV{cmd}\no.",
    ],
)
def test_code_execution_tricks_only_record(tmp_path: Path, template: str) -> None:
    marker = tmp_path / "pwned"
    data = template.format(cmd=f"touch {marker}").encode()
    loaded = load_restricted(data)
    assert not marker.exists()
    assert isinstance(loaded, StandIn)
    plain = to_plain(loaded)
    assert isinstance(plain, dict) and plain["__class__"]
    assert f"touch {marker}" in repr(plain)  # the command is kept as data


def test_find_class_imports_nothing() -> None:
    name = "bench_tui_never_imported_module"
    data = f"c{name}\nThing\n(tR.".encode()
    loaded = load_restricted(data)
    assert name not in sys.modules
    assert to_plain(loaded) == {"__class__": f"{name}.Thing"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"\x80\x04\x95", "ends early"),
        (b"not a pickle at all", "not a readable pickle"),
        (pickle.dumps({"a": 1})[:-1], "ends early"),
        (b"\x1f\x8b\x08\x00garbage", "gzip"),
        (gzip.compress(pickle.dumps([1, 2]))[:-6], "ends early"),
        (gzip.compress(pickle.dumps([1])) + b"trailing", "after the gzip"),
        (b"\x80\x04]\x94(K\x01h\x05e.", "not a readable pickle"),  # memo key never stored
    ],
)
def test_unreadable_pickles_raise_one_error_type(data: bytes, expected: str) -> None:
    with pytest.raises(UnsafeOrUnreadablePickle, match=expected):
        load_restricted(data)


def test_size_caps_refuse_large_and_decompression_bombs() -> None:
    bomb = gzip.compress(b"\x00" * 2_000_000)
    with pytest.raises(UnsafeOrUnreadablePickle, match="more than"):
        decompress_gzip(bomb, limit=1_000_000)
    with pytest.raises(UnsafeOrUnreadablePickle, match="larger than"):
        load_restricted(pickle.dumps(b"x" * 3_000_000), limit=2_000_000)


def test_multi_member_gzip_is_read_whole() -> None:
    data = pickle.dumps(list(range(100)))
    split = gzip.compress(data[:50]) + gzip.compress(data[50:])
    assert load_restricted(split) == list(range(100))


def test_read_pickle_file_turns_failures_into_located_problems(tmp_path: Path) -> None:
    ctx = ReadContext(root=tmp_path)
    bad = tmp_path / "episode" / "exp_args.pkl"
    bad.parent.mkdir()
    bad.write_bytes(b"\x80\x04garbage")
    assert read_pickle_file(bad, ctx, what="exp_args.pkl") == (False, None)
    assert read_pickle_file(tmp_path / "missing.pkl", ctx, what="x") == (False, None)
    assert [p.path for p in ctx.problems] == ["episode/exp_args.pkl", "missing.pkl"]
    assert "exp_args.pkl could not be read safely" in ctx.problems[0].message
    assert ctx.problems[0].line is None


def test_cycles_and_depth_are_cut_not_followed() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    assert to_plain(load_restricted(pickle.dumps(loop))) == [1, "…(cycle)"]
    nested: list[Any] = []
    current = nested
    for _ in range(300):
        current.append([])
        current = current[0]
    plain = to_plain(load_restricted(pickle.dumps(nested)), max_depth=20)
    depth = 0
    while isinstance(plain, list) and plain:
        plain, depth = plain[0], depth + 1
    assert plain == "…(truncated)" and depth <= 21
    wide = to_plain(list(range(10)) + [[i] for i in range(1000)], max_nodes=50)
    assert "…(truncated)" in wide


@contextmanager
def fake_numpy() -> Iterator[types.SimpleNamespace]:
    """Objects that pickle exactly like numpy scalars and arrays, with numpy absent."""
    names = ("numpy", "numpy.core", "numpy.core.multiarray")
    if any(name in sys.modules for name in names):
        pytest.skip("a real numpy is loaded")
    modules = {name: types.ModuleType(name) for name in names}

    def scalar(*args: Any) -> None: ...

    def _reconstruct(*args: Any) -> None: ...

    class ndarray: ...

    class dtype:
        def __init__(self, code: str = "f8", order: str = "<") -> None:
            self.code, self.order = code, order

        def __reduce__(self) -> Any:
            return (dtype, (self.code, False, True), (3, self.order, None, None, None, -1, -1, 0))

    class Scalar:
        def __init__(self, code: str, raw: bytes) -> None:
            self.code, self.raw = code, raw

        def __reduce__(self) -> Any:
            return (scalar, (dtype(self.code), self.raw))

    class Array:
        def __init__(self, code: str, shape: tuple[int, ...], raw: bytes) -> None:
            self.code, self.shape, self.raw = code, shape, raw

        def __reduce__(self) -> Any:
            state = (1, self.shape, dtype(self.code), False, self.raw)
            return (_reconstruct, (ndarray, (0,), b"b"), state)

    for obj, module in (
        (scalar, "numpy.core.multiarray"),
        (_reconstruct, "numpy.core.multiarray"),
        (ndarray, "numpy"),
        (dtype, "numpy"),
    ):
        obj.__module__ = module
        obj.__qualname__ = obj.__name__
        setattr(modules[module], obj.__name__, obj)
    sys.modules.update(modules)
    try:
        yield types.SimpleNamespace(Scalar=Scalar, Array=Array)
    finally:
        for name in names:
            sys.modules.pop(name, None)


def test_numpy_scalars_and_arrays_decode_without_numpy() -> None:
    with fake_numpy() as np:
        data = pickle.dumps(
            {
                "seed": np.Scalar("i8", struct.pack("<q", 1234567)),
                "reward": np.Scalar("f8", struct.pack("<d", 0.75)),
                "done": np.Scalar("b1", b"\x01"),
                "coords": np.Array("f4", (2,), struct.pack("<2f", 0.5, 0.25)),
                "grid": np.Array("i4", (2, 2), struct.pack("<4i", 1, 2, 3, 4)),
                "odd": np.Array("c16", (1,), b"\x00" * 16),
            },
            protocol=4,
        )
    plain = to_plain(load_restricted(data))
    assert plain["seed"] == 1234567
    assert plain["reward"] == 0.75
    assert plain["done"] is True
    assert plain["coords"] == [0.5, 0.25]
    assert plain["grid"] == [[1, 2], [3, 4]]
    assert plain["odd"]["__class__"] == "numpy.core.multiarray._reconstruct"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_either_load_or_raise_the_one_error(data: bytes) -> None:
    for candidate in (data, b"\x80\x04" + data, gzip.compress(data)):
        try:
            value = load_restricted(candidate)
        except UnsafeOrUnreadablePickle as exc:
            assert str(exc)
            continue
        to_plain(value)
        assert isinstance(value, object)


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=5), children, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_plain_values_round_trip(value: Any) -> None:
    assert to_plain(load_restricted(pickle.dumps(value, protocol=4))) == value


def test_stand_in_methods_only_record(tmp_path: Path) -> None:
    cls = type("StandIn", (StandIn,), {"stand_in_module": "os", "stand_in_name": "system"})
    instance = cls("rm -rf /")
    instance.append(1)
    instance.extend([2, 3])
    instance["k"] = "v"
    instance.__setstate__({"a": 1})
    result = instance("again")
    assert isinstance(result, StandIn)
    assert to_plain(instance) == {
        "__args__": ["rm -rf /"],
        "a": 1,
        "__items__": {"k": "v"},
        "__list__": [1, 2, 3],
        "__class__": "os.system",
    }
    assert os.path.exists(tmp_path)  # nothing was removed
