"""What a fix does to the source, before it becomes edits: statements around (or instead of) a statement, items
inserted at one place that several fixes share (a destructor's releases), or plain edits."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .source import Edit, Source, Target, overlap, wrap


@dataclass(frozen=True, slots=True)
class Wrap:
    """Statements to put before and after the target statement, or instead of it (`replacement`)."""
    target: Target
    before: tuple[str, ...]
    after: tuple[str, ...] = ()
    replacement: str | None = None


@dataclass(frozen=True, slots=True)
class Insert:
    """Lines inserted before line `line`: `head`, the `items` of every fix sharing `key`, then `tail`."""
    line: int
    key: str
    items: tuple[str, ...]
    head: tuple[str, ...] = ()
    tail: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Raw:
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Several:
    """Plans that only fix the finding together (null the pointer after a release, release at the exit)."""
    plans: tuple[Wrap | Insert | Raw, ...]


Plan = Wrap | Insert | Raw | Several


def _flat(plans: Sequence[Plan]) -> list[Wrap | Insert | Raw]:
    return [q for p in plans for q in (p.plans if isinstance(p, Several) else (p,))]


def _union(a: Sequence[str], b: Sequence[str]) -> tuple[str, ...]:
    return (*a, *(x for x in b if x not in a))


def merged_edits(src: Source, plans: Sequence[Plan]) -> list[Edit]:
    """Plans on one statement merged into one wrap, inserts of one key into one; edits that would clash with
    earlier ones left out."""
    return _merge(src, plans)[0]


def complete(src: Source, plans: Sequence[Plan]) -> list[Edit] | None:
    """The edits of plans that must all apply (one finding's), or None when any of them would be left out."""
    edits, skipped = _merge(src, plans)
    return None if skipped or not edits else edits


def _merge(src: Source, plans: Sequence[Plan]) -> tuple[list[Edit], int]:
    wraps: dict[int, Wrap] = {}
    inserts: dict[str, Insert] = {}
    raws: list[Raw] = []
    skipped = 0
    for plan in _flat(plans):
        if isinstance(plan, Wrap):
            old = wraps.get(plan.target.line)
            if old is not None:
                if old.target != plan.target or old.replacement != plan.replacement:
                    skipped += 1
                    continue
                plan = Wrap(plan.target, _union(old.before, plan.before), _union(plan.after, old.after),
                            plan.replacement)
            wraps[plan.target.line] = plan
        elif isinstance(plan, Insert):
            prev = inserts.get(plan.key)
            inserts[plan.key] = plan if prev is None else Insert(prev.line, prev.key, _union(prev.items, plan.items),
                                                                 prev.head, prev.tail)
        else:
            raws.append(plan)
    groups: list[list[Edit]] = [wrap(src, w.target, list(w.before), list(w.after), w.replacement)
                                for _, w in sorted(wraps.items())]
    groups += [[Edit(i.line, i.line, (*i.head, *i.items, *i.tail))] for i in inserts.values()]
    groups += [list(r.edits) for r in raws]
    edits, dropped = _combine(groups)
    return edits, skipped + dropped


def _combine(groups: Sequence[Sequence[Edit]]) -> tuple[list[Edit], int]:
    """Groups of edits in order; insertions at one point are joined in that order; a group that would overlap an
    edit already taken (or that has no edit: a layout not understood) is left out whole and counted."""
    edits: list[Edit] = []
    dropped = 0
    for group in groups:
        if not group or any(overlap(a, b) for a in group for b in edits):
            dropped += 1
            continue
        for e in group:
            same = next((i for i, b in enumerate(edits) if b.start == b.end == e.start == e.end), None)
            if same is None:
                edits.append(e)
            else:
                edits[same] = Edit(e.start, e.end, (*edits[same].new, *e.new))
    return edits, dropped
