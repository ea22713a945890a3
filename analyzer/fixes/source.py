"""The source text of a fix: comments and literals blanked, statements and their brace-less headers located, edits
that put statements around a statement (adding braces where needed)."""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from analyzer.model import Finding
from analyzer.sourcetext import split_lines

IDENT = r"[A-Za-z_]\w*"
VAR_RE = re.compile(rf"(?:this->)?{IDENT}(?:(?:\.|->){IDENT})*")
RELEASER_RE = re.compile(rf"(?:::)?{IDENT}(?:::{IDENT})*")
CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tcc")
NOT_TYPES = {"return", "else", "case", "goto", "sizeof", "delete", "new", "throw", "do"}
MAX_STATEMENT_LINES = 12
UNSURE = (-1, -1)  # a brace-less header whose shape is not understood
# comments and literals, so that a '/*' inside a string does not count; an open '/*' runs to the end
SKIP_RE = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?", re.S)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace original lines [start, end) (0-based) with `new`; start == end is an insertion."""
    start: int
    end: int
    new: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Target:
    """Where the statement to fix sits, and the brace-less control header that owns it, if any."""
    line: int  # first line of the statement
    end: int  # last line of the statement
    inline_col: int  # > 0: the statement follows its header on the same line, from this column
    header: tuple[int, int] | None  # (line, column) after a brace-less `if (...)` / `else`
    header_indent: str


@dataclass(frozen=True, slots=True)
class Source:
    """The file's lines, and the same lines with comments and literal contents blanked."""
    lines: list[str]
    code: list[str]

    @staticmethod
    @functools.lru_cache(maxsize=16)  # one file's findings are fixed one by one, then together
    def parse(text: str) -> Source:
        def blank(m: re.Match[str]) -> str:
            token = m.group()
            if token[0] in "\"'":  # keep the quotes, so `"x"` stays an expression
                return token[0] + re.sub(r"[^\n]", " ", token[1:-1]) + token[-1:]
            return re.sub(r"[^\n]", " ", token)

        lines = split_lines(text)
        code = split_lines(SKIP_RE.sub(blank, text))
        code = [c.rstrip("\r\n") for c in code] + [""] * (len(lines) - len(code))
        return Source(lines, code)


# ---- locating the statement and its brace-less header ----------------------------------------

def locate(src: Source, idx: int) -> Target | None:
    """The statement starting on line `idx`, either on its own or after a one-line `if (...)`."""
    code = src.code[idx]
    indent = indent_of(src.lines[idx])
    stripped = code.strip()
    if not stripped:
        return None
    col = inline_header_end(code)
    if col is not None:
        # `if (cond) stmt;`: the statement must end on this line, alone after its header
        end = statement_end(src, idx, col)
        if end != idx or not code[col:].strip():
            return None
        return Target(idx, idx, col, (idx, col), indent)
    if re.match(r"\s*(?:\}|case\b|default\b|else\b|if\b|for\b|while\b|do\b|switch\b)", code):
        return None
    end = statement_end(src, idx, len(indent))
    if end is None:
        return None
    header = braceless_header(src, idx)
    if header == UNSURE:
        return None
    if header is None:
        return Target(idx, end, 0, None, indent)
    line, col = header
    return Target(idx, end, 0, (line, col), header_indent(src, line))


def inline_header_end(code: str) -> int | None:
    """Column after a brace-less `if (...)` / `else` that has a statement following on the line."""
    m = re.match(r"\s*(?:\}\s*)?(?:else\s+)?if\s*\(", code)
    if m:
        close = matching_paren(code, m.end() - 1)
        if close is None or code[close + 1:].lstrip().startswith("{"):
            return None
        return close + 1 if code[close + 1:].strip() else None
    m = re.match(r"\s*(?:\}\s*)?else\b(?!\s*if\b)", code)
    if m and code[m.end():].strip() and not code[m.end():].lstrip().startswith("{"):
        return m.end()
    return None


def matching_paren(code: str, open_col: int) -> int | None:
    depth = 0
    for col in range(open_col, len(code)):
        if code[col] == "(":
            depth += 1
        elif code[col] == ")":
            depth -= 1
            if depth == 0:
                return col
    return None


def braceless_header(src: Source, idx: int) -> tuple[int, int] | None:
    """(line, column) after the control header owning line `idx` as its brace-less body.

    None: the line is an ordinary statement; UNSURE: the layout is not understood.
    """
    prev = idx - 1
    while prev >= 0:
        if src.code[prev].strip():
            break
        prev -= 1
    if prev < 0:
        return None
    code = src.code[prev]
    tail = code.rstrip()
    if tail.endswith((";", "{", "}", ":")):
        return None
    if re.search(r"(?:^|[\s}])else$", tail):
        return prev, len(tail)
    if not tail.endswith(")"):
        return UNSURE
    # walk back to the matching '(' and check that a control keyword opens it
    depth = 0
    for line in range(prev, max(-1, prev - MAX_STATEMENT_LINES), -1):
        text = src.code[line]
        stop = len(tail) if line == prev else len(text)
        for col in range(stop - 1, -1, -1):
            ch = text[col]
            if ch == ")":
                depth += 1
            elif ch == "(":
                depth -= 1
                if depth == 0:
                    before = text[:col].rstrip()
                    if re.fullmatch(r"\s*(?:\}\s*)?(?:else\s+)?(?:if|while|for)", before):
                        return prev, len(tail)
                    return UNSURE
    return UNSURE


