"""Fixes of leaks: release before the exit (a return, break, continue or goto, at any depth), before the closing
brace where the variable dies, or jump to the function's cleanup label when it already releases the resource."""
from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer.model import Finding

from .plans import Insert, Plan, Several, Wrap
from .releases import (
    NULL_SAFE,
    declared_with_value,
    flowing_releases,
    is_null_constant,
    release_pattern,
    release_statement,
    releaser_for,
    releasers_of,
)
from .source import (
    CXX_SUFFIXES,
    IDENT,
    Source,
    Target,
    base_name,
    eol_of,
    function_text,
    indent_of,
    is_local,
    locate,
    mentions,
    same_block_statements,
    statement_text,
)

_JUMP = re.compile(rf"(?:return\b(?P<value>.*)|break|continue|goto\s+(?P<label>{IDENT}))\s*;\s*$", re.S)
_LABEL = re.compile(rf"^\s*(?P<name>{IDENT})\s*:(?!:)\s*(?:$|[^:])")
_NOT_LABELS = {"default", "public", "private", "protected", "case"}
_GUARD = re.compile(r"^\s*(?:if\s*\((?P<cond>.*)\)\s*)?$")


def fix_leak(finding: Finding, src: Source, idx: int) -> Plan | None:
    var = finding.var
    text = function_text(finding, src)
    if not mentions(text, base_name(var)):
        return None  # the variable is not visible in the function's text: a macro made it
    release = release_statement(finding, var)
    if release is None:
        return None
    first, last = _span(finding, src)
    if src.code[idx].lstrip().startswith("}"):
        return _before_closing_brace(finding, src, idx, release, text, first)
    target = locate(src, idx)
    if target is None:
        return None
    m = _JUMP.match(statement_text(src, target))
    if m is None or (m.group("value") is not None and mentions(m.group("value"), base_name(var))):
        return None  # the returned value reads the resource: releasing first would use it freed
    flowing = flowing_releases(src, finding, first, idx, var)
    if flowing:  # another path releases it and reaches this exit: null it there, or leave it
        nulls = null_after(finding, src, flowing)
        return None if nulls is None else Several((*nulls, Wrap(target, (release,))))
    goto = _goto_cleanup(finding, src, idx, target, m, first, last)
    return goto if goto is not None else Wrap(target, (release,))


def null_after(finding: Finding, src: Source, lines: list[int]) -> list[Wrap] | None:
    """`p = NULL;` after each of the releases on `lines`, when the release ignores NULL (free, delete): then one
    more release where the resource leaks is right on every path."""
    var = finding.var
    if releaser_for(finding) not in NULL_SAFE or not is_local(function_text(finding, src), var):
        return None
    cxx = finding.loc.file.lower().endswith(CXX_SUFFIXES)
    pattern = release_pattern(var, releasers_of(finding))
    out = []
    for k in lines:
        target = locate(src, k)
        if target is None or target.end != target.line or not pattern.match(statement_text(src, target)):
            return None
        out.append(Wrap(target, (), (f"{var} = {'nullptr' if cxx else 'NULL'};",)))
    return out


def _span(finding: Finding, src: Source) -> tuple[int, int]:
    first, last = finding.function_span
    if first <= 0 or last < first:
        return max(0, finding.loc.line - 200), finding.loc.line - 1
    return first - 1, min(last - 1, len(src.code) - 1)


def _before_closing_brace(finding: Finding, src: Source, idx: int, release: str, text: str,
                          first: int) -> Plan | None:
    """The resource dies with its variable at this `}`: release it as the block's last statement."""
    if not is_local(text, finding.var):
        return None  # a parameter: the caller's
    flowing = flowing_releases(src, finding, first, idx, finding.var)
    nulls = null_after(finding, src, flowing) if flowing else []
    if nulls is None:
        return None  # released on a path that reaches this brace
    prev = next((k for k in range(idx - 1, first - 1, -1) if src.code[k].strip()), None)
    if prev is None or not src.code[prev].rstrip().endswith((";", "}", "{")):
        return None
    if re.search(r"\b(?:return|break|continue|goto)\b[^;]*;\s*$", src.code[prev]):
        return None  # the block ends with a jump: the closing brace is not reached from it
    inner = indent_of(src.lines[prev]) if not src.code[prev].rstrip().endswith("{") else \
        indent_of(src.lines[idx]) + "    "
    eol = eol_of(src.lines[prev])
    insert = Insert(idx, f"brace:{idx}", (f"{inner}{release}{eol}",))
    return Several((*nulls, insert)) if nulls else insert


# ---- goto cleanup ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Cleanup:
    label: str
    line: int
    returns: str | None  # the returned expression, None for `return;` or falling off the end


