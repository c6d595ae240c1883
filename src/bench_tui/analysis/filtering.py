"""The `/` filter language (DESIGN §2): tokens AND, `!tok` negates, `field:value` matches a field.

`status:` takes pass, fail, infra, error, unfinished (any prefix of the status word); `model:`
restricts which models' statuses `status:` looks at.
"""

from __future__ import annotations

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


@dataclass
class Filterable:
    """What a row offers to the filter: free text, named fields, and a status per model."""

    text: str
    fields: Mapping[str, str] = field(default_factory=dict)
    statuses: Mapping[str, str] = field(default_factory=dict)
    labels: tuple[str, ...] = ()


def parse_query(query: str) -> list[Token]:
    tokens: list[Token] = []
    for word in query.split():
        negated = word.startswith("!")
        word = word[1:] if negated else word
        if not word:
            continue
        name, sep, value = word.partition(":")
        if sep and name and value:
            tokens.append(Token(name.lower(), value.lower(), negated))
        else:
            tokens.append(Token(None, word.lower(), negated))
    return tokens


def _status_matches(value: str, statuses: list[str]) -> bool:
    wanted = STATUS_WORDS.get(value)
    if wanted is not None:
        return wanted in statuses
    return any(status.startswith(value) for status in statuses)


def _matches(token: Token, row: Filterable, models: list[str]) -> bool:
    if token.field is None:
        return token.value in row.text
    if token.field == "status":
        return _status_matches(token.value, [row.statuses[m] for m in models])
    if token.field == "model":
        return bool(models)
    if token.field == "label":
        return any(token.value in label.lower() for label in row.labels)
    return token.value in row.fields.get(token.field, "").lower()


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
