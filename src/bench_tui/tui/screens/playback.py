"""Stepping and playback shared by the task page and the episode viewer."""

from __future__ import annotations

from textual.screen import Screen
from textual.timer import Timer

PLAY_INTERVALS_S = (4.0, 2.0, 1.0, 0.5, 0.25)


class StepPlayback(Screen[None]):
    """A screen showing one step of many: `_step_count()` and `_show_step()` are the screen's."""

    current = 0
    play_speed = 2
    play_timer: Timer | None = None

    def _step_count(self) -> int:
        raise NotImplementedError

    def _show_step(self) -> None:
        raise NotImplementedError

    def _go(self, index: int) -> None:
        count = self._step_count()
        if count:
            self.current = max(0, min(count - 1, index))
            self._show_step()

    def action_step(self, delta: int) -> None:
        self._go(self.current + delta)

    def action_first_step(self) -> None:
        self._go(0)

    def action_last_step(self) -> None:
        self._go(self._step_count() - 1)

    def action_play(self) -> None:
        if self.play_timer is not None:
            self.play_timer.stop()
            self.play_timer = None
            self.notify("paused", timeout=1)
            return
        self.play_timer = self.set_interval(PLAY_INTERVALS_S[self.play_speed], self._tick)
        self.notify(f"playing, one step per {PLAY_INTERVALS_S[self.play_speed]:g}s", timeout=1)

    def _tick(self) -> None:
        if self.current >= self._step_count() - 1:
            self.action_play()
            return
        self._go(self.current + 1)

    def action_speed(self, delta: int) -> None:
        self.play_speed = max(0, min(len(PLAY_INTERVALS_S) - 1, self.play_speed + delta))
        if self.play_timer is not None:
            self.play_timer.stop()
            self.play_timer = self.set_interval(PLAY_INTERVALS_S[self.play_speed], self._tick)
        self.notify(f"one step per {PLAY_INTERVALS_S[self.play_speed]:g}s", timeout=1)
