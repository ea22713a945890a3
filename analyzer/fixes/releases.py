"""The release statement a resource needs, and where the function already releases it."""
from __future__ import annotations

import re

from analyzer.model import Finding

from .source import IDENT, NOT_TYPES, RELEASER_RE, Source, enclosing_loop_end, reassigned_after, terminator_after

# releasers that accept the invalid value (NULL) without harm: nulling after them makes a second call a no-op
NULL_SAFE = frozenset({"free", "delete", "delete[]", "operator delete", "operator delete[]", "g_free", "cfree"})
_COMMON = ("free", "fclose", "close", "closedir", "pclose", "munmap", "dlclose", "freeaddrinfo", "iconv_close")
_NULLISH = re.compile(r"^(?:NULL|nullptr|0|-1|\(\s*\w+\s*\*?\s*\)\s*0)$")


def releaser_for(finding: Finding) -> str:
    """The function that releases the finding's resource ('delete', 'delete[]' for new; `free` for the heap)."""
    expected = (finding.expected or "").strip()
    kind = finding.resource_kind.strip()
    if kind in ("new[]", "delete[]") or expected in ("delete[]", "operator delete[]"):
        return "delete[]"
    if kind in ("new", "delete") or expected in ("delete", "operator delete"):
        return "delete"
    if kind == "malloc" and (not expected or "realloc" in expected or expected == finding.acquirer):
        return "free"
    return expected or finding.releaser.strip()


def release_statement(finding: Finding, var: str) -> str | None:
    releaser = releaser_for(finding)
    if releaser in ("delete", "delete[]"):
        return f"{releaser} {var};"
    if not RELEASER_RE.fullmatch(releaser) or releaser == finding.acquirer:
        return None
    return f"{releaser}({var});"


def release_pattern(var: str, releasers: tuple[str, ...]) -> re.Pattern[str]:
    """A call releasing `var` (`free(p)`, `fclose((FILE *)p)`, `delete[] p`)."""
    names = "|".join(re.escape(r) for r in dict.fromkeys(releasers) if re.fullmatch(r"[\w:]+", r))
    v = re.escape(var)
    call = rf"(?:{names})\s*\(\s*(?:\([^()]*\)\s*)?{v}\s*[,)]"
    return re.compile(rf"(?<![\w.>])(?:{call}|delete\s*(?:\[\s*\])?\s*{v}\s*;)")


def releasers_of(finding: Finding) -> tuple[str, ...]:
    return tuple(r for r in (releaser_for(finding), finding.releaser, finding.expected, *_COMMON) if r)


def flowing_releases(src: Source, finding: Finding, first: int, idx: int, var: str) -> list[int]:
    """Lines (0-based) of the releases of `var` that may run before line `idx` is reached: on the lines from the
    function's start `first`, or later in a loop holding `idx`, releases not followed in their block by a return (or
    exit) nor by a new value for `var` before `idx`."""
    pattern = release_pattern(var, releasers_of(finding))
    null_safe = releaser_for(finding) in NULL_SAFE
    loop_end = enclosing_loop_end(src, idx, first)
    lines = [*range(max(first, 0), idx), *range(idx + 1, (loop_end or idx) + 1)]
    found = []
    for k in lines:
        if not pattern.search(src.code[k]):
            continue
        term = terminator_after(src, k)
        if term is not None and not k < idx <= term:
            continue  # the path through it returns before it gets here
        assigned = reassigned_after(src, k, var)
        if assigned is not None and not k < idx <= assigned[0] and (null_safe or not _NULLISH.match(assigned[1])):
            continue  # the variable holds something else before it gets here
        found.append(k)
    return found


def is_null_constant(value: str) -> bool:
    return bool(_NULLISH.match(value.strip()))


def declared_with_value(function_text: str, var: str) -> bool:
    """`var` is declared with an initializer (`T *var = ...`), so it never holds garbage."""
    if not re.fullmatch(IDENT, var):
        return False
    pattern = rf"(?<![\w.>])({IDENT})(?:\s*<[^;()]*>)?[\s*&]+(?:const\s+)?\**\s*{re.escape(var)}\s*(?:=(?!=)|\{{)"
    return any(m.group(1) not in NOT_TYPES for m in re.finditer(pattern, function_text))
