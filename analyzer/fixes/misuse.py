"""Fixes of released-resource misuse: a double release (remove the second when the first always runs before it in
the same block, else null the pointer after the first) and a mismatched release (call the right function)."""
from __future__ import annotations

import re

from analyzer.model import Finding

from .plans import Plan, Raw, Wrap
from .releases import NULL_SAFE, release_pattern, releaser_for
from .source import IDENT, RELEASER_RE, Edit, Source, base_name, locate, same_block_statements, statement_text

_LABEL_OR_CASE = re.compile(rf"^\s*(?:case\b|default\s*:|{IDENT}\s*:(?!:))")


def fix_double_release(finding: Finding, src: Source, idx: int, cxx: bool) -> Plan | None:
    var = finding.var
    releaser = releaser_for(finding)
    pattern = release_pattern(var, (releaser, finding.releaser))
    firsts = [ev.loc.line - 1 for ev in finding.path if ev.kind == "release" and ev.loc.file == finding.loc.file]
    if not firsts or not pattern.search(src.code[idx]):
        return None
    first = firsts[0]
    if first != idx and _dominates(src, first, idx, var) and _alone(src, idx, pattern):
        return Raw((Edit(idx, idx + 1, ()),))
    if releaser not in NULL_SAFE:
        return None  # fclose(NULL) and friends crash: only a pointer whose release ignores NULL may be nulled
    target = locate(src, first)
    if target is None or not pattern.search(statement_text(src, target)) or target.end != target.line:
        return None
    return Wrap(target, (), (f"{var} = {'nullptr' if cxx else 'NULL'};",))


def _alone(src: Source, idx: int, pattern: re.Pattern[str]) -> bool:
    """Line `idx` is the release statement and nothing else, not the body of a brace-less header."""
    code = src.code[idx].strip()
    m = pattern.search(code)
    if m is None or m.start() != 0 or not re.fullmatch(r"[^;{}]*;", code):
        return False
    target = locate(src, idx)
    return target is not None and target.header is None and target.inline_col == 0


def _dominates(src: Source, first: int, second: int, var: str) -> bool:
    """The release on line `first` always runs before line `second`: both in one block, `first` earlier and
    unconditional, no label or case between them, and `var` not given a new value between them."""
    if not first < second:
        return False
    target = locate(src, first)
    if target is None or target.header is not None or target.inline_col:
        return False
    lines = dict(same_block_statements(src, first, second))
    if second not in lines:
        return False
    between = "".join(src.code[first + 1:second])
    if any(_LABEL_OR_CASE.match(src.code[k]) for k in range(first + 1, second)):
        return False
    return re.search(rf"(?<![\w.>]){re.escape(var)}\s*=(?!=)", between) is None


_CALL_STMT = re.compile(rf"^(?P<indent>\s*)(?P<fn>(?:::)?{IDENT}(?:::{IDENT})*)\s*\((?P<arg>[^;]*)\)\s*;\s*$")
_CAST = re.compile(r"^\([^()]*\)\s*")
_DELETE_STMT = re.compile(r"^(?P<indent>\s*)delete\s*(?P<arr>\[\s*\])?\s*(?P<arg>[^;]*?)\s*;\s*$")


def fix_mismatch(finding: Finding, src: Source, idx: int) -> Plan | None:
    """Call the release the resource's family expects, in place of the one used."""
    expected = releaser_for(finding)
    code = src.code[idx]
    call, dele = _CALL_STMT.match(code), _DELETE_STMT.match(code)
    if call is not None:
        if call.group("fn") != finding.releaser or "," in call.group("arg"):
            return None
        arg = call.group("arg").strip()
    elif dele is not None:
        if ("delete[]" if dele.group("arr") else "delete") != finding.releaser.replace("operator ", ""):
            return None
        arg = dele.group("arg").strip()
    else:
        return None
    if not re.fullmatch(rf"(?:\([^()]*\)\s*)?{IDENT}(?:(?:\.|->){IDENT})*", arg) or \
            base_name(_CAST.sub("", arg)) != base_name(finding.var):
        return None
    if expected in ("delete", "delete[]"):
        new = f"{expected} {_CAST.sub('', arg)};"
    elif RELEASER_RE.fullmatch(expected) and expected != finding.releaser:
        new = f"{expected}({arg});"
    else:
        return None
    target = locate(src, idx)
    if target is None or target.end != target.line:
        return None
    return Wrap(target, (), (), new)
