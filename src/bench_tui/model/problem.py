"""A located problem with an input file."""

from pydantic import BaseModel, ConfigDict


class Problem(BaseModel):
    """Something unreadable or inconsistent: where it is and what was expected.

    `path` is relative to the scanned folder with `/` separators; `line` is 1-based, or None
    where a line means nothing (a PNG, a missing file).
    """

    model_config = ConfigDict(frozen=True)

    path: str
    line: int | None = None
    message: str

    def located(self) -> str:
        """`path:line: message`, the one-line form `validate` prints."""
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.message)
