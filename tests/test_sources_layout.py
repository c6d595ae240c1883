"""Every reader is in registry.READERS once, asked in the order discovery depends on. (That the
format-neutral machinery reaches the formats only through the registry, and that no import cycle
exists, are import-linter contracts in pyproject.toml, run by .ci/run.)"""

from __future__ import annotations

from bench_tui.sources.base import Reader
from bench_tui.sources.registry import READERS


def test_every_reader_is_in_the_registry_once() -> None:
    assert all(isinstance(reader, Reader) for reader in READERS)
    names = [reader.name for reader in READERS]
    assert len(names) == len(set(names))
    # Folders are claimed in this order: an OpenAdapt run first, then episode folders.
    claiming = [reader.name for reader in READERS if reader.folder is not None]
    assert claiming == ["openadapt", "agentlab", "osworld", "webarena", "training"]
    sniffing = [reader.name for reader in READERS if reader.sniff_json is not None]
    assert sniffing == ["eval report", "episodes", "osworld task files"]
