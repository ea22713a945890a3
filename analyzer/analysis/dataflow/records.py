"""Structs on the stack that own heap memory: `struct textbuf tb = TEXTBUF_INIT; textbuf_addstr(&tb, ..);
... textbuf_dispose(&tb);` (git's strbuf, libgit2's git_buf).

The struct value is the resource. A callee whose body stores a fresh block into a field of its struct parameter
*fills* it (`textbuf_addstr` through `textbuf_grow`): called with `&tb`, tb starts owning a block, held in the
place `tb.*`. A callee that frees a field of its parameter *empties* it (`textbuf_dispose`); one that returns a
field of its parameter *detaches* it (`textbuf_detach`: the result owns what the struct owned). Reading a field
the caller frees, returns or copies out (`free(tb.buf)`, `return tb.buf`) reaches the block too. Wrappers pass
the roles on to their own struct parameters.
"""
from __future__ import annotations

import dataclasses

from analyzer import ir
from analyzer.analysis.summaries import CallEffect

from .graph import operand_text
from .state import OWNED, State, StatusLink, Trail

HEAP = ".*"  # suffix of the place standing for the heap blocks a local struct owns through its fields


def param_field_place(op: ir.Operand) -> str:
    """The place standing for `p->f` of a parameter p after this function stored a fresh block there."""
    return "pf:" + operand_text(op)


class RecordHeap:
    """Mixin of the ownership analysis (it provides record_locals, param_index, _new_resource, _release)."""

    record_locals: frozenset[str]
    param_index: dict[str, int]
    field_copies: dict[str, int]

    def record_heap_slot(self, op: ir.Operand | None) -> str | None:
        """'s.*' for `&s` of a local struct s."""
        if isinstance(op, ir.AddrOf) and isinstance(op.base, ir.Var) and op.base.name in self.record_locals:
            return op.base.name + HEAP
        return None

    def field_heap(self, st: State, op: ir.Operand | None) -> frozenset:
        """What a local struct owns, for a read of one of its fields (`s.buf`)."""
        if isinstance(op, ir.Field) and not op.arrow and isinstance(op.base, ir.Var) and \
                op.base.name in self.record_locals:
            return st.pts.get(op.base.name + HEAP, frozenset())
        return frozenset()

    def param_field(self, op: ir.Operand | None) -> int | None:
        """i of `p->f` with p the i-th parameter."""
        if isinstance(op, ir.Field) and op.arrow and isinstance(op.base, ir.Var):
            return self.param_index.get(op.base.name)
        return None

    def note_field_store(self, e: ir.Assign, src: frozenset, st: State) -> None:
        """`p->f = fresh` fills the caller's struct, `p->f = NULL` resets it."""
        resources = self.resources  # type: ignore[attr-defined]
        owned = [r for r in sorted(src, key=repr) if st.status.get(r) == OWNED and r in resources]
        if (j := self.param_field(e.dst)) is not None:
            place = param_field_place(e.dst)
            st.pts.pop(place, None)
            if owned:
                st.param_events.setdefault(("field-filled", j), resources[owned[0]].kind)
                # `p->addr = mmap(..); if (p->addr == MAP_FAILED) return -1;`: the test decides what was filled
                st.param_events[("field-rid", j, place)] = owned[0]
                st.pts[place] = frozenset({owned[0]})
            elif isinstance(e.src, ir.Const):
                st.param_events.setdefault(("field-reset", j), True)

    def returned_param_field(self, op: ir.Operand | None) -> int | None:
        """i of `return p->f;` or of `out = p->f; ... return out;`."""
        if isinstance(op, ir.Var):
            return self.field_copies.get(op.name)
        return self.param_field(op)

    def _field_copies(self, fn: ir.Function) -> dict[str, int]:
        """Locals assigned a field of a parameter's object somewhere in the function (`char *out = tb->buf;`)."""
        out: dict[str, int] = {}
        for b in fn.blocks:
            for e in b.events:
                if isinstance(e, ir.Assign) and isinstance(e.dst, ir.Var) and \
                        (j := self.param_field(e.src)) is not None:
                    out[e.dst.name] = j
        return out

    def _param_arg(self, arg: ir.Operand) -> int | None:
        return self.param_index.get(arg.name) if isinstance(arg, ir.Var) else None

    def call_records(self, e: ir.Call, effect: CallEffect, st: State, tr: Trail, handled: set[int]) -> None:
        """Fill, empty or detach the local structs passed by address; pass the roles on for parameters."""
        for i, kind in effect.fills_record:
            if i >= len(e.args):
                continue
            if (slot := self.record_heap_slot(e.args[i])) is not None:
                handled.add(i)
                if not any(st.status.get(r) == OWNED for r in st.pts.get(slot, ())):
                    made = dataclasses.replace(effect, acquire_kind=kind, acquirer=e.callee)
                    rid = self._new_resource(e, made, st, tr)  # type: ignore[attr-defined]
                    st.pts[slot] = frozenset({rid})
                    if i in effect.fills_on_success and e.result is not None:
                        st.status_of[e.result.name] = StatusLink(rid)  # `if (fill(&s) < 0) return -1;`
            elif (j := self._param_arg(e.args[i])) is not None:
                st.param_events.setdefault(("field-filled", j), kind)
        for i in effect.empties_record:
            if i >= len(e.args):
                continue
            if (slot := self.record_heap_slot(e.args[i])) is not None:
                handled.add(i)
                for rid in sorted(st.pts.pop(slot, frozenset()), key=repr):
                    res = self.resources.get(rid)  # type: ignore[attr-defined]
                    self._release(rid, res.kind if res else "", e, st, tr)  # type: ignore[attr-defined]
            elif (j := self._param_arg(e.args[i])) is not None:
                st.param_events.setdefault(("field-released", j), "")
        d = effect.detaches_record
        if d is not None and d < len(e.args) and (slot := self.record_heap_slot(e.args[d])) is not None:
            handled.add(d)
            held = st.pts.pop(slot, frozenset())
            if e.result is not None and held:
                st.pts[e.result.name] = held


