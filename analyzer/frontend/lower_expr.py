"""Expression lowering: the e_* handlers, calls, new/delete, lambdas."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from clang.cindex import Cursor, CursorKind, TypeKind

from analyzer import ir

if TYPE_CHECKING:
    from .lower import ModuleLowerer

from .context import LoweringContext
from .cursors import (
    FUNCTION_KINDS,
    KNOWN_NORETURN,
    TRANSPARENT_EXPRS,
    _adopts_pointer,
    _children,
    _is_mutable_reference,
    _is_pointer,
    _is_reference,
    _loc,
    _new_shape,
    _param_borrows,
    _strip,
    binary_operator,
    descendants,
    opcodes,
    qualified_name,
    unary_operator,
    union_storage_name,
)
from .fastc import arguments, expression_children, is_expression, kind_name, referenced, spelling, type_spelling, usr_of
from .fnptr import pointer_decl


def _by_reference(args: tuple[ir.Operand, ...], by_ref: tuple[bool, ...]) -> tuple[ir.Operand, ...]:
    """An argument bound to a non-const lvalue reference parameter (`by_ref[i]`) is passed by address: the callee
    may write it (`void source(char *&data)` assigns the caller's `data`)."""
    if not any(by_ref):
        return args
    out = []
    for i, a in enumerate(args):
        if i < len(by_ref) and by_ref[i] and isinstance(a, (ir.Var, ir.Field, ir.Global, ir.Deref, ir.Index)):
            a = a.base if isinstance(a, ir.Deref) else ir.AddrOf(a)  # `&*p` is p
        out.append(a)
    return tuple(out)


def _counts(place: ir.Operand) -> bool:
    """A place whose integer updates (`x++`, `x += 2`) the value domain follows: locals, globals, fields of objects
    other than `this` (a member counter is no resource)."""
    return isinstance(place, (ir.Var, ir.Global)) or (isinstance(place, ir.Field) and place.base is not None)


@dataclass(frozen=True)
class _CallTarget:
    """What the call's referenced declaration tells: its name, USR, parameter types and whether it returns; per
    parameter, whether it borrows a pointer argument and whether it is a mutable reference."""
    callee: str = ""
    usr: str = ""
    noreturn: bool = False
    is_ctor: bool = False
    ptypes: list = field(default_factory=list)
    borrows: tuple[bool, ...] = ()
    by_ref: tuple[bool, ...] = ()

    @staticmethod
    def of(ref: Cursor, module: ModuleLowerer) -> _CallTarget:
        """Read once per declaration cursor and TU (cursors compare by declaration: a redeclaration is another)."""
        known = module.call_targets.get(ref)
        if known is None:
            known = module.call_targets[ref] = _CallTarget._read(ref, module)
        return known

    @staticmethod
    def _read(ref: Cursor, module: ModuleLowerer) -> _CallTarget:
        callee = qualified_name(ref)
        ptypes = [p.type for p in _children(ref) if kind_name(p) == "PARM_DECL"]
        if not ptypes and ref.type.kind == TypeKind.FUNCTIONPROTO:
            ptypes = list(ref.type.argument_types())
        module.note_decl(ref)
        return _CallTarget(callee, usr_of(ref), callee in KNOWN_NORETURN or "noreturn" in type_spelling(ref.type) or
                           module.declared_noreturn(ref), kind_name(ref) == "CONSTRUCTOR", ptypes,
                           tuple(_param_borrows(t) for t in ptypes), tuple(_is_mutable_reference(t) for t in ptypes))


_NO_TARGET = _CallTarget()


class ExprLowerer(LoweringContext):
    """Part of FunctionLowerer: expressions to events, dispatched by cursor kind name (e_KIND)."""

    # ---- expressions -----------------------------------------------------------------------
    def expr(self, c: Cursor, discarded: bool = False) -> ir.Operand:
        kind = kind_name(c)
        if kind in TRANSPARENT_EXPRS:
            kids = [k for k in _children(c) if is_expression(k) or kind_name(k) == "COMPOUND_STMT"]
            if len(kids) == 1:
                return self.expr(kids[0], discarded)
            if not kids:
                return ir.Unknown()
            for k in kids[:-1]:
                self.expr(k)
            return self.expr(kids[-1], discarded)
        handler = getattr(self, "e_" + kind, None)
        if handler is not None:
            return handler(c, discarded)
        self.opaque += 1
        self.module.unhandled(kind)
        for k in _children(c):
            if is_expression(k):
                self.expr(k)
        return ir.Unknown(kind)

    def e_DECL_REF_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        ref = referenced(c)
        if ref is None:
            return ir.Unknown(c.spelling)
        if ref.kind in (CursorKind.VAR_DECL, CursorKind.PARM_DECL):
            alias = self.aliases.get(ref)
            if alias is not None:
                return alias  # `T &r = x;`: r is x
            name = self.lookup(ref)
            if name is not None:
                # a reference parameter is the caller's object: reading or assigning it goes through it
                return ir.Deref(ir.Var(name)) if kind_name(ref) == "PARM_DECL" and _is_reference(ref.type) \
                    else ir.Var(name)
            return ir.Global(qualified_name(ref), usr_of(ref))
        if kind_name(ref) == "ENUM_CONSTANT_DECL":
            return ir.Const("int", ref.enum_value)
        if kind_name(ref) == "FIELD_DECL":
            return ir.Field(None, spelling(ref))
        return ir.Unknown(c.spelling)

    def e_MEMBER_REF_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        kids = expression_children(c)
        if not kids:
            return ir.Field(None, spelling(c))
        base = self.expr(kids[0])
        arrow = _is_pointer(kids[0].type)
        if arrow and isinstance(base, ir.Var):
            self.emit(ir.Use(_loc(c), base))
        if isinstance(base, ir.Var) and base.name == "this":
            return ir.Field(None, spelling(c))
        return ir.Field(base, union_storage_name(kids[0].type, arrow) or spelling(c), arrow)

    def e_ARRAY_SUBSCRIPT_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        kids = _children(c)
        base = self.expr(kids[0])
        if len(kids) > 1:
            self.expr(kids[1])
            if isinstance(base, ir.Var) and base.name in self.record_locals and \
                    isinstance(k := opcodes().integer(kids[1]), int) and not isinstance(k, bool):
                return ir.Field(base, f"[{k}]")  # `slots[1]` of a local array: a place of its own, like `s.a`
        if isinstance(base, ir.Var) and base.name not in self.record_locals:
            self.emit(ir.Use(_loc(c), base))
        return ir.Index(base)

    def e_CXX_THIS_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Var("this")

    def e_INTEGER_LITERAL(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Const("int", self.module.int_literal(c))

    def e_CXX_NULL_PTR_LITERAL_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Const("null", 0)

    e_GNU_NULL_EXPR = e_CXX_NULL_PTR_LITERAL_EXPR

    def e_CXX_BOOL_LITERAL_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Const("int", self.const_value(c))

    def e_STRING_LITERAL(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Const("str")

    def e_CHARACTER_LITERAL(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Const("int")

    def e_FLOATING_LITERAL(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Unknown("float")

    def e_UNARY_OPERATOR(self, c: Cursor, discarded: bool) -> ir.Operand:
        op, _prefix = unary_operator(c)
        kids = expression_children(c)
        if not kids:
            return ir.Unknown(op)
        if op in ("sizeof", "alignof", "__alignof__"):
            return ir.Unknown(op)
        if op == "-":
            v = self.const_value(c)
            if v is not None:
                return ir.Const("int", v)
        if op == "&":
            inner = self.expr(kids[0])
            return ir.AddrOf(inner)
        if op == "*":
            inner = self.expr(kids[0])
            if isinstance(inner, ir.Var):
                self.emit(ir.Use(_loc(c), inner))
            return ir.Deref(inner)
        if op in ("__extension__", "+"):
            return self.expr(kids[0], discarded)
        value = self.expr(kids[0])
        if op in ("++", "--") and _counts(value) and not _is_pointer(kids[0].type):
            self.emit(ir.Assign(_loc(c), value, ir.Arith(op[0], value, ir.Const("int", 1))))
        return ir.Unknown(op) if op not in ("++", "--") or not _is_pointer(kids[0].type) else value

    def e_BINARY_OPERATOR(self, c: Cursor, discarded: bool) -> ir.Operand:
        op = binary_operator(c)
        kids = _children(c)
        if len(kids) < 2:
            return ir.Unknown(op)
        lhs_c, rhs_c = kids[0], kids[1]
        if op == "=":
            if (pointer := pointer_decl(lhs_c)) is not None:
                self.module.function_pointers.note(pointer, rhs_c)  # `lib.gmalloc = my_malloc;`
            lhs = self.expr(lhs_c)
            rhs = self.expr(rhs_c)
            self.emit(ir.Assign(_loc(c), lhs, rhs))
            return lhs
        if op in ("&&", "||"):
            # value context: evaluate as control flow into a temporary
            result = self.temp()
            t, f, after = self.fn.new(), self.fn.new(), self.fn.new()
            self.cond(c, t, f)
            for b in (t, f):
                self.cur = b
                self.emit(ir.Assign(_loc(c), result, ir.Unknown("bool")))
                self.fn.edge(b, after)
            self.cur = after
            return result
        if op == ",":
            self.expr(lhs_c, discarded=True)
            return self.expr(rhs_c, discarded)
        lhs = self.expr(lhs_c)
        rhs = self.expr(rhs_c)
        if op in ("+", "-") and _is_pointer(c.type):
            if _is_pointer(lhs_c.type):
                return lhs
            if _is_pointer(rhs_c.type):
                return rhs
        if op in ("+", "-") and not isinstance(lhs, ir.Unknown) and not isinstance(rhs, ir.Unknown):
            return ir.Arith(op, lhs, rhs)  # integers: the value domain follows `i + 1`
        return ir.Unknown(op)

    def e_COMPOUND_ASSIGNMENT_OPERATOR(self, c: Cursor, discarded: bool) -> ir.Operand:
        kids = _children(c)
        lhs = self.expr(kids[0])
        rhs = self.expr(kids[1]) if len(kids) > 1 else ir.Unknown()
        if _counts(lhs) and not _is_pointer(kids[0].type):
            op = binary_operator(c)
            value: ir.Operand = ir.Arith(op[0], lhs, rhs) if op in ("+=", "-=") else ir.Unknown("compound")
            self.emit(ir.Assign(_loc(c), lhs, value))
        return lhs

    def e_CONDITIONAL_OPERATOR(self, c: Cursor, discarded: bool) -> ir.Operand:
        kids = _children(c)
        if len(kids) < 3:
            for k in kids:
                self.expr(k)
            return ir.Unknown("?:")
        result = self.temp()
        t, f, after = self.fn.new(), self.fn.new(), self.fn.new()
        self.cond(kids[0], t, f)
        for block, value in ((t, kids[1]), (f, kids[2])):
            self.cur = block
            v = self.expr(value)
            self.emit(ir.Assign(_loc(value), result, v))
            self.fn.edge(self.cur, after)
        self.cur = after if self.fn_reachable(after) else None
        return result

    def e_CALL_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        return self.call(c, receiver=None, discarded=discarded)

    def call(self, c: Cursor, receiver: ir.Operand | None, discarded: bool) -> ir.Operand:
        ref = referenced(c)
        target = _CallTarget.of(ref, self.module) if ref is not None and kind_name(ref) in FUNCTION_KINDS else \
            _NO_TARGET
        args_c = arguments(c)
        if receiver is None and not target.is_ctor:
            receiver = self._receiver(c, ref)
        if ref is not None and ref.kind in (CursorKind.VAR_DECL, CursorKind.FIELD_DECL) and \
                (known := self.module.function_pointers.target(ref, self.cursor)) is not None:
            target, receiver = _CallTarget.of(known, self.module), None  # `ops->close(p)` is `close_a(p)`
        short = target.callee.rsplit("::", 1)[-1]
        if short.startswith("operator") and ref is not None and kind_name(ref) == "CXX_METHOD" and args_c:
            # `a[i]`, `a = b` on class types: the object is the first argument
            receiver = self.expr(args_c[0])
            args = tuple(self.expr(a) for a in args_c[1:])
            if short == "operator[]":
                return ir.Index(receiver)
            if short in ("operator->", "operator*"):
                return receiver
        else:
            args = tuple(self.expr(a) for a in args_c)
        args = _by_reference(args, target.by_ref)
        borrow = self._borrowing(args_c[-len(args):] if args else [], target.borrows)
        if ref is not None and _adopts_pointer(ref):
            borrow = [False] * len(borrow)
        pointer = pointer_decl(_children(c)[0]) if not target.callee and _children(c) else None
        return self._emit_call(c, ref, target, args, receiver, tuple(borrow), discarded,
                               pointer.get_usr() if pointer is not None else "")

    def _emit_call(self, c: Cursor, ref: Cursor | None, target: _CallTarget, args: tuple[ir.Operand, ...],
                   receiver: ir.Operand | None, borrow: tuple[bool, ...], discarded: bool,
                   callee_ref: str = "") -> ir.Operand:
        result = None
        if c.type.get_canonical().kind != TypeKind.VOID and not target.is_ctor:
            result = self.temp()
        if target.is_ctor and receiver is None:
            result = self.temp()
            receiver = result
        self.emit(ir.Call(_loc(c), target.callee, args, result, target.usr, receiver, borrow, target.noreturn,
                          target.is_ctor, discarded and result is not None, callee_ref))
        if receiver is not None and ref is not None and kind_name(ref) == "CXX_METHOD" and \
                self.module.deletes_this(ref):
            # `obj->Unref()` whose body may `delete this` (reference counting): the object is handed over
            self.emit(ir.Call(_loc(c), target.callee, (receiver,), None, "", None, (False,)))
        if target.noreturn:
            self.emit(ir.Halt(_loc(c), target.callee))
            self.cur = None
        return result if result is not None else ir.Unknown("void")

    def _receiver(self, c: Cursor, ref: Cursor | None) -> ir.Operand | None:
        """The object of a member call (`obj.m()`, `p->m()`), lowered; other callee expressions are evaluated."""
        kids = _children(c)
        if not kids:
            return None
        callee_expr = _strip(kids[0])
        if kind_name(callee_expr) == "MEMBER_REF_EXPR":
            base_kids = expression_children(callee_expr)
            receiver = self.expr(base_kids[0]) if base_kids else ir.Var("this")
            if isinstance(receiver, ir.Var) and _is_pointer(base_kids[0].type if base_kids else callee_expr.type):
                self.emit(ir.Use(_loc(c), receiver))
            return receiver
        if ref is None and callee_expr.kind not in (CursorKind.DECL_REF_EXPR,):
            self.expr(kids[0])  # a call through an expression (function pointer...)
        return None

    @staticmethod
    def _borrowing(args_c: list[Cursor], borrows: tuple[bool, ...]) -> list[bool]:
        """Per argument: the parameter cannot take ownership of it (pointer to const, a value...)."""
        return [borrows[i] if i < len(borrows) else not _is_pointer(a.type) for i, a in enumerate(args_c)]

    def e_CXX_NEW_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        toks = [t.spelling for t in c.get_tokens()]
        placement, nothrow, is_array = _new_shape(toks)
        args: list[ir.Operand] = []
        for k in _children(c):
            if is_expression(k):
                stripped = _strip(k)
                if kind_name(stripped) == "CALL_EXPR" and referenced(stripped) is not None and \
                        kind_name(referenced(stripped)) == "CONSTRUCTOR":
                    args.extend(self.expr(a) for a in arguments(stripped))
                else:
                    args.append(self.expr(k))
        result = self.temp()
        if placement and not nothrow:
            self.emit(ir.Call(_loc(c), "operator new(placement)", tuple(args), result, "", None,
                              tuple(False for _ in args)))
            return result
        if args:
            # constructor arguments may hand ownership to the new object
            self.emit(ir.Call(_loc(c), f"{c.type.get_pointee().spelling}::ctor", tuple(args), None, "", None,
                              tuple(False for _ in args)))
        self.emit(ir.Call(_loc(c), "new[]" if is_array else "new", (), result, "", None, (), False, False,
                          discarded))
        return result

    def e_CXX_DELETE_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        toks = [t.spelling for t in c.get_tokens()][:3]
        is_array = len(toks) >= 3 and toks[1] == "[" and toks[2] == "]"
        kids = expression_children(c)
        value = self.expr(kids[0]) if kids else ir.Unknown()
        self.emit(ir.Call(_loc(c), "delete[]" if is_array else "delete", (value,), None, "", None, (False,)))
        return ir.Unknown("void")

    def e_CXX_THROW_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        for k in _children(c):
            if is_expression(k):
                self.expr(k)
        self.emit(ir.Halt(_loc(c), "throw"))
        self.cur = None
        return ir.Unknown("throw")

    def e_LAMBDA_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        self.module.lambda_body(c, self.qualname)
        captured = []
        for d in descendants(c):
            if kind_name(d) == "DECL_REF_EXPR" and referenced(d) is not None:
                name = self.lookup(referenced(d))
                if name is not None and ir.Var(name) not in captured:
                    captured.append(ir.Var(name))
        if captured:
            # a lambda that captures a resource may release or keep it: ownership is shared with it
            self.emit(ir.Call(_loc(c), "<lambda capture>", tuple(captured), None, "", None,
                              tuple(False for _ in captured)))
        return ir.Unknown("lambda")

    def e_INIT_LIST_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        values = [self.expr(k) for k in _children(c) if is_expression(k)]
        tracked = tuple(v for v in values if isinstance(v, ir.Var))
        if tracked:
            self.emit(ir.Call(_loc(c), "<aggregate init>", tracked, None, "", None, tuple(False for _ in tracked)))
        return ir.Unknown("init list")

    def e_STMT_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        for k in _children(c):
            self.stmt(k)
        return ir.Unknown("stmt expr")

    def e_CXX_UNARY_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Unknown("sizeof")

    def e_PACK_EXPANSION_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Unknown("pack")

    def e_COMPOUND_STMT(self, c: Cursor, discarded: bool) -> ir.Operand:
        self.stmt(c)
        return ir.Unknown("block")
