"""WebArena and VisualWebArena result folders (FORMATS §12)."""
