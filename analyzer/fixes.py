"""Suggested fixes for findings, as structured text edits (reports render them as one unified diff)."""
from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .model import AnalysisResult, Finding, Fix, TextEdit
from .sourcetext import split_lines

__all__ = ["attach_fixes", "fix_for", "fixes_for_file"]

_CONTEXT = 3
_IDENT = r"[A-Za-z_]\w*"
_VAR_RE = re.compile(rf"(?:this->)?{_IDENT}(?:(?:\.|->){_IDENT})*")
_RELEASER_RE = re.compile(rf"(?:::)?{_IDENT}(?:::{_IDENT})*")
_CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tcc")
_CONTROL = ("if", "while", "for")
_NOT_TYPES = {"return", "else", "case", "goto", "sizeof", "delete", "new", "throw", "do"}
_MAX_STATEMENT_LINES = 12
_UNSURE = (-1, -1)  # a brace-less header whose shape is not understood
# comments and literals, so that a '/*' inside a string does not count; an open '/*' runs to the end
_SKIP_RE = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?", re.S)


@dataclass(frozen=True, slots=True)
class _Edit:
    """Replace original lines [start, end) (0-based) with `new`; start == end is an insertion."""
    start: int
    end: int
    new: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Target:
    """Where the statement to fix sits, and the brace-less control header that owns it, if any."""
    line: int  # first line of the statement
    end: int  # last line of the statement
    inline_col: int  # > 0: the statement follows its header on the same line, from this column
    header: tuple[int, int] | None  # (line, column) after a brace-less `if (...)` / `else`
    header_indent: str


@dataclass(frozen=True, slots=True)
class _Source:
    """The file's lines, and the same lines with comments and literal contents blanked."""
    lines: list[str]
    code: list[str]

    @staticmethod
    @functools.lru_cache(maxsize=16)  # one file's findings are fixed one by one, then together
    def parse(text: str) -> _Source:
        def blank(m: re.Match[str]) -> str:
            token = m.group()
            if token[0] in "\"'":  # keep the quotes, so `"x"` stays an expression
                return token[0] + re.sub(r"[^\n]", " ", token[1:-1]) + token[-1:]
            return re.sub(r"[^\n]", " ", token)

        lines = split_lines(text)
        code = split_lines(_SKIP_RE.sub(blank, text))
        code = [c.rstrip("\r\n") for c in code] + [""] * (len(lines) - len(code))
        return _Source(lines, code)


# ---- public API ------------------------------------------------------------------------------

def fix_for(finding: Finding, source_text: str) -> Fix | None:
    """The edits that fix `finding` alone in `source_text` (its file), or None.

    None means no fix is certain to be safe: unknown variable or release function, the
    statement comes from a macro, the return value uses the resource, unusual layout.
    """
    per_finding, _ = fixes_for_file([finding], source_text)
    return per_finding.get(0)


def fixes_for_file(findings: Sequence[Finding], source_text: str) -> tuple[dict[int, Fix], tuple[TextEdit, ...]]:
    """Fixes of findings reported in one file: each finding's own fix (by index), and the edits fixing all of them.

    A leak lost on several exits is fixed on every one of them, or not at all. Findings reported on the same
    statement (say a buffer and a file both leaking at one `return`) share one edit: all releases go before it,
    inside one pair of added braces. A fix that would clash with one already taken is left out of the combined edits.
    """
    src = _Source.parse(source_text)
    cxx = bool(findings) and findings[0].loc.file.lower().endswith(_CXX_SUFFIXES)
    own: dict[int, Fix] = {}
    for n, finding in enumerate(findings):
        plans = [_plan(x, src, cxx, set()) for x in _per_exit(finding)]
        if plans and all(p is not None for p in plans):
            own[n] = _as_fix(finding.loc.file, _merged_edits(src, [p for p in plans if p is not None]))
    taken: set[str] = set()  # the combined patch must not reuse a fresh name
    combined = [p for f in findings for x in _per_exit(f) if (p := _plan(x, src, cxx, taken)) is not None]
    path = findings[0].loc.file if findings else ""
    return own, _as_fix(path, _merged_edits(src, combined)).edits


