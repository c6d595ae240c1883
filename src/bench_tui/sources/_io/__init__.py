"""Shared reading helpers every format uses: sized and partial JSON, positions, limits, value ranges, Python literals, recorded paths."""
