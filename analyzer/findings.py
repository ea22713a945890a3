"""The last step of a scan's findings: snippets read, duplicates dropped, leaks grouped per acquisition, sorted."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from analyzer.model import GROUPED_BY_ACQUISITION, Finding, LeakExit
from analyzer.ranking import ranked
from analyzer.sourcetext import read_source, split_lines


def _snippet_reader() -> Callable[[str, int], str]:
    cache: dict[str, list[str]] = {}

    def read(path: str, line: int) -> str:
        if path not in cache:
            # lines as the compiler counts them ('\n' only: a form feed or U+2028 in a comment is no line break)
            cache[path] = [ln.rstrip("\r\n") for ln in split_lines(read_source(path) or "")]
        lines = cache[path]
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return read


def finalize(findings: Sequence[Finding]) -> list[Finding]:
    """Snippets attached (fingerprint input), duplicates dropped, leaks grouped, scored, occurrences numbered,
    sorted: most confident first, process-exit leaks last."""
    read = _snippet_reader()
    unique: dict[tuple, Finding] = {}
    for f in findings:
        f = dataclasses.replace(f, snippet=read(f.loc.file, f.loc.line),
                                acquire_snippet=read(f.acquire.file, f.acquire.line) if f.acquire else "")
        key = (f.rule_id, f.loc.file, f.loc.line, f.loc.col, f.acquire.line if f.acquire else 0, f.var)
        unique.setdefault(key, f)
    grouped = [ranked(f) for f in group_exits(list(unique.values()))]
    return _number_occurrences(sorted(grouped, key=Finding.sort_key))


def _acquisition(f: Finding) -> tuple:
    acq = (f.acquire.file, f.acquire.line, f.acquire.col) if f.acquire else (f.loc.file, f.loc.line, f.loc.col)
    return (f.rule_id, f.function_usr or f.function, acq, f.resource_kind, f.acquirer)


def _last_branch(f: Finding) -> str:
    for ev in reversed(f.path):
        if ev.kind == "branch":
            return ev.message.removeprefix("assuming ")
    return ""


def group_exits(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per leaked resource: the leaks of one acquisition (per rule) become one finding whose loc and
    path are the shortest path's, with every other place it is lost listed in `exits`."""
    groups: dict[tuple, list[Finding]] = {}
    out: list[Finding] = []
    for f in findings:
        if f.rule_id in GROUPED_BY_ACQUISITION:
            groups.setdefault(_acquisition(f), []).append(f)
        else:
            out.append(f)
    for members in groups.values():
        members.sort(key=lambda f: (len(f.path), f.loc.line, f.loc.col, f.var))
        first, rest = members[0], sorted(members[1:], key=lambda f: (f.loc.line, f.loc.col))
        exits = tuple(LeakExit(f.loc, _last_branch(f), f.path, f.snippet) for f in rest)
        out.append(dataclasses.replace(first, exits=exits) if exits else first)
    return out


def _number_occurrences(findings: list[Finding]) -> list[Finding]:
    """Findings that would share a fingerprint (the same line of code twice in a function) get 1, 2, ... in source
    order of their acquisitions, so that the numbering does not depend on where the leaks are reported."""
    seen: dict[str, int] = {}
    numbered: dict[int, int] = {}
    def position(f: Finding) -> tuple:
        acquired = (f.acquire.line, f.acquire.col) if f.acquire is not None else (0, 0)
        return (f.loc.file, *acquired, f.loc.line, f.loc.col)

    order = sorted(range(len(findings)), key=lambda i: position(findings[i]))
    for i in order:
        key = findings[i].fingerprint(findings[i].loc.file)
        numbered[i] = seen.get(key, 0)
        seen[key] = numbered[i] + 1
    return [dataclasses.replace(f, occurrence=numbered[i]) if numbered[i] else f for i, f in enumerate(findings)]