def _per_exit(f: Finding) -> list[Finding]:
    """The finding as it is lost at each of its exits (one for a finding with a single exit)."""
    return [f, *(dataclasses.replace(f, loc=x.loc, path=x.path, snippet=x.snippet, exits=()) for x in f.exits)]


def _merged_edits(src: _Source, plans: Sequence[_Plan]) -> list[_Edit]:
    """Plans on one statement merged into one wrap; edits that would clash with earlier ones left out."""
    by_line: dict[int, _Plan] = {}
    for plan in plans:
        if plan.target.line in by_line:
            old = by_line[plan.target.line]
            if old.target != plan.target:
                continue
            plan = _Plan(plan.target, _union(old.before, plan.before), _union(plan.after, old.after))
        by_line[plan.target.line] = plan
    edits: list[_Edit] = []
    for _, plan in sorted(by_line.items()):
        new = _wrap(src, plan.target, plan.before, plan.after)
        if not any(_overlap(a, b) or a.start == b.start == a.end == b.end for a in new for b in edits):
            edits += new
    return edits


def _as_fix(path: str, edits: Sequence[_Edit]) -> Fix:
    return Fix(tuple(TextEdit(path, e.start, e.end, e.new) for e in sorted(edits, key=lambda e: (e.start, e.end))))


# ---- the fixes -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Plan:
    """Statements to put before and after the target statement."""
    target: _Target
    before: list[str]
    after: list[str]


def _union(a: list[str], b: list[str]) -> list[str]:
    return a + [x for x in b if x not in a]


def _plan(finding: Finding, src: _Source, cxx: bool, taken: set[str]) -> _Plan | None:
    idx = finding.loc.line - 1
    if not 0 <= idx < len(src.lines) or not _VAR_RE.fullmatch(finding.var or ""):
        return None
    if _in_macro(src, idx):
        return None
    if finding.rule_id == "resource-leak":
        return _fix_leak(finding, src, idx)
    if finding.rule_id == "leak-on-overwrite":
        return _fix_overwrite(finding, src, idx, cxx, taken)
    return None

def _release_statement(finding: Finding, var: str) -> str | None:
    releaser = (finding.expected or finding.releaser).strip()
    kind = finding.resource_kind.strip()
    if releaser in ("delete[]", "operator delete[]") or kind in ("new[]", "delete[]"):
        return f"delete[] {var};"
    if releaser in ("delete", "operator delete") or kind in ("new", "delete"):
        return f"delete {var};"
    if not _RELEASER_RE.fullmatch(releaser):
        return None
    return f"{releaser}({var});"


def _fix_leak(finding: Finding, src: _Source, idx: int) -> _Plan | None:
    if not _mentions(_function_text(finding, src), _base_name(finding.var)):
        return None  # the variable is not visible in the function's text: a macro made it
    release = _release_statement(finding, finding.var)
    target = _locate(src, idx)
    if release is None or target is None:
        return None
    stmt = _statement_text(src, target)
    m = re.match(r"return\b(.*);\s*$", stmt, re.S)
    if m is None or _mentions(m.group(1), _base_name(finding.var)):
        return None  # the returned value reads the resource: releasing first would use it freed
    return _Plan(target, [release], [])


def _fix_overwrite(finding: Finding, src: _Source, idx: int, cxx: bool,
                   taken: set[str]) -> _Plan | None:
    var = finding.var
    target = _locate(src, idx)
    if target is None or target.end != target.line:
        return None
    stmt = _statement_text(src, target)
    m = re.fullmatch(rf"((?:this->)?{_IDENT}(?:(?:\.|->){_IDENT})*)\s*=(?!=)(.*);\s*", stmt, re.S)
    if m is None or _strip_this(m.group(1)) != _strip_this(var):
        return None
    lhs = m.group(1)
    if _mentions(m.group(2), _base_name(var)):
        return None  # `p = realloc(p, n)` and friends need a different fix
    if _is_local(_function_text(finding, src), var):
        release = _release_statement(finding, lhs)
        return None if release is None else _Plan(target, [release], [])
    leaf = re.split(r"\.|->", var)[-1].lstrip("_") or "value"
    old = _fresh_name(f"old_{leaf}", "".join(src.lines), taken)
    release = _release_statement(finding, old)
    if release is None:
        return None
    save = f"auto {old} = {lhs};" if cxx else f"__typeof__({lhs}) {old} = {lhs};"
    taken.add(old)
    return _Plan(target, [save], [release])


