"""Command palette entries for every binding of the current screen."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from bench_tui.tui.screens.help import screen_bindings


class BindingCommands(Provider):
    def _entries(self) -> list[tuple[str, str, DOMNode, str]]:
        # The screen's own actions first, as in `?`: not "Up (up)" at the top.
        entries: dict[str, tuple[str, str, DOMNode, str]] = {}
        for keys, description, action, node in screen_bindings(self.screen):
            entries.setdefault(description, (description, action, node, keys))
        return list(entries.values())

    async def discover(self) -> Hits:
        for description, action, node, keys in self._entries():
            yield DiscoveryHit(
                f"{description} ({keys})",
                partial(self.app.run_action, action, node),
                help=f"key: {keys}",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action, node, keys in self._entries():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(description),
                    partial(self.app.run_action, action, node),
                    help=f"key: {keys}",
                )
