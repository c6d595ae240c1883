"""Find where a value sits in JSON text, so a Problem about one record can name its line.

`JsonDoc.line_of` finds a key by text search, which cannot tell the 7th entry of a list from the
8th. This walks the text with the stdlib decoder instead. It runs only when something is wrong,
and each container it walks through is scanned once (cached), so many bad entries in one big
list cost one pass over that list, not one pass each.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")

# Start offsets of an array's items, or of an object's member values by key.
_Children = list[int] | dict[str, int]


class JsonLocator:
    """Line numbers of values addressed by a path of object keys and list indexes."""

    def __init__(self, text: str):
        self.text = text
        self._newlines: list[int] | None = None
        self._children: dict[int, _Children] = {}

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
        """Line of the value at `path`; when part of the path is missing (a required key that
        is absent), the line of the deepest part that exists, which is the record to look at."""
        offset = self._skip(0)
        if offset >= len(self.text):
            return None
        for part in path:
            found = self._child(offset, part)
            if found is None:
                break
            offset = found
        return self.line_at(offset)

    def _skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        return match.end() if match else offset

    def _end_of_value(self, offset: int) -> int | None:
        try:
            _, end = _DECODER.raw_decode(self.text, offset)
        except (ValueError, RecursionError):
            # The text parsed before we got here, so this is nesting beyond the recursion
            # limit or a changed text: no line rather than a wrong one.
            return None
        return end

    def _child(self, offset: int, part: str | int) -> int | None:
        children = self._children.get(offset)
        if children is None:
            children = self._scan(offset)
            self._children[offset] = children
        if isinstance(children, list):
            if isinstance(part, int) and 0 <= part < len(children):
                return children[part]
            return None
        return children.get(part) if isinstance(part, str) else None

    def _scan(self, offset: int) -> _Children:
        if offset >= len(self.text):
            return []
        opener = self.text[offset]
        if opener == "[":
            return self._items(offset)
        if opener == "{":
            return self._members(offset)
        return []

    def _items(self, offset: int) -> list[int]:
        items: list[int] = []
        position = self._skip(offset + 1)
        while position < len(self.text) and self.text[position] != "]":
            items.append(position)
            end = self._end_of_value(position)
            if end is None:
                break
            position = self._skip(end)
            if position < len(self.text) and self.text[position] == ",":
                position = self._skip(position + 1)
        return items

    def _members(self, offset: int) -> dict[str, int]:
        members: dict[str, int] = {}
        position = self._skip(offset + 1)
        while position < len(self.text) and self.text[position] == '"':
            try:
                name, after_key = _DECODER.raw_decode(self.text, position)
            except ValueError:
                break
            position = self._skip(after_key)
            if position >= len(self.text) or self.text[position] != ":":
                break
            value_start = self._skip(position + 1)
            # Python keeps the last of duplicate keys, so the locator does too.
            members[name] = value_start
            end = self._end_of_value(value_start)
            if end is None:
                break
            position = self._skip(end)
            if position < len(self.text) and self.text[position] == ",":
                position = self._skip(position + 1)
        return members