# ---- locating the statement and its brace-less header ----------------------------------------

def _locate(src: _Source, idx: int) -> _Target | None:
    """The statement starting on line `idx`, either on its own or after a one-line `if (...)`."""
    code = src.code[idx]
    indent = _indent(src.lines[idx])
    stripped = code.strip()
    if not stripped:
        return None
    col = _inline_header_end(code)
    if col is not None:
        # `if (cond) stmt;`: the statement must end on this line, alone after its header
        end = _statement_end(src, idx, col)
        if end != idx or not code[col:].strip():
            return None
        return _Target(idx, idx, col, (idx, col), indent)
    if re.match(r"\s*(?:\}|case\b|default\b|else\b|if\b|for\b|while\b|do\b|switch\b)", code):
        return None
    end = _statement_end(src, idx, len(indent))
    if end is None:
        return None
    header = _braceless_header(src, idx)
    if header == _UNSURE:
        return None
    if header is None:
        return _Target(idx, end, 0, None, indent)
    line, col = header
    return _Target(idx, end, 0, (line, col), _header_indent(src, line))


def _inline_header_end(code: str) -> int | None:
    """Column after a brace-less `if (...)` / `else` that has a statement following on the line."""
    m = re.match(r"\s*(?:\}\s*)?(?:else\s+)?if\s*\(", code)
    if m:
        close = _matching_paren(code, m.end() - 1)
        if close is None or code[close + 1:].lstrip().startswith("{"):
            return None
        return close + 1 if code[close + 1:].strip() else None
    m = re.match(r"\s*(?:\}\s*)?else\b(?!\s*if\b)", code)
    if m and code[m.end():].strip() and not code[m.end():].lstrip().startswith("{"):
        return m.end()
    return None


def _matching_paren(code: str, open_col: int) -> int | None:
    depth = 0
    for col in range(open_col, len(code)):
        if code[col] == "(":
            depth += 1
        elif code[col] == ")":
            depth -= 1
            if depth == 0:
                return col
    return None


def _braceless_header(src: _Source, idx: int) -> tuple[int, int] | None:
    """(line, column) after the control header owning line `idx` as its brace-less body.

    None: the line is an ordinary statement; _UNSURE: the layout is not understood.
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
        return _UNSURE
    # walk back to the matching '(' and check that a control keyword opens it
    depth = 0
    for line in range(prev, max(-1, prev - _MAX_STATEMENT_LINES), -1):
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
                    return _UNSURE
    return _UNSURE


def _header_indent(src: _Source, header_line: int) -> str:
    """Indentation of the line on which the control statement owning `header_line` starts."""
    line = header_line
    depth = 0
    for k in range(header_line, max(-1, header_line - _MAX_STATEMENT_LINES), -1):
        text = src.code[k]
        depth += text.count(")") - text.count("(")
        line = k
        if depth <= 0:
            break
    return _indent(src.lines[line])


def _statement_end(src: _Source, idx: int, col: int) -> int | None:
    """Line on which the statement starting at (idx, col) ends with ';' outside parentheses."""
    depth = 0
    for k in range(idx, min(len(src.lines), idx + _MAX_STATEMENT_LINES)):
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


def _statement_text(src: _Source, target: _Target) -> str:
    parts = [src.code[k] for k in range(target.line, target.end + 1)]
    parts[0] = parts[0][target.inline_col:]
    return "".join(parts).strip()


# ---- building edits --------------------------------------------------------------------------

def _wrap(src: _Source, t: _Target, before: list[str], after: list[str]) -> list[_Edit]:
    """Put `before`/`after` around the target statement, adding braces to a brace-less body."""
    eol = _eol(src.lines[t.line])
    unit = _indent_unit(src, t)
    if t.inline_col:
        line = src.lines[t.line]
        head = line[:t.inline_col].rstrip()
        body_text = line[t.inline_col:].strip()
        inner = t.header_indent + unit
        new = [f"{head} {{{eol}"] + [f"{inner}{s}{eol}" for s in before]
        new += [f"{inner}{body_text}{eol}"] + [f"{inner}{s}{eol}" for s in after]
        new.append(f"{t.header_indent}}}{_line_end(line)}")
        return [_Edit(t.line, t.line + 1, tuple(new))]
    indent = _indent(src.lines[t.line])
    edits = []
    if t.header is not None:
        hline, hcol = t.header
        text = src.lines[hline]
        edits.append(_Edit(hline, hline + 1, (text[:hcol] + " {" + text[hcol:],)))
    if before:
        edits.append(_Edit(t.line, t.line, tuple(f"{indent}{s}{eol}" for s in before)))
    tail = [f"{indent}{s}{eol}" for s in after]
    if t.header is not None:
        tail.append(f"{t.header_indent}}}{eol}")
    if tail:
        last = src.lines[t.end]
        if last.endswith("\n"):
            edits.append(_Edit(t.end + 1, t.end + 1, tuple(tail)))
        else:  # the statement ends the file without a newline: keep it that way
            tail[-1] = tail[-1].rstrip("\r\n")
            edits.append(_Edit(t.end, t.end + 1, (last + eol, *tail)))
    return edits


# ---- small source helpers --------------------------------------------------------------------

def _in_macro(src: _Source, idx: int) -> bool:
    """True when line `idx` is a preprocessor directive or continues a multi-line #define."""
    if src.code[idx].lstrip().startswith("#"):
        return True
    return idx > 0 and src.lines[idx - 1].rstrip("\r\n").endswith("\\")


