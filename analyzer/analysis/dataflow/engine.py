"""Path-sensitive ownership dataflow over one function's CFG: a worklist of (block, state, trail)."""
from __future__ import annotations

import dataclasses
import functools
import re
from collections import deque

from analyzer import cfg, ir
from analyzer.analysis.summaries import CallEffect, Resolver

from .fact_scope import WIDEN_AFTER, FactScope, address_taken
from .graph import OwnershipGraph, operand_text
from .records import HEAP, RecordHeap, param_field_place
from .state import (
    DETACHED,
    ESCAPED,
    INVALID,
    LEAKED,
    MEMBER,
    MOVED,
    OWNED,
    PARAM,
    RELEASED,
    Defect,
    FunctionResult,
    Resource,
    ReturnShape,
    State,
    StatusLink,
    Trail,
    TrailStep,
    param_key,
    pointee,
)
from .summary import summarize, writes_out_blind
from .values import (
    NOT_NULL,
    SWAP,
    Infeasible,
    admits,
    constrain,
    evaluate,
    exactly,
    fact_key,
    field_name,
    field_root,
    places,
    relation_key,
)

# methods of a status object that say it succeeded, and the factories that make a successful or failed status
OK_METHODS = frozenset({"ok", "OK", "Ok", "IsOk", "isOk", "is_ok", "IsOK", "good", "succeeded", "Succeeded"})
SUCCESS_FACTORIES = frozenset({"OK", "Ok", "ok", "OkStatus", "Success", "success"})
FAILURE_FACTORY = re.compile(r"Error|Err$|Fail|Invalid|NotFound|Corruption|NotSupported|Unavailable|Busy|Abort|"
                             r"Aborted|TimedOut|Timeout|Incomplete|Unknown|Unimplemented|Internal|Denied|Exhausted")
# a member's entry value tested this way holds no resource: NULL, or a negative descriptor (`assert(fd_ < 0)`)
EMPTY_TESTS = frozenset({("==", 0), ("<", 0), ("<=", -1), ("==", -1)})
MAX_STATES_PER_BLOCK = 48
MAX_VISITS = 40000
TRAIL_LIMIT = 120


