"""A footer that shows the keys that fit, whole, instead of cutting the last one in half.

Textual's Footer lays every binding out in one row and lets the row run under the palette key:
at 80 columns a person reads `c Compar▏`. Here the keys are chosen by the rank `?` uses (the
screen's own first) until the width is spent, `?` (Help) always kept as the way to the rest,
and shown in the order the screen declares them.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from bench_tui.tui.keys import binding_rank

HELP_ACTION = "help"
PALETTE_RESERVE = len(" ^p palette ") + 1
"""The palette key docked at the right, with its border."""


def key_width(key_display: str, description: str) -> int:
    """Cells a FooterKey takes: ` key ` then `description `."""
    return len(key_display) + 2 + (len(description) + 1 if description else 0)


class FittedFooter(Footer):
    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        screen = self.screen
        entries: dict[str, tuple[Binding, bool, str, object]] = {}
        for node, binding, enabled, tooltip in screen.active_bindings.values():
            if binding.show and binding.action not in entries:
                entries[binding.action] = (binding, enabled, tooltip, node)
        budget = self.app.size.width - PALETTE_RESERVE
        chosen: set[str] = set()
        help_entry = next((action for action in entries if action.endswith(HELP_ACTION)), None)
        if help_entry is not None:
            binding = entries[help_entry][0]
            budget -= key_width(self.app.get_key_display(binding), binding.description)
            chosen.add(help_entry)
        ranked = sorted(
            (action for action in entries if action != help_entry),
            key=lambda action: binding_rank(screen, entries[action][3], action),
        )
        for action in ranked:
            binding = entries[action][0]
            width = key_width(self.app.get_key_display(binding), binding.description)
            if width <= budget:
                chosen.add(action)
                budget -= width
        shown = [action for action in entries if action in chosen]
        self.styles.grid_size_columns = len(shown)
        for action in shown:
            binding, enabled, tooltip, _node = entries[action]
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _node, binding, enabled, tooltip = palette
                yield FooterKey(
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                    tooltip=binding.tooltip or binding.description,
                )

    def on_resize(self, event: Resize) -> None:
        self.call_after_refresh(self.recompose)
