"""Errors raised by profile parsers: "not my format" (try the next) vs "malformed" (fatal)."""

from __future__ import annotations


class NotMyFormat(Exception):
    """The data is not in this parser's format; the caller should try the next parser."""


class MalformedProfile(Exception):
    """The data is in a known format but broken; `str()` is a one-line user-facing message."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class UnknownFormat(MalformedProfile):
    """No parser recognized the data."""
