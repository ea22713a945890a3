"""Suggested fixes as one unified diff that `git apply` takes (difflib writes it)."""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

from analyzer.model import TextEdit
from analyzer.sourcetext import split_lines

from .paths import relative

NO_NEWLINE = "\\ No newline at end of file\n"


def quote_path(path: str) -> str:
    """Git's C-style quoting, only when the name needs it."""
    if not re.search(r'[\x00-\x1f"\\\x7f]', path) and not path.endswith(" "):
        return path
    table = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    body = "".join(table.get(ch, f"\\{ord(ch):03o}" if ord(ch) < 32 or ord(ch) == 127 else ch) for ch in path)
    return f'"{body}"'


def apply_edits(lines: list[str], edits: Iterable[TextEdit]) -> list[str]:
    """The file's lines after the (non-overlapping) edits, applied from the bottom up."""
    out = list(lines)
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out[e.start:e.end] = list(e.lines)
    return out


def unified_patch(edits: Iterable[TextEdit], read_text: Callable[[str], str | None], root: str) -> str:
    """One patch for `edits` (any number of files), paths relative to `root` as `a/...`, `b/...`."""
    by_file: dict[str, list[TextEdit]] = {}
    for e in edits:
        by_file.setdefault(e.file, []).append(e)
    out: list[str] = []
    for path, file_edits in sorted(by_file.items()):
        text = read_text(path)
        if text is None:
            continue
        old = split_lines(text)
        rel = relative(path, root)
        out += _file_diff(old, apply_edits(old, file_edits), rel)
    return "".join(out)


def _file_diff(old: list[str], new: list[str], rel: str) -> list[str]:
    lines = list(difflib.unified_diff(old, new, quote_path("a/" + rel), quote_path("b/" + rel), n=3))
    if lines:
        lines[0] = lines[0].rstrip() + "\n"  # difflib leaves a trailing space when there is no date
        lines[1] = lines[1].rstrip() + "\n"
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):  # the file's last line has no newline: say so, as git does
            out[-1] = line + "\n"
            out.append(NO_NEWLINE)
    return out
