"""Run a generated program concretely on one input vector, the way the compiled C would.

It serves the generator, not the judge: it rejects programs that would reach undefined behaviour (the abstract
check in `shapes` should already prevent that; this is the second net, ASan the third), finds statements no input
reaches (so the generator can drop dead code instead of planting findings no run can confirm), and records which
acquisition sites a function hands to its caller (by return, out-parameter or a field of a caller's struct): the
judge needs that to walk an allocation stack up to the frame that owns the object.
"""
from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from .program import (
    DOMAIN,
    Acquire,
    Assign,
    BoolOp,
    Bound,
    Break,
    CallWorker,
    Cmp,
    Cond,
    Continue,
    Discard,
    Func,
    Goto,
    If,
    Loop,
    Move,
    NullCheck,
    OutAcquire,
    Program,
    Realloc,
    Release,
    Return,
    Stmt,
    Use,
)


class UndefinedBehaviour(Exception):
    pass


@dataclass(frozen=True)
class Ref:
    oid: int
    origin: str  # site key, in the current frame, where this frame obtained the object


@dataclass
class _Obj:
    cls: str
    alive: bool = True
    fields: dict[str, Ref | None] = field(default_factory=dict)


class _Signal(Exception):
    def __init__(self, kind: str, value: object = None) -> None:
        self.kind, self.value = kind, value


@dataclass
class _Frame:
    func: Func
    env: dict[str, object] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    out_box: list = field(default_factory=list)


@dataclass
class Coverage:
    executed: set[int] = field(default_factory=set)
    arms: set[tuple[int, str]] = field(default_factory=set)
    handouts: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


