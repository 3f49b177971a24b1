"""Domain errors: raised by actions, carrying a code and the field they concern."""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    """A rule of the domain refused an action. ``field`` names the input it concerns."""

    def __init__(self, code: StrEnum | str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.field = field


class NotFoundError(DomainError):
    """The row does not exist or the user may not see it: one answer for both."""

    def __init__(self, what: str) -> None:
        super().__init__("not_found", f"{what} not found")