class OwnershipAnalysis(RecordHeap):
    def __init__(self, fn: ir.Function, resolver: Resolver):
        self.fn = fn
        self.resolver = resolver
        self.result = FunctionResult(fn)
        self.resources: dict[tuple, Resource] = {}
        self.graph = OwnershipGraph(fn, self.resources)
        self.result.graph = self.graph.graph
        self.reported: set[tuple] = set()
        self.scope = FactScope(fn)
        self.tested = self.scope.tested
        self.return_shapes: list[ReturnShape] = []
        self.origins: dict[str, str] = {}  # lowering temporary -> the (short) name of the call that produced it
        self.param_index = {p.name: i for i, p in enumerate(fn.params)}
        self.own_names = frozenset(fn.locals) | frozenset(self.param_index)
        # the old value of a member is only unknown (possibly owned) in methods entered with a live object
        self.track_members = bool(fn.class_name) and fn.kind in ("method", "destructor")
        self.member_res: dict[tuple, Resource] = {}
        self.detached_at: dict[tuple, ir.Loc] = {}
        # stored in a field or global, or given to a callee whose body may keep it: returned afterwards, the caller
        # gets a pointer something else may own
        self.kept_elsewhere: set[tuple] = set()
        self.record_locals = self._record_locals()
        self.field_copies = self._field_copies(fn)

    def _record_locals(self) -> frozenset[str]:
        """Local structs whose fields are followed as places: not those whose address is kept in a variable or
        stored (`p = &s`: p->a is s.a behind our back)."""
        kept: set[str] = set()
        for e in cfg.events(self.fn):
            if isinstance(e, ir.Assign):
                address_taken(e.src, kept)
                if isinstance(e.src, ir.Var) and e.src.name in self.fn.record_locals and e.dst != e.src:
                    kept.add(e.src.name)  # `char **p = slots;`: the array is reached through p
        return frozenset(self.fn.record_locals) - kept

    # ---- driver ------------------------------------------------------------------------------
    def run(self) -> FunctionResult:
        init = State({}, {}, {}, {}, {}, {})
        for i, p in enumerate(self.fn.params):
            # pointers, and value parameters that may be handles (an `int fd` a callee closes)
            if (p.is_pointer and p.pointer_depth == 1) or not (p.is_pointer or p.is_reference):
                rid: tuple = ("param", i)
                init.status[rid] = PARAM
                init.pts[p.name] = frozenset({rid})
            if p.pointer_depth >= 2 or p.is_reference or p.pointee_integer:
                # `T **pp`, `T *&p`: what the caller's object holds, reached through *pp
                rid = ("param", i, "*")
                init.status[rid] = PARAM
                init.pts[pointee(p.name)] = frozenset({rid})
        seen: dict[int, set] = {}
        work: deque = deque([(self.fn.entry, init, None)])
        visits = 0
        while work:
            bid, state, trail = work.popleft()
            if state.facts:
                state = self.scope.without_dead_facts(bid, state)
            k = state.key()
            bucket = seen.setdefault(bid, set())
            if k in bucket:
                continue
            if len(bucket) >= WIDEN_AFTER and (widened := self.scope.widened(state, bid, len(bucket))) is not None:
                state = widened
                k = state.key()
                if k in bucket:
                    continue
            if len(bucket) >= MAX_STATES_PER_BLOCK or visits >= MAX_VISITS:
                self.result.truncated = True
                continue
            bucket.add(k)
            visits += 1
            block = self.fn.blocks[bid]
            st = state.copy()
            tr = Trail(trail)
            try:
                alive = self._block(block, st, tr)
            except Infeasible:
                continue
            if not alive:
                continue
            self._forget_dead(st)
            for s in block.succs:
                work.append((s, st, tr))
        self.result.resources = self.resources
        self.result.summary = summarize(self.fn, self.return_shapes, self.result.truncated, self.resolver,
                                        keeps_copies=bool(self.result.field_stores or self.result.global_stores))
        return self.result

    def _forget_dead(self, st: State) -> None:
        """Drop acquired resources nothing refers to any more and that can no longer be reported
        (escaped, released, invalid, already leaked): they only multiply states at joins."""
        live = set()
        for rids in st.pts.values():
            live.update(rids)
        for old in st.pending.values():
            live.update(old)
        # what an out-parameter or a field of a parameter received: its fate decides what the caller is told
        live.update(v for k, v in st.param_events.items() if isinstance(k, tuple) and k[0] in ("out-rid", "field-rid"))
        for rid in [r for r, s in st.status.items()
                    if s in (ESCAPED, RELEASED, INVALID, LEAKED) and r not in live and r in self.resources]:
            del st.status[rid]
            st.released_by.pop(rid, None)
            st.pending.pop(rid, None)

    def _block(self, block: ir.Block, st: State, tr: Trail) -> bool:
        for e in block.events:
            handler = getattr(self, "_" + type(e).__name__)
            if handler(e, st, tr) is False:
                return False
        return True

    # ---- helpers ----------------------------------------------------------------------------
    def slot(self, op: ir.Operand | None) -> str | None:
        """`s.a` (`s.in.a`) of a local struct `s`: a place of its own, named 's.a'."""
        path: list[str] = []
        while isinstance(op, ir.Field) and not op.arrow and op.base is not None:
            path.append(op.name)
            op = op.base
        if path and isinstance(op, ir.Var) and op.name in self.record_locals:
            return op.name + "".join(p if p.startswith("[") else "." + p for p in reversed(path))  # s.a, slots[1]
        return None

    def record_root(self, op: ir.Operand) -> ir.Var | None:
        """The local struct `s` of `s`, `&s` or `&s.a.b`, or None."""
        if isinstance(op, ir.AddrOf):
            op = op.base
            while isinstance(op, ir.Field) and not op.arrow and op.base is not None:
                op = op.base
        elif isinstance(op, ir.Index):  # `slots[i]`: any element of a local array
            op = op.base
        return op if isinstance(op, ir.Var) and op.name in self.record_locals else None

    def slots_of(self, st: State, name: str) -> list[str]:
        return [k for k in st.pts if k.startswith((name + ".", name + "["))]

    def rids(self, st: State, op: ir.Operand | None) -> frozenset:
        if isinstance(op, ir.Var):
            if op.name in self.record_locals:  # the whole struct: what it and its fields hold
                return st.pts.get(op.name, frozenset()).union(*(st.pts[k] for k in self.slots_of(st, op.name)))
            return st.pts.get(op.name, frozenset())
        if (slot := self.slot(op)) is not None:
            return st.pts.get(slot, frozenset())
        if isinstance(op, ir.Index) and (whole := self.record_root(op)) is not None:
            return self.rids(st, whole)  # `slots[i]`: it may be any element
        if isinstance(op, ir.AddrOf) and isinstance(op.base, ir.Index) and isinstance(op.base.base, ir.Var) and \
                op.base.base.name not in self.record_locals:
            return st.pts.get(op.base.base.name, frozenset())  # `&p[i]` points into p's block
        if isinstance(op, ir.Field) and op.base is None and self.track_members:
            key = "this->" + op.name
            if key not in st.pts:
                rid = ("member", op.name)
                st.pts[key] = frozenset({rid})
                st.status.setdefault(rid, MEMBER)
                self.member_res.setdefault(rid, Resource(rid, "", "", self.fn.loc, "member"))
            return st.pts[key]
        if isinstance(op, ir.Global) and op.usr in self.resolver.carriers:
            key = "global:" + op.usr
            if key not in st.pts:  # what the file's other functions left in it: the global owns it, not we
                rid = ("global", op.usr)
                st.pts[key] = frozenset({rid})
                st.status.setdefault(rid, MEMBER)
            return st.pts[key]
        if isinstance(op, ir.Field) and self.param_field(op) is not None:
            return st.pts.get(param_field_place(op), frozenset())  # what this function stored in `p->f`
        if isinstance(op, ir.Deref) and isinstance(op.base, ir.Var):
            # `*pp`: the local pp points to (`pp = &data`), or what a `T **` / `T &` parameter's caller holds
            target = st.refs.get(op.base.name)
            return st.pts.get(target if target is not None else pointee(op.base.name), frozenset())
        return frozenset()

    def pointee_place(self, st: State, op: ir.Operand | None) -> str | None:
        """The local whose value a call can reach through this argument: `&data`, or `pp` after `pp = &data`."""
        if isinstance(op, ir.AddrOf) and isinstance(op.base, ir.Var) and op.base.name not in self.record_locals:
            return op.base.name
        if isinstance(op, ir.AddrOf) and (slot := self.slot(op.base)) is not None:
            return slot
        if isinstance(op, ir.Var):
            return st.refs.get(op.name)
        return None

    def var_name(self, st: State, rid: tuple) -> str:
        names = [v for v in st.holders(rid) if not v.startswith("$")]
        return names[0] if names else ""

    def report(self, rule: str, rid: tuple, loc: ir.Loc, st: State, tr: Trail, var: str = "",
               releaser: str = "") -> None:
        res = self.resources.get(rid) or self.member_res.get(rid)
        if res is None:
            return
        key = (rule, rid[:2], loc.line, loc.col)
        if key in self.reported:
            return
        self.reported.add(key)
        var = var.removesuffix(HEAP)  # a local struct's heap: named by the struct
        recent = tr.recent(TRAIL_LIMIT)
        start = next((i for i in range(len(recent) - 1, -1, -1)
                      if recent[i].kind == "acquire" and recent[i].rid == rid), 0)
        steps = tuple(s for s in recent[start:] if s.rid in (None, rid) or s.kind == "branch")
        self.result.defects.append(Defect(rule, res, loc, var, steps, releaser))

    def escape(self, st: State, rid: tuple, tr: Trail, loc: ir.Loc, message: str) -> None:
        status = st.status.get(rid)
        if status == OWNED:
            st.status[rid] = ESCAPED
            tr.append(TrailStep(loc, "escape", message, rid))
        elif status == PARAM:
            st.param_events.setdefault(param_key(rid), "escaped")
        elif status in (MEMBER, DETACHED):
            st.status[rid] = ESCAPED

    # ---- events ------------------------------------------------------------------------------
    def _Branch(self, e: ir.Branch, st: State, tr: Trail) -> None:
        tr.append(TrailStep(e.loc, "branch", f"'{e.text}' is {'true' if e.taken else 'false'}"))

    def _Compare(self, e: ir.Compare, st: State, tr: Trail) -> None:
        """A resource acquired here and still owned cannot equal a pointer that does not refer to it
        (`if (buf != stackbuf) free(buf);`): prune the edge that claims it does."""
        if not e.equal:
            return
        a, b = self.rids(st, e.lhs), self.rids(st, e.rhs)
        for x, y in ((a, b), (b, a)):
            if x and not (x & y) and all(st.status.get(r) == OWNED and r in self.resources for r in x):
                raise Infeasible

    def _Use(self, e: ir.Use, st: State, tr: Trail) -> None:
        rids = self.rids(st, e.value)
        if rids and all(st.status.get(r) == RELEASED for r in rids):
            for r in rids:
                name = e.value.name if isinstance(e.value, (ir.Var, ir.Field, ir.Global)) else ""
                self.report("use-after-release", r, e.loc, st, tr, name, st.released_by.get(r, ""))

    def _Halt(self, e: ir.Halt, st: State, tr: Trail) -> bool:
        return False

    def _Assume(self, e: ir.Assume, st: State, tr: Trail) -> None:
        if isinstance(e.value, ir.Var) and e.value.name in st.status_of:
            self._assume_status(st.status_of[e.value.name], e, st)
        rids = self.rids(st, e.value)
        self._assume_value(e, st)  # `if (!u) goto out; ... out: if (u) free(u)`: the same test, the same answer
        if not rids:
            return
        for rid in rids:
            if rid in self.resources:
                self._assume_resource(rid, e, st)
            else:
                self._assume_unacquired(rid, e, st)

    def _assume_value(self, e: ir.Assume, st: State) -> None:
        """`value OP const` of a place that holds no resource: a constant global decides the edge, a tracked
        place learns (or contradicts) a fact."""
        key = fact_key(e.value)
        if key is None:
            return
        known = evaluate(e.value, {}, self.resolver.global_values) if isinstance(e.value, ir.Global) else None
        if known is not None:
            constrain(known, e.op, e.const)  # Infeasible: the global's value says this edge is never taken
        elif key in self.tested or key in st.facts:
            st.facts[key] = constrain(st.facts.get(key), e.op, e.const)

    def _Relation(self, e: ir.Relation, st: State, tr: Trail) -> None:
        """`a OP b` between integers: with one side known it constrains the other; else a fact about a - b (a loop
        index compared again with the bound that ended the loop)."""
        gv = self.resolver.global_values
        ka, kb = fact_key(e.lhs), fact_key(e.rhs)
        va, vb = evaluate(e.lhs, st.facts, gv), evaluate(e.rhs, st.facts, gv)
        if vb is not None and vb[0] == vb[1] and ka is not None:
            self._assume_value(ir.Assume(e.loc, e.lhs, e.op, int(vb[0])), st)
        if va is not None and va[0] == va[1] and kb is not None:
            self._assume_value(ir.Assume(e.loc, e.rhs, SWAP[e.op], int(va[0])), st)
        if ka is None or kb is None or ka == kb:
            return
        op = e.op
        if ka > kb:
            ka, kb, op = kb, ka, SWAP[op]
        key = relation_key(ka, kb)
        if key in self.tested or key in st.facts:
            st.facts[key] = constrain(st.facts.get(key), op, 0)  # a OP b  <=>  a - b OP 0

    def _assume_unacquired(self, rid: tuple, e: ir.Assume, st: State) -> None:
        """A parameter or a member's entry value tested against NULL."""
        status = st.status.get(rid)
        if status == PARAM and e.op == "==" and e.const == 0:
            st.param_events[param_key(rid)] = "null"
        elif status in (MEMBER, DETACHED) and (e.op, e.const) in EMPTY_TESTS:
            st.status[rid] = INVALID  # NULL, or a negative descriptor
        elif status == INVALID and rid[0] == "member" and e.op == "!=" and e.const == 0:
            raise Infeasible

    def _assume_resource(self, rid: tuple, e: ir.Assume, st: State) -> None:
        """An acquired resource tested against its kind's invalid value: on the failure edge nothing was
        acquired (and a pending reallocation gives the old block back)."""
        status = st.status.get(rid)
        res = self.resources[rid]
        kind = self.resolver.rules.kinds.get(res.kind)
        verdict = kind.is_invalid(e.op, e.const) if kind else (
            True if (e.op == "==" and e.const == 0) else False if (e.op == "!=" and e.const == 0) else None)
        if verdict is True:
            if status == ESCAPED and any(k[0] in ("out-rid", "field-rid") and v == rid
                                         for k, v in st.param_events.items() if isinstance(k, tuple)):
                st.status[rid] = INVALID  # what an out-parameter or a field received is NULL: nothing filled
            if status == OWNED:
                st.status[rid] = INVALID
                for old in st.pending.pop(rid, ()):
                    if st.status.get(old) == MOVED:
                        st.status[old] = OWNED
                    elif st.status.get(old) == PARAM:
                        st.param_events.pop(param_key(old), None)  # realloc failed: the caller keeps its block
        elif verdict is False:
            if status == INVALID:
                raise Infeasible
            for old in st.pending.pop(rid, ()):
                if st.status.get(old) == MOVED:
                    st.status[old] = RELEASED
        elif status == OWNED and kind is not None and kind.invalid == "negative" and _standard_stream(e.op, e.const):
            # `if (fd > STDERR_FILENO) close(fd);`: a valid descriptor at most 2 is a standard stream the process
            # had closed; it stays open on purpose (daemonize)
            st.status[rid] = ESCAPED

    def _assume_status(self, link: StatusLink, e: ir.Assume, st: State) -> None:
        """A condition on the value that says whether an out-parameter acquisition happened."""
        assert isinstance(e.value, ir.Var)
        if link.values is not None and link.acquired_on is not None:
            fact = constrain(st.facts.get(e.value.name), e.op, e.const)
            st.facts[e.value.name] = fact
            possible = {v for v in link.values if admits(fact, v)}
            if not possible and not link.others:
                raise Infeasible  # the callee never returns such a value
            acquired = bool(possible & link.acquired_on)
            if link.rid[0] == "param-out" and possible and possible <= link.acquired_on and not link.others:
                # `if ((error = new_x(out)) == 0) error = fill(*out);`: our out-parameter is set on this path,
                # whatever the status variable holds by the return
                st.param_events[("out", link.rid[1])] = link.rid[2]
        else:
            op, const = e.op, e.const
            acquired = not ((op == "!=" and const == 0) or (op == "==" and const < 0) or
                            (op == "<" and const <= 0) or (op == "<=" and const < 0))
        if not acquired and st.status.get(link.rid) == OWNED:
            st.status[link.rid] = INVALID

    def _Kill(self, e: ir.Kill, st: State, tr: Trail) -> None:
        dying: dict[tuple, str] = {}
        names = [*e.names, *(k for n in e.names if n in self.record_locals for k in self.slots_of(st, n))]
        for name in names:
            for rid in st.pts.pop(name, frozenset()):
                dying.setdefault(rid, name)
            st.facts.pop(name, None)
            st.status_of.pop(name, None)
            st.refs.pop(name, None)
        if st.refs:
            gone = set(e.names)
            st.refs = {v: t for v, t in st.refs.items() if t not in gone}
        for rid, name in sorted(dying.items(), key=repr):
            if st.status.get(rid) == DETACHED and not st.holders(rid):
                self._detached_lost(rid, st, tr)
            if st.status.get(rid) == OWNED and not st.holders(rid):
                tr.append(TrailStep(e.loc, "exit", "goes out of scope without being released", rid))
                self.report("resource-leak", rid, e.loc, st, tr, "" if name.startswith("$") else name)
                st.status[rid] = LEAKED

    def _Return(self, e: ir.Return, st: State, tr: Trail) -> bool:
        if (j := self.returned_param_field(e.value)) is not None:
            st.param_events.setdefault(("field-returned", j), True)
        returned = self.rids(st, e.value) or self.field_heap(st, e.value)
        if (inner := _object_of_field_address(e.value)) is not None:  # `return &obj->base;`
            returned = returned | self.rids(st, inner)
        # only what the caller receives owned counts (not what was stored or handed off before)
        owned_at_return = {r for r in returned if st.status.get(r) == OWNED}
        _hand_over_with(owned_at_return, st)
        for rid in returned:
            for old in st.pending.get(rid, ()):
                if st.status.get(old) == PARAM:  # `return realloc(ptr, n);`: ptr's block is in the result, or kept
                    st.param_events[param_key(old)] = ("moved", st.param_events.get(param_key(old), ("", ""))[1])
            if st.status.get(rid) == OWNED:
                st.status[rid] = ESCAPED
                self.graph.edge(self.graph.resource(rid), self.graph.node("return", "return", "return value"), None)
            elif st.status.get(rid) in (MEMBER, DETACHED):
                st.status[rid] = ESCAPED  # `old = cur_; cur_ = fresh; return old;`: the caller gets the old value
        shape = self._return_shape(e, returned, owned_at_return, st)
        pointer = self.fn.return_type.rstrip().endswith("*")  # (its NULL/non-NULL classes are no constants)
        self.return_shapes.extend([shape] if pointer else _per_passed_result(shape, e.value, st))
        for rid, status in sorted(st.status.items(), key=repr):
            if status == DETACHED:
                self._detached_lost(rid, st, tr)
            if status == OWNED and rid in self.resources:
                holders = [h for h in st.holders(rid) if not h.startswith("$")]
                tr.append(TrailStep(e.loc, "exit", "returns without releasing it", rid))
                self.report("resource-leak", rid, e.loc, st, tr, holders[0] if holders else "")
        return False

    def _return_shape(self, e: ir.Return, returned: frozenset, owned: set, st: State) -> ReturnShape:
        constant = self._constant(e.value, st)
        # `return v ? strdup(v) : NULL;`: the temporary known to be 0 on this path is a NULL return
        null = not returned and constant == 0 and isinstance(e.value, ir.Var)
        return ReturnShape(
            tuple(sorted(self.resources[r].kind for r in owned if r in self.resources)),
            tuple(sorted(self.resources[r].acquirer for r in returned if r in self.resources)),
            not null and (self._returns_borrowed(e.value, returned, st) or self._returns_kept(returned, owned, st)),
            _events_at_return(st), isinstance(e.value, ir.Const) or null,
            tuple(sorted(r[1] for r in returned if r[0] == "param")), constant,
            self._members_emptied(st))

    def _members_emptied(self, st: State) -> frozenset[str]:
        """Members whose entry value is gone on this path (released, found NULL, handed off) and that hold nothing
        new: after a call, the caller's object no longer owns anything through them (`clear()`)."""
        out = set()
        for rid, status in st.status.items():
            if rid[0] != "member" or status not in (RELEASED, INVALID, ESCAPED):
                continue
            held = st.pts.get("this->" + rid[1], frozenset())
            if held <= {rid}:  # nothing new stored in it (a fresh resource stored there is no emptiness)
                out.add(rid[1])
        return frozenset(out)

    def _empty_members(self, e: ir.Call, st: State) -> None:
        """A same-object method that empties members (`clear(); data_ = fresh;`): their old values are gone."""
        if not self.track_members or not (isinstance(e.receiver, ir.Var) and e.receiver.name == "this"):
            return
        summary = self.resolver.summary_for(e)
        for name in summary.empties_members if summary is not None else ():
            for rid in self.rids(st, ir.Field(None, name)):
                if st.status.get(rid) in (MEMBER, DETACHED):
                    st.status[rid] = INVALID
            st.pts["this->" + name] = frozenset()

    def _constant(self, value: ir.Operand | None, st: State) -> int | None:
        """The returned integer when known; for a status object, 0 (success) or 1 (failure) by the factory that
        made it (`return Status::OK();`, `return Status::IOError(...);`)."""
        known = evaluate(value, st.facts, self.resolver.global_values)
        if known is not None and known[0] == known[1]:
            return int(known[0])
        origin = self.origins.get(value.name) if isinstance(value, ir.Var) else None
        if origin in SUCCESS_FACTORIES:
            return 0
        if origin is not None and FAILURE_FACTORY.search(origin):
            return 1
        return None

    def _may_keep(self, e: ir.Call, effect: CallEffect, i: int) -> bool:
        """The callee's body may keep argument i in a structure (`RB_INSERT(&c->files, cf)`): a declared parameter
        it does not borrow (not the variadic arguments of a logging function), of a callee that is neither this
        function nor a constructor (`child = build(parent, ..)` keeps a back-pointer in the child it returns)."""
        summary = self.resolver.summary_for(e) if e.callee_usr in self.resolver.with_body else None
        return summary is not None and i < summary.declared_params and e.callee_usr != self.fn.usr and \
            not effect.acquire_kind

    def _returns_kept(self, returned: frozenset, owned: set, st: State) -> bool:
        """This path returns a resource it stored or gave to a callee that may keep it (`cf = xcalloc(..); if (c)
        RB_INSERT(&c->files, cf); return cf;`): if another path returns it owned, the function is no acquirer."""
        return not owned and any(st.status.get(r) == ESCAPED and r in self.kept_elsewhere for r in returned)

    def _returns_borrowed(self, value: ir.Operand | None, returned: frozenset, st: State) -> bool:
        if value is None or isinstance(value, ir.Const):
            return False
        if returned:
            return any(r not in self.resources for r in returned)
        return True

    def _Assign(self, e: ir.Assign, st: State, tr: Trail) -> None:
        src = self.rids(st, e.src) or self.field_heap(st, e.src)  # `p = tb.buf`: p shares what tb owns
        if isinstance(e.dst, ir.Deref) and isinstance(e.dst.base, ir.Var) and e.dst.base.name in st.refs:
            self._assign_var(e, ir.Var(st.refs[e.dst.base.name]), src, st, tr)  # `*pp = x` with pp = &data
            return
        if isinstance(e.dst, ir.Var):
            if e.dst.name in self.record_locals:
                self._assign_record(e, e.dst.name, st, tr)
            if (whole := self.record_root(e.src)) is not None:  # `copy = s`, `p = &s`, `p = &s.in`
                src = self._copied_record(e, whole.name, self.rids(st, whole), st, tr)
            self._assign_var(e, e.dst, src, st, tr)
            return
        if (slot := self.slot(e.dst)) is not None:
            self._assign_slot(e, slot, src, st, tr)
            return
        self._store(e, src, st, tr)

    def _store(self, e: ir.Assign, src: frozenset, st: State, tr: Trail) -> None:
        """`s->f = v`, `*out = v`, `g = v`, `a[i] = v`: the value leaves this function's locals."""
        self.note_field_store(e, src, st)
        self._note_unowned_store(e, src, st)
        if isinstance(e.dst, ir.Deref) and isinstance(e.dst.base, ir.Var) and e.dst.base.name in self.param_index:
            st.param_events.setdefault(("deref", self.param_index[e.dst.base.name]), "written")
        if isinstance(e.src, ir.AddrOf) and (isinstance(e.src.base, ir.Var) or self.record_root(e.src)):
            # `s->slot = &data`: whatever data holds may be reached (and released) through the stored address
            # (`&lc->cells` points into the object lc owns, not at the local lc: no hand-over)
            for rid in self.rids(st, self.record_root(e.src) or e.src.base):
                self.escape(st, rid, tr, e.loc, f"address stored in '{operand_text(e.dst)}'")
        elif (inner := _object_of_field_address(e.src)) is not None and ir.root_var(e.dst) != inner:
            # `*ppCursor = &pCur->base;`: the object is handed over through its (first) member's address
            for rid in self.rids(st, inner):
                self.escape(st, rid, tr, e.loc, f"handed over as '{operand_text(e.src)}'")
        holder = ir.root_var(e.dst)
        self._forget_place(e.dst, st)
        if (key := fact_key(e.dst)) is not None:
            self._learn(key, e.src, st)
        if isinstance(e.dst, ir.Field) and e.dst.base is None:
            self._assign_member(e, st, tr, src)
        if isinstance(e.dst, ir.Global) and e.dst.usr in self.resolver.carriers:
            self._assign_carrier(e, e.dst, st, tr, src)
        for rid in src:
            status = st.status.get(rid)
            self.graph.edge(self.graph.resource(rid), self.graph.place(e.dst), "store", e.loc.line)
            if status == PARAM:
                _store_param(e, rid, holder, st)
            elif status == OWNED:
                self.kept_elsewhere.add(rid)
                self.escape(st, rid, tr, e.loc, self._store_message(e, rid, st))

    def _note_unowned_store(self, e: ir.Assign, src: frozenset, st: State) -> None:
        """A global or field this path assigns a value the function does not own (a borrowed parameter, NULL): not
        a place where an owned block always goes."""
        if not isinstance(e.dst, (ir.Global, ir.Field)) or any(st.status.get(r) == OWNED for r in src):
            return
        # storing NULL (nothing yet, or an allocation that failed) on some path does not make the place borrowed
        if (src and all(st.status.get(r) == INVALID for r in src)) or \
                (not src and evaluate(e.src, st.facts, self.resolver.global_values) == (0, 0, frozenset())) or \
                (not src and isinstance(e.src, ir.Var) and e.src.name in self._null_or_made):
            return
        self.result.unowned_stores.add(e.loc)

    @functools.cached_property
    def _null_or_made(self) -> set[str]:
        """Locals only ever NULL or made by a call (its result, or filled through `&p`): holding no resource, they
        hold NULL, not something borrowed."""
        made: dict[str, bool] = {}
        for e in cfg.events(self.fn):
            if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var):
                ok = (isinstance(e.src, ir.Const) and (e.src.kind == "null" or e.src.value == 0)) \
                    or (isinstance(e.src, ir.Var) and e.src.name.startswith("$"))
                made[e.dst.name] = made.get(e.dst.name, True) and ok
        return {name for name, ok in made.items() if ok and name not in self.param_index}

    def _assign_carrier(self, e: ir.Assign, dst: ir.Global, st: State, tr: Trail, src: frozenset) -> None:
        """`r = pending; pending = NULL;` on a static global that carries a resource between the functions of its
        file: the local that still holds the old value now owns it (`r` must release or hand it on)."""
        key = "global:" + dst.usr
        kind, acquirer = self.resolver.carriers[dst.usr]
        for rid in sorted(self.rids(st, dst) - src, key=repr):
            holders = [h for h in st.holders(rid) if h != key]
            if st.status.get(rid) != MEMBER or not holders or any(h.startswith(("global:", "this->")) for h in holders):
                continue  # nobody else has it, or it moved into another global or member
            self.resources[rid] = Resource(rid, kind, acquirer, e.loc, f"carrier:{dst.name}")
            st.status[rid] = OWNED
            tr.append(TrailStep(e.loc, "acquire", f"{kind} taken out of static '{dst.name}' (set to another value)",
                                rid))
        st.pts[key] = src

    def _copied_record(self, e: ir.Assign, name: str, src: frozenset, st: State, tr: Trail) -> frozenset:
        """`copy = s;`, `p = &s;`: the fields now have two owners we do not follow; nothing is aliased."""
        for rid in src:
            self.escape(st, rid, tr, e.loc, f"copied with '{name}'")
        return frozenset()

    def _assign_slot(self, e: ir.Assign, slot: str, src: frozenset, st: State, tr: Trail) -> None:
        """`s.a = value` on a local struct: like a local variable named 's.a'."""
        self._forget_place(e.dst, st)
        if (key := fact_key(e.dst)) is not None:
            self._learn(key, e.src, st)
        self._overwrite(slot, e.loc, st, tr, src)
        if src:
            st.pts[slot] = src
            for rid in src:
                self.graph.edge(self.graph.resource(rid), self.graph.place(e.dst), "assign", e.loc.line)
        else:
            st.pts.pop(slot, None)

    def _assign_record(self, e: ir.Assign, name: str, st: State, tr: Trail) -> None:
        """`s = other;` / `s = make();`: the old fields are replaced by values we do not follow field by field."""
        for slot in self.slots_of(st, name):
            for rid in st.pts.pop(slot):
                self.escape(st, rid, tr, e.loc, f"'{name}' assigned as a whole")

    def _assign_var(self, e: ir.Assign, dst: ir.Var, src: frozenset, st: State, tr: Trail) -> None:
        """`local = value`: an alias, an overwrite of what the local held, a new fact about it."""
        st.status_of.pop(dst.name, None)
        if isinstance(e.src, ir.AddrOf) and isinstance(e.src.base, ir.Var):
            st.refs[dst.name] = e.src.base.name
        elif isinstance(e.src, ir.Var) and e.src.name in st.refs:
            st.refs[dst.name] = st.refs[e.src.name]
        else:
            st.refs.pop(dst.name, None)
        if isinstance(e.src, ir.Var) and e.src.name in st.status_of:
            st.status_of[dst.name] = st.status_of[e.src.name]
        self._overwrite(dst.name, e.loc, st, tr, src)
        if src:
            st.pts[dst.name] = src
        else:
            st.pts.pop(dst.name, None)  # keep the state small: most assignments carry no resource
        self._learn(dst.name, e.src, st)
        if not dst.name.startswith("$"):
            for rid in src:
                self.graph.edge(self.graph.resource(rid), self.graph.place(dst), "assign", e.loc.line)

    def _learn(self, key: str, src: ir.Operand, st: State) -> None:
        """A tracked place assigned `src`: its new value when known (`i = 0`, `i = i + 1`), else nothing."""
        _forget_relations(st, {key})
        if key not in self.tested:
            st.facts.pop(key, None)
            return
        value = evaluate(src, st.facts, self.resolver.global_values)
        if value is None and isinstance(src, ir.Var) and src.name in self.fn.record_locals:
            value = NOT_NULL  # `p = buf` with a local array (or struct) buf: its address
        if value is None:
            st.facts.pop(key, None)
        else:
            st.facts[key] = value

    @staticmethod
    def _forget_place(dst: ir.Operand, st: State) -> None:
        """An assignment to a field may write any field of that name (pointers alias): their facts go."""
        if isinstance(dst, ir.Field) and st.facts:
            for key in [k for k in st.facts if any(field_name(p) == dst.name for p in places(k))]:
                del st.facts[key]

    @staticmethod
    def _given_objects(e: ir.Call, any_field: bool) -> tuple[set[str], tuple[str, ...], set[str]]:
        """What a call may write through its modifiable arguments: (variables whose objects it may write, prefixes
        of the places it reaches through a pointer read from a field, variables whose address it gets). With
        `any_field` (a callee without a body, or one that writes any field of what it is given) the objects its
        pointer arguments and receiver refer to; `get(c->priv)` writes what c->priv points to, not c's own fields.
        `parse(&n)`: n may change (`localtime_r(&t, ..)` takes a const pointer: t does not)."""
        writable = [a for i, a in enumerate(e.args) if not (i < len(e.arg_borrow) and e.arg_borrow[i])]
        roots: set[str] = set()
        pointees: tuple[str, ...] = ()
        if any_field:
            pointees = tuple(operand_text(a) + "->" for a in writable if isinstance(a, ir.Field))
            roots = {r.name for a in writable if not isinstance(a, ir.Field) and (r := ir.root_var(a)) is not None}
            if (r := ir.root_var(e.receiver)) is not None:
                roots.add(r.name)
        addressed = {r.name for a in writable if isinstance(a, ir.AddrOf) and (r := ir.root_var(a)) is not None}
        return roots | addressed, pointees, addressed

    def _forget_written(self, e: ir.Call, st: State) -> None:
        """Facts about globals and fields the callee may assign; a callee's constant result."""
        summary = self.resolver.summary_for(e)
        if summary is not None and summary.returns_const is not None and e.result is not None:
            st.facts[e.result.name] = exactly(summary.returns_const)
        if not st.facts:
            return
        unknown = not e.callee or (summary is not None and summary.writes_unknown)
        globals_ = set(summary.writes_globals) if summary is not None else set()
        fields = set(summary.writes_fields) if summary is not None else set()
        roots, pointees, addressed = self._given_objects(
            e, e.callee_usr not in self.resolver.with_body or "*" in fields or unknown)

        def written(place: str) -> bool:
            if place.startswith("g:"):
                return unknown or place[2:] in globals_ or place[2:] in self.resolver.addressed_globals
            if place.startswith("f:"):
                # a call through a pointer writes globals, members and what it is given, not the objects only this
                # function's locals and parameters reach (a logging callback between two tests of `ctx->n`), as
                # the Clang analyzer assumes
                root = field_root(place)
                return (unknown and root not in self.own_names) or field_name(place) in fields or root in roots \
                    or place[2:].startswith(pointees)
            return place in addressed

        for key in [k for k in st.facts if any(written(p) for p in places(k))]:
            del st.facts[key]

    def _store_message(self, e: ir.Assign, rid: tuple, st: State) -> str:
        """An owned resource stored in a field, global, element or through an out-parameter: where it went."""
        if isinstance(e.dst, ir.Deref) and isinstance(e.dst.base, ir.Var) and e.dst.base.name in self.param_index:
            index = self.param_index[e.dst.base.name]
            st.param_events[("out", index)] = self.resources[rid].kind
            st.param_events[("out-rid", index)] = rid  # `*out = calloc(..); if (*out == NULL) return -1;`
            st.pts[pointee(e.dst.base.name)] = frozenset({rid})
            return f"stored through out-parameter '{e.dst.base.name}'"
        if isinstance(e.dst, ir.Field) and e.dst.base is None:
            self.result.member_stores.append((e.dst.name, self.resources[rid], e.loc))
            return f"stored in member '{e.dst.name}'"
        if isinstance(e.dst, ir.Global):
            self.result.global_stores.append((e.dst.usr, e.dst.name, self.resources[rid], e.loc))
        elif isinstance(e.dst, ir.Field) and e.dst.arrow and isinstance(e.dst.base, ir.Var):
            index = self.param_index.get(e.dst.base.name, -1)
            self.result.field_stores.append((index, e.dst.name, self.resources[rid], e.loc))
        return f"stored in '{operand_text(e.dst)}'"

    def _assign_member(self, e: ir.Assign, st: State, tr: Trail, src: frozenset) -> None:
        assert isinstance(e.dst, ir.Field)
        name = e.dst.name
        self.result.member_assigns.add(name)
        if not self.track_members:
            return
        key = "this->" + name
        for rid in sorted(self.rids(st, e.dst) - src, key=repr):
            if st.status.get(rid) != MEMBER:
                continue
            if [h for h in st.holders(rid) if h != key]:
                st.status[rid] = DETACHED  # `old = m_; m_ = fresh; release(old);` decides later
                self.detached_at[rid] = e.loc
            elif name in self._members_released_here:
                # `if (_owned) free(_data); _data = NULL;`: the method itself decides whether the member owned
                # what it held (an ownership flag); dropping it on the other path is deliberate
                st.status[rid] = ESCAPED
            else:
                tr.append(TrailStep(e.loc, "overwrite",
                                    f"member '{name}' is overwritten while it may still own a resource", rid))
                self.report("leak-on-overwrite", rid, e.loc, st, tr, name)
                st.status[rid] = LEAKED
        st.pts[key] = src

    @functools.cached_property
    def _members_released_here(self) -> frozenset[str]:
        """Members this method releases on some path (`delete _p`, `free(_data)`, a releasing callee)."""
        return frozenset(a.name for e in cfg.events(self.fn) if isinstance(e, ir.Call)
                         for a in self.resolver.released_args(e) if isinstance(a, ir.Field) and a.base is None)

    def _detached_lost(self, rid: tuple, st: State, tr: Trail) -> None:
        if any(h.startswith("this->") for h in st.holders(rid)):
            return  # moved into another member (`imm_ = mem_; mem_ = new MemTable;`)
        loc = self.detached_at.get(rid)
        if loc is not None:
            tr.append(TrailStep(loc, "overwrite", f"the old value of member '{rid[1]}' is never released", rid))
            self.report("leak-on-overwrite", rid, loc, st, tr, rid[1])
        st.status[rid] = LEAKED

    def _overwrite(self, name: str, loc: ir.Loc, st: State, tr: Trail, new: frozenset) -> None:
        old = st.pts.get(name, frozenset())
        for rid in sorted(old - new, key=repr):
            status = st.status.get(rid)
            others = [h for h in st.holders(rid) if h != name]
            if others:
                continue
            if status == OWNED or (status == MOVED and any(rid in st.pending.get(n, ()) for n in new)):
                if name.startswith("$"):
                    continue
                msg = "overwritten while still owned" if status == OWNED else \
                    "overwritten by the result of the reallocation: if it fails, the old block is lost"
                tr.append(TrailStep(loc, "overwrite", msg, rid))
                self.report("leak-on-overwrite", rid, loc, st, tr, name)
                st.status[rid] = LEAKED

    def _new_resource(self, e: ir.Call, effect: CallEffect, st: State, tr: Trail) -> tuple:
        site = (e.loc.file, e.loc.line, e.loc.col, e.callee)
        rid = (site, 0)
        if rid in st.status and st.status[rid] in (OWNED, MOVED):
            # a second instance from the same site (a loop): rename the older one
            older = (site, 1)
            st.status[older] = st.status.pop(rid)
            for v, rids in list(st.pts.items()):
                if rid in rids:
                    st.pts[v] = (rids - {rid}) | {older}
            if older not in self.resources:
                self.resources[older] = self.resources[rid]
        res = Resource(rid, effect.acquire_kind, effect.acquirer or e.callee, e.loc, effect.source)
        self.resources.setdefault(rid, res)
        st.status[rid] = OWNED
        self.graph.node(f"acquire:{e.loc.line}:{e.loc.col}", "acquire", f"{res.acquirer}()", e.loc.line)
        tr.append(TrailStep(e.loc, "acquire", f"{res.kind} acquired by {res.acquirer}()", rid))
        return rid

    def _Call(self, e: ir.Call, st: State, tr: Trail) -> None:
        effect = self.resolver.effect(e)
        handled = self._call_releases(e, effect, st, tr)
        old_rids = self._call_reallocates(e, effect, st, tr, handled)
        if effect.fills_record or effect.empties_record or effect.detaches_record is not None:
            self.call_records(e, effect, st, tr, handled)
        for i, arg in enumerate(e.args):
            if i not in handled and (effect.acquire_out is None or i != effect.acquire_out):
                self._call_argument(e, effect, i, arg, st, tr)
        # the receiver of a method call is used, not given away; but a method may release a local struct's fields
        if e.receiver is not None and (whole := self.record_root(e.receiver)) is not None:
            for rid in self.rids(st, whole):
                self.escape(st, rid, tr, e.loc, f"'{whole.name}' used by {e.callee}()")
        if effect.acquire_kind:
            self._call_acquires(e, effect, old_rids, st, tr)
        elif effect.returns_arg is not None and e.result is not None and effect.returns_arg < len(e.args):
            # `line = sdstrim(sdsnew(buf), ...)`: the result is the argument itself
            st.pts[e.result.name] = self.rids(st, e.args[effect.returns_arg])
        self._forget_written(e, st)
        self._ok_link(e, st)
        self._empty_members(e, st)
        if e.result is not None and (origin := e.callee.rsplit("::", 1)[-1]):
            self.origins[e.result.name] = origin

    def _call_releases(self, e: ir.Call, effect: CallEffect, st: State, tr: Trail) -> set[int]:
        """Release what the callee releases; returns the argument indexes taken care of."""
        handled: set[int] = set()
        for idx, kind in effect.releases:
            if idx >= len(e.args) or self._any_element(e.args[idx]):
                continue  # `free(slots[i])` releases one element we cannot name: they all escape instead
            handled.add(idx)
            if (j := self.param_field(e.args[idx])) is not None:
                st.param_events.setdefault(("field-released", j), kind)
            for rid in self.rids(st, e.args[idx]) or self.field_heap(st, e.args[idx]):
                self._release(rid, kind, e, st, tr)
        if e.callee in ("delete", "delete[]") and not effect.releases and not (e.args and self._any_element(e.args[0])):
            for rid in self.rids(st, e.args[0] if e.args else None):
                self._release(rid, e.callee, e, st, tr)
            handled.add(0)
        for idx, kind in effect.releases_pointee:  # `drop(&data)` whose body releases *arg
            place = self.pointee_place(st, e.args[idx]) if idx < len(e.args) else None
            if place is not None:
                handled.add(idx)
                for rid in st.pts.get(place, frozenset()):
                    self._release(rid, kind, e, st, tr)
        return handled

    def _any_element(self, op: ir.Operand) -> bool:
        return isinstance(op, ir.Index) and self.record_root(op) is not None

    def _call_reallocates(self, e: ir.Call, effect: CallEffect, st: State, tr: Trail, handled: set[int]) -> frozenset:
        """`realloc(p, n)`: p's resource is moved until the result's validity decides (the old resources)."""
        if effect.realloc_arg is None or effect.realloc_arg >= len(e.args):
            return frozenset()
        handled.add(effect.realloc_arg)
        old_rids = self.rids(st, e.args[effect.realloc_arg])
        for rid in old_rids:
            if st.status.get(rid) == OWNED:
                st.status[rid] = MOVED
                tr.append(TrailStep(e.loc, "release", f"reallocated by {e.callee}()", rid))
            elif st.status.get(rid) == PARAM:
                # a wrapper reallocating its parameter: the caller's block is gone unless the result is NULL
                st.param_events[param_key(rid)] = ("released", effect.acquire_kind)
        return old_rids

    def _call_argument(self, e: ir.Call, effect: CallEffect, i: int, arg: ir.Operand, st: State, tr: Trail) -> None:
        """An argument the callee neither releases nor writes an acquisition through: borrowed or escaping."""
        borrowed = effect.borrows_all or i in effect.borrows or \
            (i < len(e.arg_borrow) and e.arg_borrow[i] and i not in effect.sinks)
        if self._record_argument(e, effect, i, arg, st, tr):
            return
        place = self.pointee_place(st, arg)
        if place is not None:  # `f(&data)`, or `f(pp)` with pp = &data: the callee reaches data's value
            if i in effect.borrows_pointee:
                return  # the callee's body only reads *arg
            for rid in st.pts.get(place, frozenset()):
                self.escape(st, rid, tr, e.loc, f"address passed to {e.callee or 'a call'}()")
            st.facts.pop(place, None)
            return
        if isinstance(arg, ir.AddrOf):
            inner = ir.root_var(arg)
            # `&p` itself lets even a "borrowing" callee copy the pointer out (memcpy(slot, &p, sizeof p))
            if inner is not None and (not borrowed or isinstance(arg.base, ir.Var)):
                for rid in st.pts.get(inner.name, frozenset()):
                    self.escape(st, rid, tr, e.loc, f"address passed to {e.callee or 'a call'}()")
                st.facts.pop(inner.name, None)
            return
        if not borrowed:
            self._argument_escapes(e, effect, i, arg, st, tr)

    def _argument_escapes(self, e: ir.Call, effect: CallEffect, i: int, arg: ir.Operand, st: State, tr: Trail
                          ) -> None:
        """What a callee that may take ownership is given escapes (a parameter given to a sink is stored)."""
        for rid in self.rids(st, arg) or self.field_heap(st, arg):
            status = st.status.get(rid)
            if status in (OWNED, PARAM, MEMBER, DETACHED):
                call = self.graph.node(f"call:{e.callee}:{e.loc.line}", "call", f"{e.callee or '?'}()", e.loc.line)
                self.graph.edge(self.graph.resource(rid), call, "escape")
                if status == PARAM and i in effect.sinks:
                    st.param_events[param_key(rid)] = "stored"
                if status == OWNED and self._may_keep(e, effect, i):
                    self.kept_elsewhere.add(rid)
                self.escape(st, rid, tr, e.loc, f"passed to {e.callee or 'an unknown function'}(), "
                                                "which may take ownership")

    def _record_argument(self, e: ir.Call, effect: CallEffect, i: int, arg: ir.Operand, st: State,
                         tr: Trail) -> bool:
        """`f(&s)`, `f(s)` with s a local struct: the callee reaches the fields, even through a const pointer
        (memcpy copies them out, free() takes `p->a` of a `const struct *`), and `f(&s.base)` reaches all of s
        (container_of). False when arg is no such struct."""
        whole = self.record_root(arg)
        if whole is None:
            return False
        if not (isinstance(arg, ir.AddrOf) and i in effect.borrows_pointee):
            for rid in self.rids(st, whole):
                self.escape(st, rid, tr, e.loc, f"'{whole.name}' passed to {e.callee or 'a call'}()")
        return True

    def _call_acquires(self, e: ir.Call, effect: CallEffect, old_rids: frozenset, st: State, tr: Trail) -> None:
        if effect.acquire_out is not None:
            self._acquire_out(e, effect, effect.acquire_out, st, tr)
        elif e.discarded and old_rids:
            # `realloc(p, 0)`, `my_realloc(p, 0)`: the result nobody keeps is how such code releases p
            for old in old_rids:
                if st.status.get(old) == MOVED:
                    st.status[old] = RELEASED
                    st.released_by[old] = e.callee
        elif e.discarded:
            rid = self._new_resource(e, effect, st, tr)
            st.status[rid] = ESCAPED
            self.report("unused-acquire", rid, e.loc, st, tr)
        elif e.result is not None:
            rid = self._new_resource(e, effect, st, tr)
            st.pts[e.result.name] = frozenset({rid})
            if old_rids:
                st.pending[rid] = tuple(sorted((r for r in old_rids if st.status.get(r) in (MOVED, PARAM)),
                                               key=repr))

    def _acquire_out(self, e: ir.Call, effect: CallEffect, index: int, st: State, tr: Trail) -> None:
        """The callee writes a new resource through argument `index` (`&p`), or through a parameter passed on."""
        target = e.args[index] if index < len(e.args) else None
        if isinstance(target, ir.AddrOf) and isinstance(target.base, ir.Var):
            rid = self._new_resource(e, effect, st, tr)
            if writes_out_blind(e, index, self.resolver):
                # its body writes the variable without looking at what it held: that is lost
                self._overwrite(target.base.name, e.loc, st, tr, frozenset({rid}))
            # the callee got the variable's address: it may reuse or free what it held (getline)
            for old in st.pts.get(target.base.name, frozenset()) - {rid}:
                if st.status.get(old) == OWNED and not [h for h in st.holders(old) if h != target.base.name]:
                    self.escape(st, old, tr, e.loc, f"handed to {e.callee}() by address")
            st.pts[target.base.name] = frozenset({rid})
            if e.result is not None:  # `if (asprintf(&s, ...) < 0)`, `if (!Open(&db).ok())` decide validity
                st.status_of[e.result.name] = self._status_link(e, index, rid)
            self.graph.edge(self.graph.resource(rid), self.graph.place(target.base), "assign")
        elif isinstance(target, ir.Var) and st.pts.get(target.name):
            for prid in st.pts[target.name]:
                if st.status.get(prid) == PARAM and len(prid) == 2:
                    st.param_events[("out", prid[1])] = effect.acquire_kind
        elif isinstance(target, ir.Var) and target.name in self.param_index:
            j = self.param_index[target.name]
            if not self._sets_out_on_some(e, index):
                # `vasprintf(ret, ...)` with `char **ret` a parameter: the caller's variable receives it
                st.param_events[("out", j)] = effect.acquire_kind
            elif e.result is not None and e.result.name not in st.status_of and \
                    (summary := self.resolver.summary_for(e)) is not None:
                # (a struct the call fills on success already ties the result to what it made: that link stays)
                # `return set_error(.., cause);`: our out-parameter is set on the callee's results that set it
                on = dict(summary.out_on_values).get(index, ())
                st.status_of[e.result.name] = StatusLink(("param-out", j, effect.acquire_kind), frozenset(on),
                                                         frozenset(summary.return_values), summary.returns_other)

    def _sets_out_on_some(self, e: ir.Call, index: int) -> bool:
        """The callee writes out-parameter `index` only on some of its results (an error string set on failure):
        passing our own parameter on does not make it always set."""
        summary = self.resolver.summary_for(e)
        return summary is not None and any(j == index for j, _ in summary.out_on_values)

    def _status_link(self, e: ir.Call, index: int, rid: tuple) -> StatusLink:
        summary = self.resolver.summary_for(e)
        if summary is None or not summary.return_values:
            return StatusLink(rid)
        on = dict(summary.out_on_values).get(index)
        return StatusLink(rid, frozenset(on) if on is not None else None, frozenset(summary.return_values),
                          summary.returns_other)

    def _ok_link(self, e: ir.Call, st: State) -> None:
        """`s.ok()` on a status that says whether an acquisition happened: the result says it too (ok is 1 when
        the status is the success value 0)."""
        if e.result is None or not isinstance(e.receiver, ir.Var) or e.receiver.name not in st.status_of:
            return
        if e.callee.rsplit("::", 1)[-1] not in OK_METHODS:
            return
        link = st.status_of[e.receiver.name]
        if link.values is None or link.acquired_on is None:
            return
        st.status_of[e.result.name] = StatusLink(link.rid, frozenset(int(v == 0) for v in link.acquired_on),
                                                 frozenset(int(v == 0) for v in link.values), link.others)

    def _release(self, rid: tuple, kind: str, e: ir.Call, st: State, tr: Trail) -> None:
        status = st.status.get(rid)
        res = self.resources.get(rid)
        if status == PARAM:
            st.param_events[param_key(rid)] = ("released", kind)
            st.status[rid] = RELEASED
            return
        self.graph.node(f"release:{e.loc.line}:{e.loc.col}", "release", f"{e.callee}()", e.loc.line)
        self.graph.edge(self.graph.resource(rid), f"release:{e.loc.line}:{e.loc.col}", "release")
        if rid[0] in ("member", "global") and status in (MEMBER, DETACHED):
            if rid[0] == "member":
                self.result.member_releases.add(rid[1])
            st.status[rid] = RELEASED
            return
        if status == OWNED or status == MOVED:
            if res is not None and not self._compatible(res.kind, kind):
                self.report("mismatched-release", rid, e.loc, st, tr, self.var_name(st, rid), e.callee)
            st.status[rid] = RELEASED
            st.released_by[rid] = e.callee
            tr.append(TrailStep(e.loc, "release", f"released by {e.callee}()", rid))
        elif status == RELEASED:
            tr.append(TrailStep(e.loc, "release", f"released again by {e.callee}()", rid))
            self.report("double-release", rid, e.loc, st, tr, self.var_name(st, rid), e.callee)
        elif status == ESCAPED and any(k[0] == "out-rid" and v == rid for k, v in st.param_events.items()
                                       if isinstance(k, tuple)):
            st.status[rid] = RELEASED  # `*out = malloc(..); ... free(*out); return -1;`: the caller gets nothing

    def _compatible(self, acquired: str, released: str) -> bool:
        rules = self.resolver.rules
        if rules.same_family(acquired, released):
            return True
        # only kinds both defined by rules can mismatch; summary-derived kinds stay quiet
        return not (acquired in rules.kinds and released in rules.kinds)


