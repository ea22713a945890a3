"""Fixes of members the destructor never releases: add the release to the destructor, or, for a class without one,
create it (with copying deleted, so that a class that is copied does not compile with the fix instead of releasing
twice)."""
from __future__ import annotations

import re

from analyzer.model import Finding

from .plans import Insert, Plan
from .releases import release_statement
from .source import IDENT, Source, eol_of, indent_of, indent_unit_of_file, strip_this


def fix_member(finding: Finding, src: Source) -> Plan | None:
    parts = finding.function.split("::")
    member = strip_this(finding.var)
    if len(parts) < 2 or not re.fullmatch(IDENT, member):
        return None
    cls = parts[-2]
    code = "\n".join(src.code)
    if not _initialized(code, member):
        return None  # a constructor may leave it holding garbage: releasing it would be worse
    release = release_statement(finding, member)
    if release is None:
        return None
    body = _destructor_body_end(src, code, cls)
    if body is not None:
        line, indent = body
        return Insert(line, f"dtor:{cls}", (f"{indent}{release}{eol_of(src.lines[line])}",))
    if re.search(rf"~\s*{re.escape(cls)}\s*\(", code):
        return None  # declared here, defined elsewhere
    return _create_destructor(src, code, cls, release)


def _initialized(code: str, member: str) -> bool:
    m = re.escape(member)
    return re.search(rf"(?<![\w.>]){m}\s*(?:\(\s*(?:nullptr|NULL|0)?\s*\)|\{{\s*(?:nullptr|NULL|0)?\s*\}}|"
                     rf"=\s*(?:nullptr|NULL|0)\s*[;,])", code) is not None


def _line_col(code: str, pos: int) -> tuple[int, int]:
    line = code.count("\n", 0, pos)
    return line, pos - (code.rfind("\n", 0, pos) + 1)


def _matching_brace(code: str, open_pos: int) -> int | None:
    depth = 0
    for pos in range(open_pos, len(code)):
        if code[pos] == "{":
            depth += 1
        elif code[pos] == "}":
            depth -= 1
            if depth == 0:
                return pos
    return None


def _block_end(code: str, opening: str) -> tuple[re.Match[str], int, int] | None:
    """The first block `opening` (a pattern ending at its `{`) starts: the match and the (line, column) of the
    block's closing brace."""
    m = re.search(opening, code)
    if m is None:
        return None
    close = _matching_brace(code, m.end() - 1)
    if close is None:
        return None
    return (m, *_line_col(code, close))


def _destructor_body_end(src: Source, code: str, cls: str) -> tuple[int, str] | None:
    """(line of the destructor body's closing brace, indent of a statement in it) when that brace is alone on its
    line."""
    block = _block_end(code, rf"(?:\b{re.escape(cls)}\s*::\s*)?~\s*{re.escape(cls)}\s*\(\s*(?:void)?\s*\)[^;{{}}]*\{{")
    if block is None:
        return None
    m, line, col = block
    if src.code[line][:col].strip():
        return None  # `~C() { ... }` on one line: leave it
    open_line, _ = _line_col(code, m.end() - 1)
    unit = indent_unit_of_file(src)
    inner = next((indent_of(src.lines[k]) for k in range(line - 1, open_line, -1) if src.code[k].strip()),
                 indent_of(src.lines[line]) + unit)
    if len(inner) <= len(indent_of(src.lines[line])):
        inner = indent_of(src.lines[line]) + unit
    return line, inner


def _create_destructor(src: Source, code: str, cls: str, release: str) -> Plan | None:
    block = _block_end(code, rf"\b(?:class|struct)\s+{re.escape(cls)}\b[^;{{}}()]*\{{")
    if block is None:
        return None
    _, line, col = block
    if src.code[line][:col].strip() or not src.code[line][col:].startswith("};"):
        return None
    eol = eol_of(src.lines[line])
    outer = indent_of(src.lines[line])
    unit = indent_unit_of_file(src)
    inner = outer + unit
    head = (f"{outer}public:{eol}", f"{inner}~{cls}(){eol}", f"{inner}{{{eol}")
    tail = (f"{inner}}}{eol}", f"{inner}{cls}(const {cls} &) = delete;{eol}",
            f"{inner}{cls} &operator=(const {cls} &) = delete;{eol}")
    return Insert(line, f"new-dtor:{cls}", (f"{inner}{unit}{release}{eol}",), head, tail)
