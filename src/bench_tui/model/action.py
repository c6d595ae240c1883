"""One executed (or predicted) GUI action, coordinates normalised to 0..1."""

from typing import Any, Literal

from pydantic import BaseModel, Field

ActionType = Literal[
    "click",
    "double_click",
    "right_click",
    "type",
    "key",
    "hotkey",
    "scroll",
    "drag",
    "move",
    "wait",
    "answer",
    "done",
    "fail",
    "error",
    "other",
]

ACTION_TYPES: tuple[str, ...] = ActionType.__args__  # type: ignore[attr-defined]

CoordQuality = Literal["exact", "converted", "placeholder", "none"]


class Action(BaseModel):
    """An action as the common model keeps it: `x`/`y` are fractions of the screenshot."""

    type: ActionType = "other"
    x: float | None = None
    y: float | None = None
    end_x: float | None = None
    end_y: float | None = None
    coord_quality: CoordQuality = "none"
    element_id: str | None = None
    element_name: str | None = None
    text: str | None = None
    key: str | None = None
    modifiers: list[str] = Field(default_factory=list)
    scroll_direction: str | None = None
    scroll_amount: float | None = None
    answer: str | None = None
    raw: Any = None

    @property
    def has_point(self) -> bool:
        return self.x is not None and self.y is not None and self.coord_quality != "placeholder"

    def describe(self) -> str:
        """A short human-readable form: `click (0.41, 0.22)`, `type "hello"`, `hotkey ctrl+s`."""
        parts: list[str] = [self.type]
        if self.type == "drag" and self.has_point and self.end_x is not None:
            parts.append(f"({self.x:.3f}, {self.y:.3f}) → ({self.end_x:.3f}, {self.end_y:.3f})")
        elif self.has_point:
            parts.append(f"({self.x:.3f}, {self.y:.3f})")
        elif self.element_id is not None:
            parts.append(f"[{self.element_id}]")
        if self.element_name:
            parts.append(repr(self.element_name))
        if self.type == "hotkey" or (self.modifiers and self.key):
            parts.append("+".join([*self.modifiers, self.key or ""]).strip("+"))
        elif self.key:
            parts.append(self.key)
        if self.text is not None:
            parts.append(f'"{self.text}"')
        if self.scroll_direction:
            amount = "" if self.scroll_amount is None else f" {self.scroll_amount:g}"
            parts.append(f"{self.scroll_direction}{amount}")
        if self.answer:
            parts.append(f"answer: {self.answer}")
        return " ".join(parts)