def _standard_stream(op: str, const: int) -> bool:
    """`value OP const` bounds a valid descriptor to 0, 1 or 2."""
    return (op == "<=" and 0 <= const <= 2) or (op == "<" and 1 <= const <= 3) or (op == "==" and 0 <= const <= 2)


def _store_param(e: ir.Assign, rid: tuple, holder: ir.Var | None, st: State) -> None:
    """A parameter's value stored in a field or global: the caller's resource is kept there (a member, a global),
    or escapes into a local object (which, returned, hands it over with it)."""
    if isinstance(e.dst, ir.Global) or (isinstance(e.dst, ir.Field) and (holder is None or holder.name == "this")):
        st.param_events[param_key(rid)] = "stored"
        return
    st.param_events.setdefault(param_key(rid), "escaped")
    if holder is not None and (objects := st.pts.get(holder.name)):
        st.param_events[("param-in", param_key(rid))] = objects


def _hand_over_with(returned: set, st: State) -> None:
    """Parameters stored in an object this return hands to the caller go with it (`conn->fd = fd; return
    conn;`)."""
    for key, objects in list(st.param_events.items()):
        if isinstance(key, tuple) and key[0] == "param-in" and objects & returned:
            st.param_events[key[1]] = "stored"


def _per_passed_result(shape: ReturnShape, value: ir.Operand | None, st: State) -> list[ReturnShape]:
    """`return callee(.., out);` where the callee sets our out-parameter on some of its results only: one shape
    per result it may still give here, with the out-parameter set on those that set it."""
    link = st.status_of.get(value.name) if isinstance(value, ir.Var) else None
    if shape.constant is not None or link is None or link.rid[0] != "param-out" or not link.values:
        return [shape]
    assert isinstance(value, ir.Var) and link.acquired_on is not None
    fact = st.facts.get(value.name)
    out: list[ReturnShape] = []
    for v in sorted(link.values):
        if not admits(fact, v):
            continue
        events = dict(shape.param_events)
        if v in link.acquired_on:
            events[("out", link.rid[1])] = link.rid[2]
        out.append(dataclasses.replace(shape, param_events=events, constant=v))
    if link.others:
        out.append(shape)  # a result of the callee's not known: it sets nothing
    return out or [shape]


