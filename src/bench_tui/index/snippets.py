"""Snippets of a hit's text, cut here because the full-text index keeps no copy of the texts.

Words are what SQLite's unicode61 tokenizer (remove_diacritics 2) makes of a text: runs of
letters and digits, compared with case folded and accents removed. A snippet is the stretch of
SNIPPET_TOKENS words that holds the most of the query's words and phrases (the first such), the
text between those words as it is, each match between the marks, and `…` where text was left
out on either side.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
ELLIPSIS = "…"


def fold(word: str) -> str:
    """A word as the index compares it: case folded, accents removed."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of each word of `text`."""
    return [(match.start(), match.end(), fold(match.group())) for match in _WORD.finditer(text)]


def phrase_words(term: str) -> list[str]:
    """The folded words of one query term (a word may be several: `hello-world`)."""
    return [word for _start, _end, word in words(term)]


def _matches(folded: list[str], phrases: list[list[str]]) -> list[tuple[int, int, int]]:
    """(first word, last word, phrase) of each place a phrase occurs."""
    found: list[tuple[int, int, int]] = []
    for number, phrase in enumerate(phrases):
        size = len(phrase)
        if not size:
            continue
        for first in range(len(folded) - size + 1):
            if folded[first] == phrase[0] and folded[first : first + size] == phrase:
                found.append((first, first + size - 1, number))
    return found


def _best_start(matches: list[tuple[int, int, int]], count: int, size: int) -> int:
    """The first word of the window of `size` words that holds the most distinct phrases, then
    the most matches; each candidate centres one match."""
    best, best_score = 0, (-1, -1)
    for first, last, _phrase in matches:
        start = max(0, min(first - (size - (last - first + 1)) // 2, count - size))
        inside = [m for m in matches if m[0] >= start and m[1] < start + size]
        score = (len({m[2] for m in inside}), len(inside))
        if score > best_score or (score == best_score and start < best):
            best, best_score = start, score
    return best


def snippet(text: str, phrases: list[list[str]], mark_open: str, mark_close: str, size: int) -> str:
    """The part of `text` that shows the matches of `phrases` (lists of folded words)."""
    found = words(text)
    if not found:
        return text
    folded = [word for _start, _end, word in found]
    matches = _matches(folded, phrases)
    start = _best_start(matches, len(found), size) if len(found) > size else 0
    stop = min(len(found), start + size)  # one past the last word shown
    begin = 0 if start == 0 else found[start][0]
    end = len(text) if stop == len(found) else found[stop - 1][1]
    # Overlapping matches show as one; matches that only touch stay apart.
    spans: list[list[int]] = []
    for first, last, _phrase in sorted(matches):
        first, last = max(first, start), min(last, stop - 1)
        if first > last:
            continue
        if spans and first <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], last)
        else:
            spans.append([first, last])
    parts = [ELLIPSIS] if start > 0 else []
    at = begin
    for first, last in spans:
        parts += (text[at : found[first][0]], mark_open, text[found[first][0] : found[last][1]])
        parts.append(mark_close)
        at = found[last][1]
    parts.append(text[at:end])
    if stop < len(found):
        parts.append(ELLIPSIS)
    return "".join(parts)
