"""Keep member overwrites only for members that own resources, and say what they own."""
from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from analyzer.analysis.dataflow import Defect, FunctionResult, Resource

REASSIGNING_NAME = re.compile(r"(re(load|set|fresh|open|init|build|place)|update|swap|set|assign|replace)",
                              re.IGNORECASE)


def refine_member_overwrites(results: Iterable[FunctionResult]) -> Mapping[str, tuple[Defect, ...]]:
    """Every function's defects (by USR), with member overwrites kept only where they can leak.

    A member overwrite is reported when the member owns resources (someone stores an owned value in
    it or releases it) and the assignment can happen on a live object that already holds one: the member
    is assigned by two or more methods, or by a method whose name says it re-assigns (reload, reset...)."""
    results = list(results)
    owning: dict[str, set[str]] = defaultdict(set)
    stored: dict[tuple[str, str], Resource] = {}
    assigners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for res in results:
        cls = res.function.class_name
        if not cls:
            continue
        for name, resource, _loc in res.member_stores:
            owning[cls].add(name)
            stored.setdefault((cls, name), resource)
        owning[cls].update(res.member_releases)
        if res.function.kind not in ("constructor", "destructor"):
            for name in res.member_assigns:
                assigners[(cls, name)].add(res.function.usr)
    out: dict[str, tuple[Defect, ...]] = {}
    for res in results:
        cls = res.function.class_name
        kept = []
        for d in res.defects:
            if d.resource.source != "member":
                kept.append(d)
                continue
            field = d.resource.rid[1]
            again = len(assigners[(cls, field)]) >= 2 or REASSIGNING_NAME.search(res.function.name)
            if field not in owning.get(cls, ()) or not again:
                continue
            origin = stored.get((cls, field))
            resource = dataclasses.replace(
                d.resource, kind=origin.kind if origin else "", acquirer=origin.acquirer if origin else "",
                loc=origin.loc if origin else d.loc, source=f"member:{origin.source if origin else ''}")
            kept.append(dataclasses.replace(d, resource=resource, var=field, member=field))
        out[res.function.usr] = tuple(kept)
    return out