@dataclasses.dataclass(frozen=True)
class RecordRoles:
    fills: tuple[tuple[int, str], ...] = ()
    fills_on_success: tuple[int, ...] = ()  # filled only when the result is not negative (else nothing was)
    empties: tuple[int, ...] = ()
    detaches: int = -1


def record_roles(fn: ir.Function, shapes) -> RecordRoles:
    """What a function does to its struct parameters' fields, from its return shapes' events. A function with a
    result fills only when every path that does not fill returns a negative constant (an error the caller
    tests); a void one may fill (`grow()` with room enough does nothing)."""
    fills: list[tuple[int, str]] = []
    linked: list[int] = []
    empties: list[int] = []
    detaches = -1
    void = fn.return_type.strip() in ("void", "")
    for i, p in enumerate(fn.params):
        if not (p.is_pointer and p.pointer_depth == 1) or p.pointee_const:
            continue
        filling = [s for s in shapes if ("field-filled", i) in s.param_events]
        others = [s for s in shapes if ("field-filled", i) not in s.param_events]
        released = any(("field-released", i) in s.param_events for s in shapes)
        if any(("field-returned", i) in s.param_events and ("field-reset", i) in s.param_events for s in shapes):
            detaches = i  # returns the field and leaves NULL behind: `textbuf_detach`, not a getter
        elif filling and not released:
            if others and not void:
                if not all(s.constant is not None and s.constant < 0 for s in others):
                    continue  # `imsg_get()` returns 0 for "no message": the caller cannot tell from a sign
                linked.append(i)
            fills.append((i, record_kind(p.type) or filling[0].param_events[("field-filled", i)]))
        elif released and not filling:
            empties.append(i)
    return RecordRoles(tuple(fills), tuple(linked), tuple(empties), detaches)


def record_kind(type_: str) -> str:
    """'textbuf' of 'struct textbuf *'."""
    words = [w for w in type_.replace("*", " ").split() if w not in ("struct", "const", "volatile", "restrict")]
    return words[-1] if words else ""
