"""Source code with a finding's path drawn on it: reading, highlighting, event bubbles, collapsing."""
from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from pygments.lexers import CLexer, CppLexer
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, _TokenType

from analyzer.model import Finding, PathEvent
from analyzer.sourcetext import split_lines
from reports.html.model import Bubble, CodeBlock, CodeLine, SourceView, Token

SourceReader = Callable[[str], "str | None"]

_C_SUFFIXES = (".c", ".i")
# block comments, literals (with line continuations) and raw strings: what makes lexing a slice unsafe
_MULTILINE_RE = re.compile(r"/\*.*?(?:\*/|\Z)|//(?:[^\n\\]|\\.)*|\"(?:[^\"\\\n]|\\.)*\"?|'(?:[^'\\\n]|\\.)*'?"
                           r"|R\"([^(\s]{0,16})\(.*?\)\1\"", re.S)
STYLE = "default"  # Pygments style
_CONTEXT_LINES = 3  # lines shown around each event before the rest collapses
_COLLAPSE_MIN = 6  # shorter runs without events stay open
_FALLBACK_RADIUS = 15  # lines around the events when the function's span is unknown


class SourceCache:
    """Source texts, read once per file, and highlighted lines, tokenized once per line range."""

    def __init__(self, root: str, reader: SourceReader) -> None:
        self.root = root
        self.reader = reader
        self.texts: dict[str, str | None] = {}
        self.lines: dict[str, list[str]] = {}
        self.inside: dict[str, set[int]] = {}  # lines that start inside a block comment or literal
        self.tokens: dict[str, dict[int, list[Token]]] = {}

    def get(self, path: str) -> str | None:
        if path not in self.texts:
            text = self.reader(path)
            self.texts[path] = text.replace("\r\n", "\n") if text is not None else None
        return self.texts[path]

    def highlighted(self, path: str, first: int, last: int) -> dict[int, list[Token]]:
        """Tokens of lines first..last (1-based), lexing from a line where no comment is open."""
        done = self.tokens.setdefault(path, {})
        missing = [n for n in range(first, last + 1) if n not in done]
        if not missing:
            return done
        if path not in self.lines:
            text = self.get(path) or ""
            self.lines[path] = split_lines(text)
            self.inside[path] = _continued_lines(text)
        lines, inside = self.lines[path], self.inside[path]
        start = missing[0]
        while start > 1 and start in inside:
            start -= 1
        chunk = "".join(lines[start - 1:missing[-1]])
        for k, tokens in enumerate(_highlight(chunk, path)):
            if start + k <= missing[-1]:
                done[start + k] = tokens
        return done


def _continued_lines(text: str) -> set[int]:
    """Line numbers whose first character is inside a multi-line comment or literal."""
    inside: set[int] = set()
    for m in _MULTILINE_RE.finditer(text):
        newlines = m.group().count("\n")
        if newlines:
            line = text.count("\n", 0, m.start()) + 1
            inside.update(range(line + 1, line + newlines + 1))
    return inside


def file_reader(root: str) -> SourceReader:
    def read(path: str) -> str | None:
        full = Path(path) if os.path.isabs(path) or not root else Path(root) / path
        try:
            return full.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None
    return read


@functools.cache
def _token_class(ttype: _TokenType) -> str:
    """The Pygments short class, or '' when the style gives it no look (fewer spans to render)."""
    while ttype not in STANDARD_TYPES and ttype.parent is not None:
        ttype = ttype.parent
    cls = STANDARD_TYPES[ttype]
    return cls if cls in _styled_classes() else ""


@functools.lru_cache(maxsize=1)
def _styled_classes() -> frozenset[str]:
    style = get_style_by_name(STYLE)
    looks = ("color", "bold", "italic", "underline", "bgcolor", "border")
    styled = {STANDARD_TYPES.get(t) for t, s in style if any(s.get(k) for k in looks)}
    return frozenset(c for c in styled if c and c != "w")  # 'w' only greys visible whitespace


def _highlight(text: str, path: str) -> list[list[Token]]:
    """Pygments tokens split per line, so each line can carry its own annotations."""
    lexer_class = CLexer if path.lower().endswith(_C_SUFFIXES) else CppLexer
    lexer = lexer_class(stripnl=False, ensurenl=False)
    lines: list[list[Token]] = [[]]
    for _, ttype, value in lexer.get_tokens_unprocessed(text.replace("\r", " ")):
        cls = _token_class(ttype)
        for k, part in enumerate(value.split("\n")):
            if k:
                lines.append([])
            if not part:
                continue
            if lines[-1] and lines[-1][-1].cls == cls:
                lines[-1][-1] = Token(cls, lines[-1][-1].text + part)
            else:
                lines[-1].append(Token(cls, part))
    return lines


