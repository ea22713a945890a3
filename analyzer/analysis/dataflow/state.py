"""Dataflow state of the ownership analysis: resources, their statuses on a path, defects and results."""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from analyzer import ir
from analyzer.analysis.summaries import FunctionSummary

OWNED, RELEASED, ESCAPED, INVALID, MOVED, PARAM = "owned", "released", "escaped", "invalid", "moved", "param"
LEAKED = "leaked"  # already reported on this path: do not report it again at the exit
MEMBER = "member"  # the value a member field held when the method was entered (may own a resource)
DETACHED = "detached"  # a member's old value, overwritten but still referenced by a local (swap idiom)


@dataclass(frozen=True, slots=True)
class Resource:
    rid: tuple
    kind: str
    acquirer: str
    loc: ir.Loc
    source: str = ""


@dataclass(frozen=True, slots=True)
class TrailStep:
    loc: ir.Loc
    kind: str  # acquire | branch | release | escape | note
    message: str
    rid: tuple | None = None


class Trail:
    """The steps along one path: this block's steps on top of the trail the path entered with, shared with every
    other path through the same blocks (copying the last steps into every successor cost a tenth of phase 2)."""
    __slots__ = ("parent", "steps")

    def __init__(self, parent: Trail | None = None) -> None:
        self.parent = parent
        self.steps: list[TrailStep] = []

    def append(self, step: TrailStep) -> None:
        self.steps.append(step)

    def recent(self, limit: int) -> list[TrailStep]:
        """The last `limit` steps before this block, then every step of this block."""
        older: list[list[TrailStep]] = []
        count = 0
        node = self.parent
        while node is not None and count < limit:
            older.append(node.steps)
            count += len(node.steps)
            node = node.parent
        before = [step for steps in reversed(older) for step in steps]
        return before[max(0, len(before) - limit):] + self.steps


@dataclass(frozen=True, slots=True)
class Defect:
    rule_id: str
    resource: Resource
    loc: ir.Loc
    var: str
    trail: tuple[TrailStep, ...]
    releaser: str = ""
    member: str = ""


_EMPTY: frozenset = frozenset()


@dataclass
class State:
    status: dict
    pts: dict
    facts: dict
    pending: dict  # realloc result rid -> old rids
    released_by: dict  # rid -> release function name
    param_events: dict  # param index -> ('released', kind) | ('stored',) | ('escaped',)
    status_of: dict = field(default_factory=dict)  # variable holding the status code of an out-param acquire -> rid
    refs: dict = field(default_factory=dict)  # local pointer -> the local it points to (`pp = &data`)

    def copy(self) -> State:
        return State(dict(self.status), dict(self.pts), dict(self.facts), dict(self.pending),
                      dict(self.released_by), dict(self.param_events), dict(self.status_of), dict(self.refs))

    def key(self) -> tuple:
        # hashable and order-free: only ever used for membership in a block's set of seen states
        return (frozenset(self.status.items()), frozenset([(v, r) for v, r in self.pts.items() if r]),
                frozenset(self.facts.items()) if self.facts else _EMPTY,
                frozenset(self.pending.items()) if self.pending else _EMPTY,
                frozenset(self.param_events.items()) if self.param_events else _EMPTY,
                frozenset(self.status_of.items()) if self.status_of else _EMPTY,
                frozenset(self.refs.items()) if self.refs else _EMPTY)

    def holders(self, rid: tuple) -> list[str]:
        """Named variables referring to rid (lowering temporaries only live within a statement)."""
        return [v for v, rids in self.pts.items() if rid in rids and not v.startswith("$")]


@dataclass(frozen=True, slots=True)
class StatusLink:
    """A value that says whether an out-parameter acquisition happened (`rc = f(&p)`, `s = Open(&db)`,
    `ok = s.ok()`). With `values` (the callee's known results; `others`: it may give other values too, on which
    it writes nothing) and `acquired_on` (those on which it writes the out-parameter), conditions on the value
    decide; without them, 0 is success and negative is failure."""
    rid: tuple
    acquired_on: frozenset[int] | None = None
    values: frozenset[int] | None = None
    others: bool = False


def param_key(rid: tuple) -> object:
    """Where a parameter's events are recorded: its index, or ('deref', index) for what it points to."""
    return rid[1] if len(rid) == 2 else ("deref", rid[1])


def pointee(param: str) -> str:
    """The place standing for what a `T **` or `T &` parameter points to (the caller's object)."""
    return "*" + param


@dataclass(frozen=True, slots=True)
class ReturnShape:
    """What one `return` hands to the caller, as the function summary needs it."""
    owned_kinds: tuple[str, ...]  # kinds of the owned resources returned
    acquirers: tuple[str, ...]  # acquirers of every analyzed resource returned
    borrowed: bool  # returns a pointer that is not a resource acquired here (a parameter, a field...)
    param_events: dict  # param index -> 'released'/'stored'/... ; ('out', index) -> kind written through it
    returns_constant: bool  # `return NULL;`, `return 0;`
    returned_params: tuple[int, ...]  # parameters returned as they came in
    constant: int | None = None  # the integer value returned, when known on this path (a status object: 0 for
    # success, 1 for failure, from the factory it comes from)
    members_emptied: frozenset[str] = frozenset()  # members that own nothing any more at this return


@dataclass
class FunctionResult:
    function: ir.Function
    defects: list[Defect] = field(default_factory=list)
    summary: FunctionSummary | None = None
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)
    resources: dict = field(default_factory=dict)
    truncated: bool = False
    member_stores: list[tuple[str, Resource, ir.Loc]] = field(default_factory=list)
    member_releases: set[str] = field(default_factory=set)
    member_assigns: set[str] = field(default_factory=set)  # members this function assigns
    # (param index or -1 for a local, field, what, where): `c->name = strdup(..)` into an object held by pointer
    field_stores: list[tuple[int, str, Resource, ir.Loc]] = field(default_factory=list)
    global_stores: list[tuple[str, str, Resource, ir.Loc]] = field(default_factory=list)  # (usr, name, what, where)
    # stores into a global or a field that some path runs with a value this function does not own (a borrowed
    # parameter, NULL): not a place where an owned block always goes
    unowned_stores: set[ir.Loc] = field(default_factory=set)