def _goto_cleanup(finding: Finding, src: Source, idx: int, target: Target, jump: re.Match[str], first: int,
                  last: int) -> Plan | None:
    """`goto label;` instead of the exit when a cleanup label after it releases the resource and can be reached from
    here: everything it releases is valid or null at this point, the release of ours does not depend on the result."""
    if jump.group("value") is None:
        return None  # break / continue / goto: leave as they are
    value = jump.group("value").strip()
    for cleanup in _cleanups(finding, src, idx, last):
        if not _safe_to_enter(finding, src, cleanup, idx, first, last):
            continue
        if cleanup.returns is None and not value:
            return Wrap(target, (), (), f"goto {cleanup.label};")
        if cleanup.returns is None or not value:
            continue
        if value == cleanup.returns:
            return Wrap(target, (), (), f"goto {cleanup.label};")
        if re.fullmatch(IDENT, cleanup.returns) and is_local(function_text(finding, src), cleanup.returns):
            return Wrap(target, (f"{cleanup.returns} = {value};",), (), f"goto {cleanup.label};")
    return None


def _cleanups(finding: Finding, src: Source, idx: int, last: int) -> list[_Cleanup]:
    """Labels after line `idx` whose code up to the end of the function releases the resource unconditionally (or
    under a test of the resource itself), nearest to the end first."""
    release = release_pattern(finding.var, (releaser_for(finding), finding.expected, finding.releaser))
    found = []
    for k in range(idx + 1, last + 1):
        m = _LABEL.match(src.code[k])
        if m is None or m.group("name") in _NOT_LABELS:
            continue
        releases = [j for j in range(k, last + 1) if release.search(src.code[j])]
        if not releases or not all(_guard_ok(src, j, finding.var, k, last) for j in releases):
            continue
        found.append(_Cleanup(m.group("name"), k, _final_return(src, k, last)))
    return sorted(found, key=lambda c: -c.line)


def _condition_mentions(code: str, var: str) -> bool:
    m = re.search(r"\bif\s*\((.*)\)\s*\{?\s*$", code)
    return m is not None and mentions(m.group(1), base_name(var))


def _guard_ok(src: Source, line: int, var: str, label: int, last: int) -> bool:
    """The release of `var` on `line` runs whenever the label is entered, or only when `var` itself is valid."""
    code = src.code[line]
    call = release_pattern(var, (r"\w+",)).search(code)
    g = _GUARD.match(code[:call.start()] if call else "")
    if g is None:
        return False  # something else precedes it on the line
    if g.group("cond") is not None:
        return mentions(g.group("cond"), base_name(var))
    top = {k for k, _ in same_block_statements(src, label, last)}
    prev = next((j for j in range(line - 1, label - 1, -1) if src.code[j].strip()), label)
    if line not in top:  # inside a block: the block must be opened by a test of the resource
        opener = next((j for j in range(line - 1, label - 1, -1) if j in top), label)
        return _condition_mentions(src.code[opener], var) or (
            src.code[opener].strip() == "{" and _condition_mentions(src.code[opener - 1] + " {", var))
    if src.code[prev].rstrip().endswith(")"):  # the body of a brace-less `if (...)` on the line before
        return _condition_mentions(src.code[prev], var)
    return not src.code[prev].rstrip().endswith("else")


def _final_return(src: Source, label: int, last: int) -> str | None:
    for k in range(last, label - 1, -1):
        m = re.search(r"\breturn\b(.*);", src.code[k])
        if m:
            value = m.group(1).strip()
            return value or None
        if src.code[k].strip() and not src.code[k].strip() == "}":
            return None
    return None


def _safe_to_enter(finding: Finding, src: Source, cleanup: _Cleanup, idx: int, first: int, last: int) -> bool:
    """Every other resource the cleanup code releases is declared with a value before the jump (so it holds a
    resource or its initial null), and is released by a null-safe function or under a test of itself."""
    text_before = "".join(src.code[first:idx])
    for k in range(cleanup.line + 1, last + 1):
        for call in re.finditer(rf"(?<![\w.>])({IDENT}|delete\s*(?:\[\s*\])?)\s*\(?\s*(?:\([^()]*\)\s*)?"
                                rf"({IDENT})\s*[,);]", src.code[k]):
            name, var = call.group(1), call.group(2)
            if var == base_name(finding.var) or name in ("return", "if", "while", "for", "switch", "sizeof"):
                continue
            if not _is_release_call(name):
                continue
            if not declared_with_value(text_before, var):
                return False
            if name.replace(" ", "") in NULL_SAFE or _guard_ok(src, k, var, cleanup.line, last):
                continue
            if not _acquired_before(text_before, var):
                return False  # still null at the jump: an unguarded fclose(NULL) and the like would crash
    return True


def _acquired_before(text: str, var: str) -> bool:
    """The last value `var` is given before the jump is not a null constant (it holds the resource)."""
    values = re.findall(rf"(?<![\w.>=!<]){re.escape(var)}\s*=(?!=)\s*([^;]*);", text)
    return bool(values) and not is_null_constant(values[-1])


def _is_release_call(name: str) -> bool:
    return name.startswith("delete") or bool(re.search(r"(?:free|close|release|destroy|del|unref|put|dispose|"
                                                       r"cleanup|fini|unmap)", name, re.I))
