"""Source files as text: read leniently (bytes decoded with replacement), split into lines as compilers count them."""
from __future__ import annotations

from pathlib import Path


def split_lines(text: str) -> list[str]:
    """Lines as compilers and git count them: split at '\\n' only, endings kept."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def read_source_exact(path: str | Path) -> str | None:
    """The file's text for a patch: bytes that are not UTF-8 kept as lone surrogates (surrogateescape), so that
    writing it back with the same handler gives the very bytes (a Latin-1 comment in a patch's context)."""
    try:
        return Path(path).read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError:
        return None


def read_source(path: str | Path) -> str | None:
    """The file's text for display and fixes (not valid UTF-8: replacement characters), or None if unreadable."""
    try:
        return Path(path).read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def display(text: str) -> str:
    """A path or message safe to print and write as UTF-8: a file name that is not UTF-8 reaches Python with lone
    surrogates (os.fsdecode), shown here as replacement characters."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_CONTROLS = dict.fromkeys((*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)), "\ufffd")


def terminal_safe(text: str) -> str:
    """Text for a terminal: control characters (an escape sequence in a file name...) shown as U+FFFD, so scanned
    text cannot drive the terminal; tabs and newlines kept."""
    return text.translate(_CONTROLS)