class Interpreter:
    def __init__(self, prog: Program, cov: Coverage | None = None) -> None:
        self.prog = prog
        self.cov = cov or Coverage()
        self.heap: dict[int, _Obj] = {}
        self.globals: dict[str, Ref | None] = dict.fromkeys(prog.globals)
        self.inputs: tuple[int, ...] = ()
        self.steps = 0

    # ---- objects and places ----------------------------------------------------------------------------------
    def new(self, cls: str, origin: str) -> Ref:
        oid = len(self.heap) + 1
        self.heap[oid] = _Obj(cls, fields={"name": None, "extra": None} if cls == "ctx" else {})
        return Ref(oid, origin)

    def _field_place(self, fr: _Frame, lv: str) -> tuple[_Obj, str]:
        base, fname = lv.split("->")
        ref = fr.env.get(base)
        if not isinstance(ref, Ref) or not self.heap[ref.oid].alive:
            raise UndefinedBehaviour(f"{fr.func.name}: {lv} through an invalid pointer")
        return self.heap[ref.oid], fname

    def read(self, fr: _Frame, lv: str):
        if "->" in lv:
            obj, fname = self._field_place(fr, lv)
            return obj.fields[fname]
        if lv in self.globals:
            return self.globals[lv]
        return fr.env.get(lv)

    def write(self, fr: _Frame, lv: str, value) -> None:
        if lv == "*out":
            fr.out_box[:] = [value]
        elif "->" in lv:
            obj, fname = self._field_place(fr, lv)
            obj.fields[fname] = value
        elif lv in self.globals:
            self.globals[lv] = value
        else:
            fr.env[lv] = value

    def release(self, fr: _Frame, lv: str, cls: str, how: str, guard: bool) -> None:
        ref = self.read(fr, lv)
        if ref is None:
            if guard:
                return
            if cls in ("file", "fd"):
                raise UndefinedBehaviour(f"{fr.func.name}: {how}() of an invalid {lv}")
            return
        obj = self.heap[ref.oid]
        if not obj.alive:
            raise UndefinedBehaviour(f"{fr.func.name}: {lv} released twice")
        obj.alive = False
        if how == "ctx_free":
            for member in ("name", "extra") if self.prog.ctx_frees_extra else ("name",):
                inner = obj.fields[member]
                if inner is not None:
                    if not self.heap[inner.oid].alive:
                        raise UndefinedBehaviour(f"{fr.func.name}: {lv}->{member} released twice")
                    self.heap[inner.oid].alive = False

    # ---- evaluation ------------------------------------------------------------------------------------------
    def cond(self, fr: _Frame, c: Cond) -> bool:
        if isinstance(c, BoolOp):
            left = self.cond(fr, c.left)
            if c.op == "&&":
                return left and self.cond(fr, c.right)
            return left or self.cond(fr, c.right)
        assert isinstance(c, Cmp)
        lhs = self.inputs[int(c.lhs[3:-1])] if c.lhs.startswith("in[") else fr.counters[c.lhs]
        return {"==": lhs == c.value, "!=": lhs != c.value, "<": lhs < c.value, ">": lhs > c.value,
                "<=": lhs <= c.value, ">=": lhs >= c.value}[c.op]

    def bound(self, b: Bound) -> int:
        if b.kind == "const":
            return b.value
        return self.inputs[b.value] + (1 if b.kind == "in+1" else 0)

    # ---- calls -----------------------------------------------------------------------------------------------
    def call(self, name: str, ctx_ref: Ref | None = None):
        f = self.prog.func(name)
        fr = _Frame(f, env=dict.fromkeys(f.locals))
        if f.goto_style:
            fr.env["rc"] = -1
        if ctx_ref is not None:
            fr.env["c"] = ctx_ref
        if f.struct_local:
            fr.env["st.a"] = fr.env["st.b"] = None
        result = None
        try:
            self.block(fr, f.body)
        except _Signal as sig:
            if sig.kind == "return":
                result = sig.value
            elif sig.kind == "goto":
                result = None
            else:
                raise UndefinedBehaviour(f"{name}: {sig.kind} outside a loop") from None
        if f.goto_style:
            for v in f.cleanup:
                cls = f.locals[v]
                self.release(fr, v, cls, _cleanup_how(cls), guard=True)
            result = fr.env["rc"]
        if f.proto == "ret" and isinstance(result, Ref):
            self.cov.handouts[name].add(result.origin)
        if f.proto == "out":
            box = fr.out_box[0] if fr.out_box else None
            if isinstance(box, Ref):
                self.cov.handouts[name].add(box.origin)
            return result, box
        return result

    def run(self, inputs: tuple[int, ...]) -> None:
        self.inputs = inputs
        self.heap.clear()
        self.globals = dict.fromkeys(self.prog.globals)
        self.call("main")

    # ---- statements ------------------------------------------------------------------------------------------
    def block(self, fr: _Frame, stmts: list[Stmt]) -> None:
        for s in stmts:
            self.steps += 1
            if self.steps > 200_000:
                raise UndefinedBehaviour("program runs too long")
            self.cov.executed.add(s.id)
            self.stmt(fr, s)

    def arm(self, s: Stmt, which: str) -> None:
        self.cov.arms.add((s.id, which))

    def stmt(self, fr: _Frame, s: Stmt) -> None:
        key = f"s{getattr(s, 'site', '')}"
        if isinstance(s, Acquire):
            if s.kind == "worker_ret":
                got = self.call(s.callee)
                self.write(fr, s.dst, Ref(got.oid, key) if isinstance(got, Ref) else None)
            else:
                self.write(fr, s.dst, self.new(s.cls, key))
        elif isinstance(s, Discard):
            if s.kind == "worker_ret":
                self.call(s.callee)
            else:
                self.new(s.cls, key)
        elif isinstance(s, OutAcquire):
            if s.kind == "out_ctor":
                status, got = 0, self.new(s.cls, key)
            else:
                status, got = self.call(s.callee)
            if isinstance(got, Ref):
                self.write(fr, s.var, Ref(got.oid, key))
            if status != 0 and s.on_fail is not None:
                self.arm(s, "fail")
                self.block(fr, s.on_fail)
        elif isinstance(s, Realloc):
            old = self.read(fr, s.var)
            if isinstance(old, Ref):
                if not self.heap[old.oid].alive:
                    raise UndefinedBehaviour(f"{fr.func.name}: realloc of a released {s.var}")
                self.heap[old.oid].alive = False
            self.write(fr, s.var, self.new("heap", key))
        elif isinstance(s, NullCheck):
            if self.read(fr, s.var) is None:
                self.arm(s, "then")
                self.block(fr, s.body)
        elif isinstance(s, Release):
            self.release(fr, s.lv, s.cls, s.how, s.guard)
            if s.nullify:
                self.write(fr, s.lv, None)
        elif isinstance(s, Use):
            ref = self.read(fr, s.lv)
            if ref is None:
                if not s.guard:
                    raise UndefinedBehaviour(f"{fr.func.name}: use of an invalid {s.lv}")
            elif not self.heap[ref.oid].alive:
                raise UndefinedBehaviour(f"{fr.func.name}: use of a released {s.lv}")
        elif isinstance(s, Move):
            ref = self.read(fr, s.src)
            if isinstance(ref, Ref) and not self.heap[ref.oid].alive:
                raise UndefinedBehaviour(f"{fr.func.name}: hand-over of a released {s.src}")
            self.write(fr, s.dst, ref)
            if s.kind == "field_param" and isinstance(ref, Ref):
                self.cov.handouts[fr.func.name].add(ref.origin)
            if s.nullify_src:
                self.write(fr, s.src, None)
        elif isinstance(s, If):
            if self.cond(fr, s.cond):
                self.arm(s, "then")
                self.block(fr, s.then)
            else:
                self.arm(s, "else")
                if s.els is not None:
                    self.block(fr, s.els)
        elif isinstance(s, Loop):
            n = self.bound(s.bound)
            for i in range(n):
                fr.counters[s.var] = i
                self.arm(s, "body")
                try:
                    self.block(fr, s.body)
                except _Signal as sig:
                    if sig.kind == "continue":
                        continue
                    if sig.kind == "break":
                        break
                    raise
        elif isinstance(s, Return):
            raise _Signal("return", self._value(fr, s.value))
        elif isinstance(s, Goto):
            raise _Signal("goto")
        elif isinstance(s, Continue):
            raise _Signal("continue")
        elif isinstance(s, Break):
            raise _Signal("break")
        elif isinstance(s, Assign):
            fr.env[s.var] = int(s.value)
        elif isinstance(s, CallWorker):
            callee = self.prog.func(s.callee)
            if callee.proto == "ctxfill":
                ref = self.read(fr, s.args[1])
                if not isinstance(ref, Ref) or not self.heap[ref.oid].alive:
                    raise UndefinedBehaviour(f"{fr.func.name}: {s.callee}() on an invalid context")
                self.call(s.callee, ctx_ref=ref)
            else:
                status = self.call(s.callee)
                if status != 0 and s.on_fail is not None:
                    self.arm(s, "fail")
                    self.block(fr, s.on_fail)
        else:  # pragma: no cover
            raise TypeError(s)

    def _value(self, fr: _Frame, text: str):
        if text in ("NULL", ""):
            return None
        if text.lstrip("-").isdigit():
            return int(text)
        value = self.read(fr, text)
        if isinstance(value, Ref) and not self.heap[value.oid].alive:
            raise UndefinedBehaviour(f"{fr.func.name}: returns a released {text}")
        return value


def _cleanup_how(cls: str) -> str:
    return {"heap": "free", "buf": "pair_del", "ctx": "ctx_free", "file": "fclose", "fd": "close"}[cls]


def all_inputs(prog: Program) -> list[tuple[int, ...]]:
    return list(itertools.product(range(DOMAIN), repeat=prog.inputs))


def explore(prog: Program) -> Coverage:
    """Run every input vector; raises UndefinedBehaviour for the first one that would misbehave."""
    cov = Coverage()
    interp = Interpreter(prog, cov)
    for vec in all_inputs(prog):
        interp.steps = 0
        interp.run(vec)
    return cov
