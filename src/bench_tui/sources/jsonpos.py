"""Find where a value sits in JSON text, so a Problem about one record can name its line.

`JsonDoc.line_of` finds a key by text search, which cannot tell the 7th entry of a list from the
8th. This walks the text with the stdlib decoder instead. It is only called when something is
wrong, so the cost (decoding the preceding siblings once more) is paid for bad records only.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class JsonLocator:
    """Line numbers of values addressed by a path of object keys and list indexes."""

    def __init__(self, text: str):
        self.text = text
        self._newlines: list[int] | None = None

    def line_at(self, offset: int) -> int:
        """1-based line of a character offset."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def offset_of(self, path: Sequence[str | int]) -> int | None:
        """Offset where the value at `path` starts, or None when the path does not exist."""
        offset = self._skip(0)
        for part in path:
            found = self._child(offset, part)
            if found is None:
                return None
            offset = found
        return offset

    def line_of(self, path: Sequence[str | int]) -> int | None:
        offset = self.offset_of(path)
        return None if offset is None else self.line_at(offset)

    def _skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        return match.end() if match else offset

    def _end_of_value(self, offset: int) -> int | None:
        try:
            _, end = _DECODER.raw_decode(self.text, offset)
        except (ValueError, RecursionError):
            # The text was parsed before we got here; failing now means it changed shape
            # (or is nested beyond the recursion limit): no line rather than a wrong one.
            return None
        return end

    def _child(self, offset: int, part: str | int) -> int | None:
        if offset >= len(self.text):
            return None
        opener = self.text[offset]
        if isinstance(part, int) and opener == "[":
            return self._item(offset, part)
        if isinstance(part, str) and opener == "{":
            return self._member(offset, part)
        return None

    def _item(self, offset: int, index: int) -> int | None:
        position = self._skip(offset + 1)
        current = 0
        while position < len(self.text) and self.text[position] != "]":
            if current == index:
                return position
            end = self._end_of_value(position)
            if end is None:
                return None
            position = self._skip(end)
            if position < len(self.text) and self.text[position] == ",":
                position = self._skip(position + 1)
            current += 1
        return None

    def _member(self, offset: int, key: str) -> int | None:
        position = self._skip(offset + 1)
        found: int | None = None
        while position < len(self.text) and self.text[position] == '"':
            try:
                name, after_key = _DECODER.raw_decode(self.text, position)
            except ValueError:
                return found
            position = self._skip(after_key)
            if position >= len(self.text) or self.text[position] != ":":
                return found
            value_start = self._skip(position + 1)
            # Python keeps the last of duplicate keys, so the locator does too.
            if name == key:
                found = value_start
            end = self._end_of_value(value_start)
            if end is None:
                return found
            position = self._skip(end)
            if position < len(self.text) and self.text[position] == ",":
                position = self._skip(position + 1)
        return found
