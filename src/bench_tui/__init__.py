"""bench-tui: see GUI-agent benchmark runs, training logs and eval reports in a terminal."""

__version__ = "0.1.0"
"""pyproject.toml's version; a constant because importlib.metadata alone costs `--version` a
third of its start-up (tests/test_startup.py keeps the two equal)."""