def header_indent(src: Source, header_line: int) -> str:
    """Indentation of the line on which the control statement owning `header_line` starts."""
    line = header_line
    depth = 0
    for k in range(header_line, max(-1, header_line - MAX_STATEMENT_LINES), -1):
        text = src.code[k]
        depth += text.count(")") - text.count("(")
        line = k
        if depth <= 0:
            break
    return indent_of(src.lines[line])


def statement_end(src: Source, idx: int, col: int) -> int | None:
    """Line on which the statement starting at (idx, col) ends with ';' outside parentheses."""
    depth = 0
    for k in range(idx, min(len(src.lines), idx + MAX_STATEMENT_LINES)):
        text = src.code[k]
        for pos in range(col if k == idx else 0, len(text)):
            ch = text[pos]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
            elif ch in "{}" and depth == 0:
                return None  # a block or initializer list: not a simple statement
            elif ch == ";" and depth == 0:
                return k if not text[pos + 1:].strip() else None
    return None


def statement_text(src: Source, target: Target) -> str:
    parts = [src.code[k] for k in range(target.line, target.end + 1)]
    parts[0] = parts[0][target.inline_col:]
    return "".join(parts).strip()


# ---- building edits --------------------------------------------------------------------------

def wrap(src: Source, t: Target, before: list[str], after: list[str], replacement: str | None = None) -> list[Edit]:
    """Put `before`/`after` around the target statement (replaced by `replacement` when given), adding braces to a
    brace-less body."""
    eol = eol_of(src.lines[t.line])
    unit = indent_unit(src, t)
    if t.inline_col:
        line = src.lines[t.line]
        head = line[:t.inline_col].rstrip()
        body_text = replacement if replacement is not None else line[t.inline_col:].strip()
        inner = t.header_indent + unit
        new = [f"{head} {{{eol}"] + [f"{inner}{s}{eol}" for s in before]
        new += [f"{inner}{body_text}{eol}"] + [f"{inner}{s}{eol}" for s in after]
        new.append(f"{t.header_indent}}}{line_end(line)}")
        return [Edit(t.line, t.line + 1, tuple(new))]
    indent = indent_of(src.lines[t.line])
    edits = []
    if t.header is not None:
        hline, hcol = t.header
        text = src.lines[hline]
        edits.append(Edit(hline, hline + 1, (text[:hcol] + " {" + text[hcol:],)))
    if replacement is not None:
        if t.end != t.line:
            return []
        comment = src.lines[t.line][len(src.code[t.line].rstrip()):].rstrip("\r\n")  # a trailing comment stays
        new_line = f"{indent}{replacement}{comment}{line_end(src.lines[t.line]) or eol}"
        edits.append(Edit(t.line, t.line + 1, (*(f"{indent}{s}{eol}" for s in before), new_line)))
        before = []
    if before:
        edits.append(Edit(t.line, t.line, tuple(f"{indent}{s}{eol}" for s in before)))
    tail = [f"{indent}{s}{eol}" for s in after]
    if t.header is not None:
        tail.append(f"{t.header_indent}}}{eol}")
    if tail:
        last = src.lines[t.end]
        if last.endswith("\n"):
            edits.append(Edit(t.end + 1, t.end + 1, tuple(tail)))
        else:  # the statement ends the file without a newline: keep it that way
            tail[-1] = tail[-1].rstrip("\r\n")
            edits.append(Edit(t.end, t.end + 1, (last + eol, *tail)))
    return edits


# ---- small source helpers --------------------------------------------------------------------

def in_macro(src: Source, idx: int) -> bool:
    """True when line `idx` is a preprocessor directive or continues a multi-line #define."""
    if src.code[idx].lstrip().startswith("#"):
        return True
    return idx > 0 and src.lines[idx - 1].rstrip("\r\n").endswith("\\")


def function_text(finding: Finding, src: Source) -> str:
    first, last = finding.function_span
    if first <= 0 or last < first:
        first, last = max(1, finding.loc.line - 200), finding.loc.line
    return "".join(src.code[first - 1:last])


def is_local(function_text: str, var: str) -> bool:
    if not re.fullmatch(IDENT, var):
        return False
    pattern = rf"(?<![\w.>])({IDENT})(?:\s*<[^;()]*>)?[\s*&]+(?:const\s+)?\**\s*{var}\s*(?:=|;|,|\)|\[)"
    return any(m.group(1) not in NOT_TYPES for m in re.finditer(pattern, function_text))


def fresh_name(name: str, text: str, taken: set[str]) -> str:
    while name in taken or mentions(text, name):
        name += "_"
    return name


def mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?!\w)", text) is not None


def base_name(var: str) -> str:
    return re.split(r"\.|->", strip_this(var))[0]


def strip_this(var: str) -> str:
    return var[6:] if var.startswith("this->") else var


def indent_of(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t"))] if line.strip() else ""


def eol_of(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def line_end(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def indent_unit(src: Source, t: Target) -> str:
    """One level of indentation as the file uses it."""
    if "\t" in t.header_indent or "\t" in indent_of(src.lines[t.line]):
        return "\t"
    own = indent_of(src.lines[t.line])
    if t.header is not None and not t.inline_col and len(own) > len(t.header_indent):
        return own[len(t.header_indent):]
    return indent_unit_of_file(src)


def indent_unit_of_file(src: Source) -> str:
    """The most common indentation step after an opening brace in the file (tabs when its lines use them)."""
    deltas: Counter[int] = Counter()
    prev: str | None = None
    for line in src.lines:
        if not line.strip():
            continue
        if prev is not None and prev.rstrip().endswith("{"):
            delta = len(indent_of(line)) - len(indent_of(prev))
            if 0 < delta <= 8:
                deltas[delta] += 1
        prev = line
    return " " * (deltas.most_common(1)[0][0] if deltas else 4)


def overlap(a: Edit, b: Edit) -> bool:
    if a.start == a.end and b.start == b.end:
        return False
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end




# ---- flow around a statement, read from the blanked code ----------------------------------------------------------

_TERMINATOR = re.compile(r"\b(?:return|throw|exit|_exit|abort|longjmp|siglongjmp)\b")


def block_end(src: Source, idx: int, col: int = 0) -> int:
    """Line of the `}` closing the block that holds the code at (idx, col); the last line when none does."""
    depth = 0
    for k in range(idx, len(src.code)):
        for ch in src.code[k][col if k == idx else 0:]:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth < 0:
                    return k
    return len(src.code) - 1


def same_block_statements(src: Source, first: int, last: int) -> list[tuple[int, str]]:
    """(line, code) of the lines in [first, last] at the nesting depth of line `first` (deeper lines left out)."""
    out = []
    depth = 0
    for k in range(first, last + 1):
        if depth == 0:
            out.append((k, src.code[k]))
        depth += src.code[k].count("{") - src.code[k].count("}")
        if depth < 0:
            break
    return out


def unconditional(code: str, pos: int) -> bool:
    """The statement at `pos` is not the brace-less body of an if/else/loop on the same line."""
    before = code[:pos].rstrip()
    return not before or before.endswith((";", "{", "}", ":"))


def statement_unconditional(src: Source, k: int, pos: int) -> bool:
    """The statement at (k, pos) is not the brace-less body of an if/else/loop header (same or previous line)."""
    code = src.code[k]
    if code[:pos].strip():
        return unconditional(code, pos)
    prev = next((src.code[j] for j in range(k - 1, -1, -1) if src.code[j].strip()), "")
    return not prev or prev.rstrip().endswith((";", "{", "}", ":"))


def terminator_after(src: Source, idx: int) -> int | None:
    """Line of the first unconditional return (or exit, abort, throw) after line `idx` in its block."""
    end = block_end(src, idx + 1)
    for k, code in same_block_statements(src, idx + 1, end):
        for m in _TERMINATOR.finditer(code):
            if statement_unconditional(src, k, m.start()):
                return k
    return None


def reassigned_after(src: Source, idx: int, var: str) -> tuple[int, str] | None:
    """(line, value) of the first unconditional assignment to `var` after line `idx` in its block."""
    end = block_end(src, idx + 1)
    pattern = re.compile(rf"(?<![\w.>]){re.escape(var)}\s*=(?!=)\s*([^;]*);")
    for k, code in same_block_statements(src, idx + 1, end):
        m = pattern.search(code)
        if m and statement_unconditional(src, k, m.start()):
            return k, m.group(1).strip()
    return None


_LOOP = re.compile(r"\b(?:for|while|do)\b")


def enclosing_loop_end(src: Source, idx: int, first: int) -> int | None:
    """Last line of the innermost loop body holding line `idx` (brace-less bodies included), None outside loops."""
    prev = next((src.code[j] for j in range(idx - 1, first - 1, -1) if src.code[j].strip()), "")
    if _LOOP.search(prev) and prev.rstrip().endswith(")"):
        return idx  # the brace-less body of a loop
    depth = 0
    for k in range(idx - 1, first - 1, -1):
        code = src.code[k]
        for pos in range(len(code) - 1, -1, -1):
            if code[pos] == "}":
                depth += 1
            elif code[pos] == "{" and depth > 0:
                depth -= 1
            elif code[pos] == "{":  # opens a block holding line idx
                opener = code[:pos] if code[:pos].strip() else (src.code[k - 1] if k > 0 else "")
                if _LOOP.search(opener) or opener.strip().endswith("do"):
                    return block_end(src, k, pos + 1)
    return None
