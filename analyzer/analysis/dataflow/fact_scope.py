"""Which value facts a function's dataflow keeps, and for how long: the keys worth tracking, the facts a block can
still read (liveness), and what joining paths forgets when a block collects many states (widening)."""
from __future__ import annotations

import functools
from collections import deque

import networkx as nx

from analyzer import cfg, ir

from .state import State
from .values import fact_key, places, relation_key

WIDEN_AFTER = 16  # states per block before facts that loops change are dropped
WIDEN_HARD = 32  # ... and then all but facts about parameters never assigned


class FactScope:
    def __init__(self, fn: ir.Function):
        self.fn = fn
        self.tested = self._multiply_tested()

    def widened(self, state: State, bid: int, seen: int) -> State | None:
        """Past a few states per block, forget the value facts loops change, and past more all but a few (fact
        combinations of unrelated flags otherwise fill the block's budget and truncate the analysis). Relations
        (`i >= n` after a loop) survive: they do not count iterations; so does the sign of a counter that only
        steps by constants (`p = realloc(p, ..); p[n++] = x;` leaves n >= 1 whenever p was allocated: a later
        `n == 0` exit holds nothing). `seen`: the states the block already had; None: nothing to forget."""
        hard = seen >= WIDEN_HARD
        if all(self._kept_when_widening(k, bid, hard) for k in state.facts):
            return None
        state = state.copy()
        facts = {}
        for key, (lo, _hi, _excl) in state.facts.items():
            if self._kept_when_widening(key, bid, hard):
                facts[key] = state.facts[key]
            elif key in self._counters and lo >= 0:
                facts[key] = (1 if lo >= 1 else 0, float("inf"), frozenset())
        state.facts = facts
        return state

    def _kept_when_widening(self, key: str, bid: int, hard: bool) -> bool:
        """Relations, facts about parameters the function never assigns and, first, about locals no loop around
        (or, outside loops, no loop at all) changes: those only narrow at a test, so their combinations stay few
        (`if (!regex) ... loop ... if (!regex) free(new)`). Past WIDEN_HARD states only the first two."""
        if key.startswith("r:"):
            return True
        invariant = frozenset() if hard else self._loop_invariant.get(bid, frozenset())
        return all(p in self._unassigned_params or p in invariant for p in places(key))

    @functools.cached_property
    def _live_facts(self) -> dict[int, frozenset[str]]:
        """Per block: the tracked keys some path from its entry reads before assigning them (liveness). A fact
        about any other key can no longer decide anything, and dropping it keeps paths that differ only there
        from multiplying states (a loop counter after its loop)."""
        by_place: dict[str, set[str]] = {}
        for key in self.tested:
            for place in places(key):
                by_place.setdefault(place, set()).add(key)
        steps: dict[int, list[tuple[set[str], set[str]]]] = {}  # per block, backwards: (killed, read) per event
        for b in self.fn.blocks:
            seq = []
            for e in reversed(b.events):
                read = {k for op in ir.read_operands(e) for p in ir.parts(op) if (k := fact_key(p)) in self.tested}
                if isinstance(e, ir.Relation) and (ka := fact_key(e.lhs)) and (kb := fact_key(e.rhs)) and ka != kb:
                    read.add(relation_key(min(ka, kb), max(ka, kb)))
                killed = by_place.get(e.dst.name, set()) if isinstance(e, ir.Assign) and \
                    isinstance(e.dst, ir.Var) else set()
                seq.append((killed, read))
            steps[b.id] = seq
        preds: dict[int, list[int]] = {b.id: [] for b in self.fn.blocks}
        for b in self.fn.blocks:
            for succ in b.succs:
                preds.setdefault(succ, []).append(b.id)
        live_in: dict[int, frozenset[str]] = {}
        work = deque(b.id for b in self.fn.blocks)
        while work:
            bid = work.popleft()
            live = set().union(*(live_in.get(succ, ()) for succ in self.fn.blocks[bid].succs))
            for killed, read in steps[bid]:
                live = (live - killed) | read
            if live_in.get(bid) != (entry := frozenset(live)):
                live_in[bid] = entry
                work.extend(preds.get(bid, ()))
        return live_in

    @functools.cached_property
    def _dag(self) -> nx.DiGraph:
        """The CFG's strongly connected components (loops) as a DAG."""
        return nx.condensation(cfg.digraph(self.fn))

    @functools.cached_property
    def _loop_invariant(self) -> dict[int, frozenset[str]]:
        """Per block: the tested locals that no event of its loop (of any loop, for a block outside loops)
        assigns or passes the address of. A fact about one only narrows at a test while a loop runs: keeping it
        when paths are joined cannot make states grow with the iterations."""
        members = nx.get_node_attributes(self._dag, "members")
        locals_ = {k for k in self.tested if not k.startswith(("g:", "f:", "r:"))}
        out: dict[int, frozenset[str]] = {}
        in_loops: set[str] = set()
        for blocks in members.values():
            if len(blocks) < 2 and not any(b in self.fn.blocks[b].succs for b in blocks):
                continue
            changed: set[str] = set()
            for b in blocks:
                for e in self.fn.blocks[b].events:
                    if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var):
                        changed.add(e.dst.name)
                    elif isinstance(e, ir.Call):
                        changed.update(r.name for a in e.args if isinstance(a, ir.AddrOf) and (r := ir.root_var(a)))
            kept = frozenset(locals_ - changed)
            out.update((b, kept) for b in blocks)
            in_loops |= changed
        outside = frozenset(locals_ - in_loops)
        return {b.id: out.get(b.id, outside) for b in self.fn.blocks}

    def without_dead_facts(self, bid: int, state: State) -> State:
        live = self._live_facts.get(bid, frozenset())
        dead = [k for k in state.facts if k in self.tested and k not in live]
        if not dead:
            return state
        state = state.copy()
        for key in dead:
            del state.facts[key]
        return state

    @functools.cached_property
    def _unassigned_params(self) -> frozenset[str]:
        assigned = {e.dst.name for e in cfg.events(self.fn) if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var)}
        return frozenset(p.name for p in self.fn.params) - assigned

    @functools.cached_property
    def _counters(self) -> frozenset[str]:
        return cfg.counters(self.fn)

    def _multiply_tested(self) -> frozenset[str]:
        """Keys (locals, globals, fields) worth keeping facts about: tested by two different conditions, tested
        once and assigned a known value (a loop counter), or returned and assigned a known value (a status the
        summary needs per return). Both edges of one condition carry an Assume and a lowering temporary is tested
        once: tracking more multiplies states for nothing. A local whose address is kept in a pointer may change
        behind our back: never tracked."""
        conditions: dict[str, set] = {}
        assigned: set[str] = set()
        addressed: set[str] = set()  # `p = &x`: x may change through p (an address passed to a call is forgotten there)
        returned: set[str] = set()  # `res = -1; ... return res;`: the summary needs the value per return
        for e in cfg.events(self.fn):
            if isinstance(e, ir.Return) and isinstance(e.value, ir.Var):  # `return v ? strdup(v) : NULL;`: $1
                returned.add(e.value.name)
            elif isinstance(e, ir.Assume) and (key := fact_key(e.value)) is not None:
                conditions.setdefault(key, set()).add((e.loc.line, e.loc.col))
            elif isinstance(e, ir.Relation):
                ka, kb = fact_key(e.lhs), fact_key(e.rhs)
                for key in (ka, kb):
                    if key is not None:  # a side compared with a value known on the path (`i < n`, n = 1)
                        conditions.setdefault(key, set()).add((e.loc.line, e.loc.col))
                if ka is not None and kb is not None and ka != kb:
                    key = relation_key(min(ka, kb), max(ka, kb))
                    conditions.setdefault(key, set()).add((e.loc.line, e.loc.col))
            elif isinstance(e, ir.Assign):
                if (key := fact_key(e.dst)) is not None and isinstance(e.src, (ir.Const, ir.Arith)):
                    assigned.add(key)
                address_taken(e.src, addressed)
        tested = {k for k, locs in conditions.items() if (len(locs) >= 2 or k in assigned)}
        return frozenset(k for k in tested | (returned & assigned) if not addressed.intersection(places(k)))


def address_taken(op: ir.Operand | None, out: set[str]) -> None:
    """Locals whose address `op` takes (`&x`, `&s.f`)."""
    while isinstance(op, (ir.Field, ir.Deref, ir.Index, ir.AddrOf)):
        if isinstance(op, ir.AddrOf) and (root := ir.root_var(op.base)) is not None:
            out.add(root.name)
        op = op.base
