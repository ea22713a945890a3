"""Fixes of leaks on overwrite: release the old value first (a local, also in loops), keep the old member and release
it after the new one is in place, or the realloc idiom that keeps the old block when growing fails."""
from __future__ import annotations

import re

from analyzer.model import Finding

from .leaks import null_after
from .plans import Plan, Several, Wrap
from .releases import declared_with_value, flowing_releases, release_statement
from .source import (
    IDENT,
    Source,
    base_name,
    fresh_name,
    function_text,
    is_local,
    locate,
    mentions,
    statement_text,
    strip_this,
)

_ASSIGN = re.compile(rf"((?:this->)?{IDENT}(?:(?:\.|->){IDENT})*)\s*=(?!=)(.*);\s*", re.S)


def fix_overwrite(finding: Finding, src: Source, idx: int, cxx: bool, taken: set[str]) -> Plan | None:
    var = finding.var
    target = locate(src, idx)
    if target is None or target.end != target.line:
        return None
    m = _ASSIGN.fullmatch(statement_text(src, target))
    if m is None or strip_this(m.group(1)) != strip_this(var):
        return None
    lhs, rhs = m.group(1), m.group(2).strip()
    text = function_text(finding, src)
    first = finding.function_span[0]
    if mentions(rhs, base_name(var)):
        return _realloc_idiom(finding, src, target, lhs, rhs, cxx, taken)
    if is_local(text, var):
        release = release_statement(finding, lhs)
        if release is None or not declared_with_value(text, var):
            return None  # on the first pass it may hold garbage
        flowing = flowing_releases(src, finding, max(first - 1, 0), idx, var)
        if flowing:  # released on a path that comes here (a loop): null it there, or leave it
            nulls = null_after(finding, src, flowing)
            return None if nulls is None else Several((*nulls, Wrap(target, (release,))))
        return Wrap(target, (release,))
    leaf = re.split(r"\.|->", var)[-1].lstrip("_") or "value"
    old = fresh_name(f"old_{leaf}", "".join(src.lines), taken)
    release = release_statement(finding, old)
    if release is None:
        return None
    save = f"auto {old} = {lhs};" if cxx else f"__typeof__({lhs}) {old} = {lhs};"
    taken.add(old)
    return Wrap(target, (save,), (release,))


def _realloc_idiom(finding: Finding, src: Source, target, lhs: str, rhs: str, cxx: bool,
                   taken: set[str]) -> Plan | None:
    """`p = realloc(p, n)` loses the block when realloc fails: keep the result apart, release the old block on
    failure, then assign (the code after it still sees NULL on failure, as before)."""
    call = re.fullmatch(rf"(?:\([^()]*\)\s*)?({IDENT})\s*\(\s*(?:\([^()]*\)\s*)?{re.escape(lhs)}\s*,.*\)", rhs, re.S)
    if call is None or "realloc" not in call.group(1) or finding.resource_kind != "malloc":
        return None
    grown = fresh_name("grown", "".join(src.lines), taken)
    taken.add(grown)
    decl = f"auto {grown} = {rhs};" if cxx else f"__typeof__({lhs}) {grown} = {rhs};"
    return Wrap(target, (decl, f"if ({grown} == {'nullptr' if cxx else 'NULL'})", f"    free({lhs});"), (),
                f"{lhs} = {grown};")
