"""The `/` filter language (DESIGN §2): tokens AND, `!tok` negates, `field:value` matches a field.

`status:` takes pass, fail, infra, error, unfinished (any prefix of the status word); `model:`
restricts which models' statuses `status:` looks at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

STATUS_WORDS = {
    "pass": "passed",
    "passed": "passed",
    "fail": "failed",
    "failed": "failed",
    "infra": "infra",
    "error": "errored",
    "errored": "errored",
    "unfinished": "unfinished",
}


@dataclass(frozen=True)
class Token:
    field: str | None
    value: str
    negated: bool
    exact: bool = False
    """`column="value"`: the whole cell of that column equals the value (the `F` table's filter);
    matched by the screen, which knows its cells (see `exact_tokens`)."""


STATUS_CHOICES = ("pass", "fail", "infra", "error", "unfinished")
_EXACT = re.compile(r"^([A-Za-z_][\w-]*)=(.*)$", re.S)


def split_words(query: str) -> list[tuple[str, bool]]:
    """Words of the query and whether each was quoted: `"a b"` is one word, `"x:y"` plain text."""
    words: list[tuple[str, bool]] = []
    current: list[str] = []
    quoted = in_quotes = False
    for char in query:
        if char == '"':
            in_quotes = not in_quotes
            # Only a word that starts quoted is plain text; `domain="a b"` stays a field.
            quoted = quoted or not current
        elif char.isspace() and not in_quotes:
            if current or quoted:
                words.append(("".join(current), quoted))
            current, quoted = [], False
        else:
            current.append(char)
    if current or quoted:
        words.append(("".join(current), quoted))
    return words


@dataclass
class Filterable:
    """What a row offers to the filter: free text, named fields, and a status per model."""

    text: str
    fields: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # One matching rule for every list (case-insensitive), whichever screen built the row.
        self.text = self.text.lower()


def parse_query(query: str) -> list[Token]:
    tokens: list[Token] = []
    for word, quoted in split_words(query):
        negated = word.startswith("!")
        word = word[1:] if negated else word
        if not word:
            continue
        exact = _EXACT.match(word)
        if exact and not quoted:
            tokens.append(Token(exact.group(1).lower(), exact.group(2), negated, exact=True))
            continue
        name, sep, value = word.partition(":")
        if sep and name and value and not quoted:
            tokens.append(Token(name.lower(), value.lower(), negated))
        else:
            tokens.append(Token(None, word.lower(), negated))
    return tokens


def exact_tokens(query: str) -> list[Token]:
    """The `column="value"` tokens of a query, for the screen that knows its columns' cells."""
    return [token for token in parse_query(query) if token.exact]


def quote_value(value: str) -> str:
    """`value` as the filter language writes it: quoted when it holds a space or a quote."""
    return f'"{value}"' if not value or any(c.isspace() or c == '"' for c in value) else value


def query_hints(query: str) -> list[str]:
    """Sentences for tokens that can match nothing, e.g. a status word that does not exist."""
    hints = []
    for token in parse_query(query):
        if token.field == "status" and not any(
            word.startswith(token.value) for word in STATUS_WORDS
        ):
            hints.append(f"status: takes {', '.join(STATUS_CHOICES)} (got '{token.value}')")
    return hints


def _status_matches(value: str, statuses: list[str]) -> bool:
    wanted = STATUS_WORDS.get(value)
    if wanted is not None:
        return wanted in statuses
    return any(status.startswith(value) for status in statuses)


def _matches(token: Token, row: Filterable, models: list[str]) -> bool:
    if token.exact:
        return True  # matched by the screen (exact_tokens)
    if token.field is None:
        return token.value in row.text
    if token.field == "status":
        return _status_matches(token.value, [row.statuses[m] for m in models])
    if token.field == "model":
        return bool(models)
    if token.field == "label":
        return any(token.value in label.lower() for label in row.labels)
    if token.field not in row.fields:
        # Not a field name: an id such as `settings:dark_mode` is typed as it reads.
        return f"{token.field}:{token.value}" in row.text
    return token.value in row.fields[token.field].lower()


def compile_query(query: str) -> Callable[[Filterable], bool]:
    """A predicate for rows; an empty query keeps everything."""
    tokens = parse_query(query)
    model_tokens = [t for t in tokens if t.field == "model"]
    if all(t.field is None for t in tokens):
        # Plain words only (the usual case while typing): substring tests, nothing per model.
        plain = [(t.value, t.negated) for t in tokens]

        def text_predicate(row: Filterable) -> bool:
            text = row.text
            return all((value in text) != negated for value, negated in plain)

        return text_predicate

    def predicate(row: Filterable) -> bool:
        models = [
            model
            for model in row.statuses
            if all((t.value in model.lower()) != t.negated for t in model_tokens)
        ]
        return all(_matches(token, row, models) != token.negated for token in tokens)

    return predicate
