"""The inert objects the restricted unpickler builds instead of real classes and functions.

A stand-in records what a pickle did with it and nothing more; `pick` walks the recorded
attributes without converting the whole graph (a StepInfo carries a page's whole DOM).
"""

from __future__ import annotations

from typing import Any, ClassVar


class StandIn:
    """Base of the stand-in classes: an instance records how the pickle built it."""

    stand_in_module: ClassVar[str] = ""
    stand_in_name: ClassVar[str] = ""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    state: Any
    has_state: bool
    items: list[tuple[Any, Any]]
    appended: list[Any]
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]]

    def __new__(cls, *args: Any, **kwargs: Any) -> StandIn:
        instance = object.__new__(cls)
        instance.args = args
        instance.kwargs = kwargs
        instance.state = None
        instance.has_state = False
        instance.items = []
        instance.appended = []
        instance.calls = []
        return instance

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # __new__ did the recording; object.__init__ would reject the arguments.
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> StandIn:
        # A pickle may call the result of a call (getattr(x, "y")(...)): record, build nothing.
        self.calls.append((args, kwargs))
        return CallResult(self, *args, **kwargs)

    def __setstate__(self, state: Any) -> None:
        self.state = state
        self.has_state = True

    def __setitem__(self, key: Any, value: Any) -> None:
        self.items.append((key, value))

    def append(self, value: Any) -> None:
        self.appended.append(value)

    def extend(self, values: Any) -> None:
        if isinstance(values, (list, tuple)):
            self.appended.extend(values)
        else:
            self.appended.append(values)

    def add(self, value: Any) -> None:
        self.appended.append(value)

    @classmethod
    def qualified_name(cls) -> str:
        return f"{cls.stand_in_module}.{cls.stand_in_name}"

    def __repr__(self) -> str:
        return f"<stand-in {self.qualified_name()}>"


class CallResult(StandIn):
    stand_in_module = "bench_tui"
    stand_in_name = "call-result"


class PersistentRef(StandIn):
    stand_in_module = "bench_tui"
    stand_in_name = "persistent-id"


def global_name(obj: Any) -> str | None:
    """`module.name` of a stand-in class or of the global a stand-in instance was built from."""
    if isinstance(obj, type) and issubclass(obj, StandIn):
        return obj.qualified_name()
    if isinstance(obj, StandIn):
        return type(obj).qualified_name()
    return None


def state_dicts(obj: StandIn) -> list[dict[Any, Any]]:
    """The attribute dicts a stand-in's state holds: plain, (dict, slots) and pydantic's __dict__."""
    state = obj.state
    candidates: list[Any] = []
    if isinstance(state, dict):
        candidates.append(state)
    elif isinstance(state, tuple) and len(state) == 2:
        candidates.extend(part for part in state if isinstance(part, dict))
    found: list[dict[Any, Any]] = []
    for candidate in candidates:
        inner = candidate.get("__dict__")
        if isinstance(inner, dict):
            found.append(inner)
        found.append(candidate)
    return found


def pick(obj: Any, *path: str | int) -> Any:
    """Follow attribute names / keys / indexes through dicts, lists and stand-ins; None if absent.

    Converts nothing, so a large StepInfo is only walked along the wanted path.
    """
    current = obj
    for key in path:
        if current is None:
            return None
        if isinstance(current, dict):
            current = current.get(key)
        elif isinstance(current, (list, tuple)) and isinstance(key, int):
            current = current[key] if -len(current) <= key < len(current) else None
        elif isinstance(current, StandIn):
            current = _stand_in_field(current, key)
        else:
            return None
    return current


def _stand_in_field(obj: StandIn, key: str | int) -> Any:
    for attributes in state_dicts(obj):
        if key in attributes:
            return attributes[key]
    for item_key, value in obj.items:
        if item_key == key:
            return value
    if isinstance(key, int) and -len(obj.appended) <= key < len(obj.appended):
        return obj.appended[key]
    return obj.kwargs.get(key) if isinstance(key, str) else None
