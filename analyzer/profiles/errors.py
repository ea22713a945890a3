"""Errors raised by profile parsers: "not my format" (try the next) vs "malformed" (fatal)."""

from __future__ import annotations

from analyzer.errors import InputError


class NotMyFormat(Exception):
    """The data is not in this parser's format; the caller should try the next parser."""


class MalformedProfile(InputError):
    """The data is in a known format but broken; `str()` is a one-line user-facing message."""


class UnknownFormat(MalformedProfile):
    """No parser recognized the data."""
