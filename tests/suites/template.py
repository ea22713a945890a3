"""Expands a shape template into the source of one program (one kind, leaking or leak-free).

Template lines carry a two-character gutter: ``"  "`` keeps the line in both variants, ``"L|"`` only in
the leaking one, ``"C|"`` only in the leak-free one. A trailing ``//@ <ruleId> in <function>`` becomes the
``// expect:`` marker of the leaking variant and disappears from the leak-free one.

Placeholders: ``$INCLUDES`` (a line of its own; ``$HEADER_INCLUDES`` in headers), ``$T`` the handle type,
``$TR`` another type a union can carry it in, ``$ACQ`` an acquiring expression (``name`` must be in scope),
``$EMPTY`` the no-resource value,
``RELEASE(x)``, ``TOUCH(x)``, ``IS_SET(x)``, and ``GUARD(x, retval)`` on a line of its own: return `retval`
when the acquire failed (dropped for kinds that cannot fail, like ``new``).
"""
from __future__ import annotations

import re

from tests.suites.kinds import Kind

_ARG = r"((?:[^()]|\([^()]*\))+)"  # one level of nested parentheses: RELEASE(*(pp)), TOUCH(u.items[0])


def _put(pattern: str, x: str) -> str:
    """`pattern` with `@` replaced by `x`, parenthesized where `*x` would bind wrongly (`(*pp)[0]`)."""
    if x.startswith(("*", "&")):
        pattern = pattern.replace("@[", "(@)[").replace("@->", "(@)->")
    return pattern.replace("@", x)


_CALLS = {
    "RELEASE": lambda k, lang, x: _put(k.release, x),
    "TOUCH": lambda k, lang, x: _put(k.touch, x),
    "IS_SET": lambda k, lang, x: _put(k.is_set(lang), x),
}
_GUARD = re.compile(r"^(?P<indent>\s*)GUARD\((?P<var>[^,]+),\s*(?P<ret>.*)\)\s*$")
_MARK = re.compile(r"\s*//@\s*(?P<rule>[a-z-]+)\s+in\s+(?P<func>\S+)\s*$")


def includes(kind: Kind, lang: str, gnu: bool, extra: tuple[str, ...] = (), header: bool = False) -> list[str]:
    """The program's system headers; C sources other than the gnu-mode shape ask for POSIX 2008 explicitly."""
    if lang == "c":
        out = [] if gnu or header else ["#define _POSIX_C_SOURCE 200809L"]
        heads = ["stdio.h", "stdlib.h", "string.h", *kind.includes_c, *extra]
    else:
        out = []
        heads = ["cstdio", "cstdlib", "cstring", *kind.includes_cxx, *extra]
    out += [f"#include <{h}>" for h in dict.fromkeys(heads)]
    if lang == "cpp" and kind.prelude_cxx:
        out += ["", "#ifndef BUFFER_DEFINED", "#define BUFFER_DEFINED", *kind.prelude_cxx.rstrip().splitlines(),
                "#endif"]
    return out


def expand(template: str, kind: Kind, lang: str, leak: bool, *, gnu: bool = False,
           extra_includes: tuple[str, ...] = ()) -> str:
    out: list[str] = []
    for raw in template.strip("\n").splitlines():
        gutter, line = raw[:2], raw[2:]
        if gutter not in ("  ", "L|", "C|", ""):
            raise ValueError(f"bad gutter {gutter!r} in template line {raw!r}")
        if (gutter == "L|" and not leak) or (gutter == "C|" and leak):
            continue
        mark = _MARK.search(line)
        if mark:
            line = line[:mark.start()]
            if leak:
                line += f"  // expect: {mark['rule']} in {mark['func']}"
        if line.strip() in ("$INCLUDES", "$HEADER_INCLUDES"):
            out += includes(kind, lang, gnu, extra_includes, header=line.strip() == "$HEADER_INCLUDES")
            continue
        guard = _GUARD.match(line)
        if guard:
            if kind.failed:
                test = kind.failed_test(lang).replace("@", guard["var"].strip())
                out += [f"{guard['indent']}if ({test})", f"{guard['indent']}    return {guard['ret']};"]
            continue
        out.append(substitute(line, kind, lang).rstrip())
    return "\n".join(out).strip("\n") + "\n"


def substitute(line: str, kind: Kind, lang: str) -> str:
    for name, ctype in (("$TR", kind.raw_type), ("$T", kind.type(lang))):
        # 'char *' + ' name' -> 'char *name' (and 'char **out', 'char *&out'); 'int' + ' name' keeps its space
        glued = ctype if ctype.endswith("*") else ctype + " "
        line = re.sub(re.escape(name) + r"\s+(?=[\w*&])", lambda _m, g=glued: g, line).replace(name, ctype)
    line = line.replace("$ACQ", kind.acquire(lang)).replace("$EMPTY", kind.empty_value(lang))
    for name, render in _CALLS.items():
        line = re.sub(rf"\b{name}\({_ARG}\)", lambda m, r=render: r(kind, lang, m.group(1).strip()), line)
    return line
