"""bench-tui: see GUI-agent benchmark runs, training logs and eval reports in a terminal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bench-tui")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