def source_view(f: Finding, text: str, highlight: Callable[[int, int], dict[int, list[Token]]],
                 events: list[tuple[Bubble, PathEvent]], prefix: str) -> SourceView | None:
    """The finding's function with its path drawn on it; None when there is no text to show."""
    lines = split_lines(text)
    here = [(b, ev) for b, ev in events if _same_file(ev.loc.file, f.loc.file)]
    marks = _marked_lines(f, here, len(lines))
    span = _shown_span(f, marks, lines)
    if span is None:
        return None
    first, last = span
    tokens = highlight(first, last)
    bubbles = _bubbles_by_line(here, lines, prefix)
    near = {n for m in marks for n in range(m - _CONTEXT_LINES, m + _CONTEXT_LINES + 1)} | {first, last}
    code = [CodeLine(number, f"{prefix}L{number}", tokens.get(number, []),
                     "report" if number == f.loc.line else "event" if number in bubbles else "",
                     bubbles.get(number, []))
            for number in range(first, last + 1)]
    return SourceView(_fold(code, near), first, last)


def _marked_lines(f: Finding, here: list[tuple[Bubble, PathEvent]], line_count: int) -> set[int]:
    """Lines of the file that carry an event, the report or the acquisition."""
    marks = {ev.loc.line for _, ev in here} | {f.loc.line}
    if f.acquire and _same_file(f.acquire.file, f.loc.file):
        marks.add(f.acquire.line)
    return {m for m in marks if 1 <= m <= line_count}


def _shown_span(f: Finding, marks: set[int], lines: list[str]) -> tuple[int, int] | None:
    """The function with its signature, widened to every mark; around the marks when its span is unknown."""
    if not lines:
        return None
    first, last = f.function_span
    if not (1 <= first <= last <= len(lines)):
        if not marks:
            return None
        first = max(1, min(marks) - _FALLBACK_RADIUS)
        last = min(len(lines), max(marks) + _FALLBACK_RADIUS)
    first, last = min([first, *marks]), max([last, *marks])
    return _signature_start(lines, first), last


def _bubbles_by_line(here: list[tuple[Bubble, PathEvent]], lines: list[str], prefix: str) -> dict[int, list[Bubble]]:
    """Each event's bubble under its line, indented to its column, with links made page-unique by `prefix`."""
    by_line: dict[int, list[Bubble]] = defaultdict(list)
    for bubble, ev in here:
        if 1 <= ev.loc.line <= len(lines):
            indent = ev.loc.col - 1 if ev.loc.col > 0 else _indent_width(lines[ev.loc.line - 1])
            by_line[ev.loc.line].append(Bubble(
                bubble.number, bubble.kind, bubble.message, min(indent, 80), prefix + bubble.anchor,
                prefix + bubble.prev if bubble.prev else "", prefix + bubble.next if bubble.next else ""))
    return by_line


def _fold(code: list[CodeLine], near: set[int]) -> list[CodeBlock]:
    """Runs of lines away from every mark collapse, unless too short to be worth a click."""
    blocks: list[CodeBlock] = []
    for line in code:
        collapsed = line.number not in near
        if blocks and blocks[-1].collapsed == collapsed:
            blocks[-1].lines.append(line)
        else:
            blocks.append(CodeBlock(collapsed, [line]))
    merged: list[CodeBlock] = []
    for block in blocks:
        if block.collapsed and len(block.lines) < _COLLAPSE_MIN:
            block = CodeBlock(False, block.lines)
        if merged and not merged[-1].collapsed and not block.collapsed:
            merged[-1].lines.extend(block.lines)
        else:
            merged.append(block)
    return merged


def _signature_start(lines: list[str], first: int) -> int:
    """Step back over the function's signature, which the body span leaves out."""
    for _ in range(4):
        if first <= 1:
            break
        prev = lines[first - 2].strip()
        if not prev or prev.endswith((";", "}")) or prev.startswith(("#", "//", "/*", "*")):
            break
        first -= 1
    return first


def _indent_width(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _same_file(a: str, b: str) -> bool:
    return os.path.normpath(a) == os.path.normpath(b)


def display_path(path: str, root: str) -> str:
    if root and os.path.isabs(path):
        try:
            rel = os.path.relpath(path, root)
        except ValueError:
            return path
        if not rel.startswith(".."):
            return Path(rel).as_posix()
    return path