def _events_at_return(st: State) -> dict:
    """The parameter events a caller sees: an out-parameter that received NULL (`*out = calloc(..)` failed), or a
    block the function released again before returning (`zfree(*target); *target = NULL; return 0;`), was not set
    with a resource."""
    events = {k: v for k, v in st.param_events.items() if not (isinstance(k, tuple) and k[0] == "param-in")}
    for key in [k for k in events if isinstance(k, tuple) and k[0] == "out-rid"]:
        rid = events.pop(key)
        if st.status.get(rid) in (INVALID, RELEASED):
            events.pop(("out", key[1]), None)
    filled: dict[int, bool] = {}  # a struct parameter whose every stored block turned out invalid was not filled
    for key in [k for k in events if isinstance(k, tuple) and k[0] == "field-rid"]:
        rid = events.pop(key)
        filled[key[1]] = filled.get(key[1], False) or st.status.get(rid) != INVALID
    for j, any_valid in filled.items():
        if not any_valid:
            events.pop(("field-filled", j), None)
    return events


def _object_of_field_address(op: ir.Operand | None) -> ir.Var | None:
    """p of `&p->f` / `&p->a.b`: the address of a field of the object p points to, or None."""
    if not isinstance(op, ir.AddrOf) or not isinstance(op.base, ir.Field):
        return None
    f: ir.Operand | None = op.base
    while isinstance(f, ir.Field) and not f.arrow:
        f = f.base
    if isinstance(f, ir.Field) and f.arrow and isinstance(f.base, ir.Var):
        return f.base
    return None


def _forget_relations(st: State, keys: set[str]) -> None:
    """Relation facts (`i < n`) about places that changed."""
    if keys and st.facts:
        for key in [k for k in st.facts if k.startswith("r:") and keys.intersection(places(k))]:
            del st.facts[key]