def _function_text(finding: Finding, src: _Source) -> str:
    first, last = finding.function_span
    if first <= 0 or last < first:
        first, last = max(1, finding.loc.line - 200), finding.loc.line
    return "".join(src.code[first - 1:last])


def _is_local(function_text: str, var: str) -> bool:
    if not re.fullmatch(_IDENT, var):
        return False
    pattern = rf"(?<![\w.>])({_IDENT})(?:\s*<[^;()]*>)?[\s*&]+(?:const\s+)?\**\s*{var}\s*(?:=|;|,|\)|\[)"
    return any(m.group(1) not in _NOT_TYPES for m in re.finditer(pattern, function_text))


def _fresh_name(name: str, text: str, taken: set[str]) -> str:
    while name in taken or _mentions(text, name):
        name += "_"
    return name


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?!\w)", text) is not None


def _base_name(var: str) -> str:
    return re.split(r"\.|->", _strip_this(var))[0]


def _strip_this(var: str) -> str:
    return var[6:] if var.startswith("this->") else var


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t"))] if line.strip() else ""


def _eol(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def _line_end(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _indent_unit(src: _Source, t: _Target) -> str:
    """One level of indentation as the file uses it."""
    if "\t" in t.header_indent or "\t" in _indent(src.lines[t.line]):
        return "\t"
    own = _indent(src.lines[t.line])
    if t.header is not None and not t.inline_col and len(own) > len(t.header_indent):
        return own[len(t.header_indent):]
    deltas: Counter[int] = Counter()
    prev: str | None = None
    for line in src.lines:
        if not line.strip():
            continue
        if prev is not None and prev.rstrip().endswith("{"):
            delta = len(_indent(line)) - len(_indent(prev))
            if 0 < delta <= 8:
                deltas[delta] += 1
        prev = line
    return " " * (deltas.most_common(1)[0][0] if deltas else 4)


def _overlap(a: _Edit, b: _Edit) -> bool:
    if a.start == a.end and b.start == b.end:
        return False
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def attach_fixes(result: AnalysisResult, read_text: Callable[[str], str | None]) -> AnalysisResult:
    """`result` with each fixable finding's own fix and, in `result.patch`, the edits that fix them all."""
    by_file: dict[str, list[int]] = {}
    for n in sorted(range(len(result.findings)), key=lambda n: result.findings[n].sort_key()):
        by_file.setdefault(result.findings[n].loc.file, []).append(n)
    findings = list(result.findings)
    patch: list[TextEdit] = []
    for path, indexes in sorted(by_file.items()):
        text = read_text(path)
        if text is None:
            continue
        own, combined = fixes_for_file([findings[i] for i in indexes], text)
        for k, fix in own.items():
            findings[indexes[k]] = dataclasses.replace(findings[indexes[k]], fix=fix)
        patch.extend(combined)
    return dataclasses.replace(result, findings=tuple(findings), patch=tuple(patch))
