"""Lower libclang cursors into ir.Module: one CFG of ownership events per function body."""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import re
from collections.abc import Callable

from clang.cindex import Cursor, CursorKind, SourceRange, TokenKind, TranslationUnit, TypeKind, _CXString, conf

from .. import ir

log = logging.getLogger(__name__)

FUNCTION_KINDS = {"FUNCTION_DECL", "CXX_METHOD", "CONSTRUCTOR", "DESTRUCTOR", "FUNCTION_TEMPLATE",
                  "CONVERSION_FUNCTION"}
SCOPE_KINDS = {"NAMESPACE", "CLASS_DECL", "STRUCT_DECL", "UNION_DECL", "CLASS_TEMPLATE",
               "CLASS_TEMPLATE_PARTIAL_SPECIALIZATION", "LINKAGE_SPEC", "UNEXPOSED_DECL"}
TRANSPARENT_EXPRS = {"UNEXPOSED_EXPR", "PAREN_EXPR", "CSTYLE_CAST_EXPR", "CXX_STATIC_CAST_EXPR",
                     "CXX_REINTERPRET_CAST_EXPR", "CXX_CONST_CAST_EXPR", "CXX_FUNCTIONAL_CAST_EXPR",
                     "CXX_DYNAMIC_CAST_EXPR", "CXX_ADDRSPACE_CAST_EXPR"}
KNOWN_NORETURN = {"exit", "_exit", "_Exit", "abort", "quick_exit", "__assert_fail", "__assert_perror_fail",
                  "__assert", "std::terminate", "std::abort", "std::exit", "std::_Exit", "std::quick_exit",
                  "longjmp", "siglongjmp", "_longjmp", "pthread_exit", "err", "errx", "verr", "verrx",
                  "__builtin_unreachable", "__builtin_trap", "std::__throw_bad_alloc",
                  "std::__throw_length_error", "std::__throw_logic_error", "std::__throw_out_of_range"}
NEGATE = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
SWAP = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
COMPARISONS = set(NEGATE)


def qualified_name(cursor: Cursor | None) -> str:
    parts: list[str] = []
    c = cursor
    while c is not None and c.kind != CursorKind.TRANSLATION_UNIT:
        kind = c.kind.name
        if kind in ("LINKAGE_SPEC", "UNEXPOSED_DECL"):
            pass
        elif kind == "NAMESPACE":
            parts.append(c.spelling or "(anonymous namespace)")
        else:
            parts.append(c.spelling or f"(anonymous {kind.lower()})")
        c = c.semantic_parent
    return "::".join(reversed(parts))


def _loc(cursor: Cursor) -> ir.Loc:
    loc = cursor.location
    return ir.Loc(loc.file.name if loc.file else "", loc.line, loc.column)


def _end_loc(cursor: Cursor) -> ir.Loc:
    end = cursor.extent.end
    return ir.Loc(end.file.name if end.file else "", end.line, max(end.column - 1, 1))


def _children(cursor: Cursor) -> list[Cursor]:
    return list(cursor.get_children())


def _strip(cursor: Cursor) -> Cursor:
    while cursor.kind.name in TRANSPARENT_EXPRS:
        kids = [k for k in cursor.get_children() if k.kind.is_expression() or k.kind.is_statement()]
        if len(kids) != 1:
            break
        cursor = kids[0]
    return cursor


def _tokens(cursor: Cursor) -> list:
    return list(cursor.get_tokens())


class _Opcodes:
    """libclang >= 17 exposes operator kinds (clang_getCursor{Binary,Unary}OperatorKind) and constant evaluation
    (clang_Cursor_Evaluate); the Python bindings do not wrap them. Scanning tokens instead is quadratic in macro
    expansions (every nested operator re-tokenizes the whole invocation) and wrong for operators spelled in a
    macro body, so tokens are only the fallback for an older libclang."""

    def __init__(self) -> None:
        self.lib = None
        self.spellings: dict[tuple[str, int], str] = {}
        try:
            lib = conf.lib
            for fn, args, res in (("clang_getCursorBinaryOperatorKind", [Cursor], ctypes.c_int),
                                  ("clang_getCursorUnaryOperatorKind", [Cursor], ctypes.c_int),
                                  ("clang_getBinaryOperatorKindSpelling", [ctypes.c_int], _CXString),
                                  ("clang_getUnaryOperatorKindSpelling", [ctypes.c_int], _CXString),
                                  ("clang_Cursor_Evaluate", [Cursor], ctypes.c_void_p),
                                  ("clang_EvalResult_getKind", [ctypes.c_void_p], ctypes.c_int),
                                  ("clang_EvalResult_isUnsignedInt", [ctypes.c_void_p], ctypes.c_uint),
                                  ("clang_EvalResult_getAsLongLong", [ctypes.c_void_p], ctypes.c_longlong),
                                  ("clang_EvalResult_getAsUnsigned", [ctypes.c_void_p], ctypes.c_ulonglong),
                                  ("clang_EvalResult_dispose", [ctypes.c_void_p], None)):
                f = getattr(lib, fn)
                f.argtypes, f.restype = args, res
            self.lib = lib
        except (AttributeError, OSError):  # an older libclang: token fallback
            self.lib = None

    def _spelling(self, which: str, kind: int) -> str:
        key = (which, kind)
        if key not in self.spellings:
            fn = self.lib.clang_getBinaryOperatorKindSpelling if which == "b" else \
                self.lib.clang_getUnaryOperatorKindSpelling
            self.spellings[key] = _CXString.from_result(fn(kind))
        return self.spellings[key]

    def binary(self, cursor: Cursor) -> str | None:
        if self.lib is None:
            return None
        kind = self.lib.clang_getCursorBinaryOperatorKind(cursor)
        return self._spelling("b", kind) if kind else None

    def unary(self, cursor: Cursor) -> tuple[str, bool] | None:
        if self.lib is None:
            return None
        kind = self.lib.clang_getCursorUnaryOperatorKind(cursor)
        if not kind:
            return None
        return self._spelling("u", kind), kind not in (1, 2)  # CXUnaryOperator_PostInc, _PostDec

    def integer(self, cursor: Cursor) -> int | bool | None:
        """The value of an integer constant expression; False when evaluation is unavailable."""
        if self.lib is None:
            return False
        res = self.lib.clang_Cursor_Evaluate(cursor)
        if not res:
            return None
        try:
            if self.lib.clang_EvalResult_getKind(res) != 1:  # CXEval_Int
                return None
            if self.lib.clang_EvalResult_isUnsignedInt(res):
                return int(self.lib.clang_EvalResult_getAsUnsigned(res))
            return int(self.lib.clang_EvalResult_getAsLongLong(res))
        finally:
            self.lib.clang_EvalResult_dispose(res)


_OPCODES: _Opcodes | None = None


def opcodes() -> _Opcodes:
    global _OPCODES
    if _OPCODES is None:
        _OPCODES = _Opcodes()
    return _OPCODES


def binary_operator(cursor: Cursor) -> str:
    """The operator of a BINARY_OPERATOR / COMPOUND_ASSIGNMENT_OPERATOR."""
    op = opcodes().binary(cursor)
    if op is not None:
        return op
    kids = _children(cursor)
    if not kids:
        return ""
    lhs_end = kids[0].extent.end.offset
    for tok in cursor.get_tokens():
        if tok.extent.start.offset >= lhs_end and tok.kind == TokenKind.PUNCTUATION:
            return tok.spelling
    return ""


def unary_operator(cursor: Cursor) -> tuple[str, bool]:
    """(operator, is_prefix) of a UNARY_OPERATOR."""
    known = opcodes().unary(cursor)
    if known is not None:
        return known
    toks = _tokens(cursor)
    if not toks:
        return "", True
    kids = _children(cursor)
    first = toks[0]
    if first.kind == TokenKind.PUNCTUATION and (not kids or first.extent.start.offset < kids[0].extent.start.offset):
        return toks[0].spelling, True
    if toks[-1].kind == TokenKind.PUNCTUATION:
        return toks[-1].spelling, False
    if toks[0].spelling in ("sizeof", "alignof", "__alignof__", "__extension__", "__real__", "__imag__"):
        return toks[0].spelling, True
    return "", True


def _is_pointer(t) -> bool:
    t = t.get_canonical()
    return t.kind in (TypeKind.POINTER, TypeKind.BLOCKPOINTER, TypeKind.MEMBERPOINTER)


def _pointee_const(t) -> bool:
    t = t.get_canonical()
    if t.kind in (TypeKind.POINTER, TypeKind.LVALUEREFERENCE, TypeKind.RVALUEREFERENCE):
        return t.get_pointee().is_const_qualified()
    return False


def _pointer_depth(t) -> int:
    t = t.get_canonical()
    depth = 0
    while t.kind == TypeKind.POINTER:
        depth += 1
        t = t.get_pointee().get_canonical()
    return depth


def _param_borrows(t) -> bool:
    """A parameter of this type cannot take ownership of a pointer argument."""
    t = t.get_canonical()
    if t.kind == TypeKind.POINTER:
        return t.get_pointee().is_const_qualified() and t.get_pointee().get_canonical().kind != TypeKind.POINTER
    if t.kind == TypeKind.LVALUEREFERENCE:
        # `T *const &` (a container's insert/push_back of pointers) hands over the pointer value itself
        pointee = t.get_pointee().get_canonical()
        return pointee.is_const_qualified() and pointee.kind != TypeKind.POINTER
    if t.kind == TypeKind.RVALUEREFERENCE:
        return False
    if t.kind == TypeKind.RECORD:
        return False  # a smart pointer / handle by value may adopt
    return t.kind not in (TypeKind.UNEXPOSED, TypeKind.DEPENDENT, TypeKind.ELABORATED)


def _new_shape(toks: list[str]) -> tuple[bool, bool, bool]:
    """(placement, nothrow, array) of a new-expression from its tokens: `[::] new [(args)] type [[n]] [init]`."""
    i = 0
    while i < len(toks) and toks[i] in ("::", "new"):
        i += 1
    placement = nothrow = False
    if i < len(toks) and toks[i] == "(":
        depth, j = 0, i
        while j < len(toks):
            depth += {"(": 1, ")": -1}.get(toks[j], 0)
            if depth == 0:
                break
            j += 1
        group = toks[i:j + 1]
        # `new (T)` is a parenthesized type, `new (args) T` a placement: a placement group is followed by a type
        if j + 1 < len(toks) and toks[j + 1] not in ("(", "{", ";", ")", ","):
            placement = True
            nothrow = "nothrow" in group
            i = j + 1
    depth = 0
    for tok in toks[i:]:
        if tok in ("<", "("):
            if tok == "(" and depth == 0:
                return placement, nothrow, False  # constructor arguments start: no array bound seen
            depth += 1
        elif tok in (">", ")"):
            depth -= 1
        elif tok == ">>":
            depth -= 2
        elif tok == "{" and depth == 0:
            return placement, nothrow, False
        elif tok == "[" and depth == 0:
            return placement, nothrow, True
    return placement, nothrow, False


# Smart pointers adopt the raw pointer given to a constructor or reset(), even when the declared parameter is a
# pointer to const (`std::unique_ptr<const T>(const T *)` would otherwise look like a borrow).
OWNING_POINTERS = {"std::unique_ptr", "std::shared_ptr", "std::__shared_ptr", "std::auto_ptr",
                   "boost::scoped_ptr", "boost::scoped_array", "boost::shared_ptr", "boost::shared_array"}
ADOPTING_METHODS = {"reset"}


def _adopts_pointer(ref: Cursor) -> bool:
    if ref.kind != CursorKind.CONSTRUCTOR and ref.spelling not in ADOPTING_METHODS:
        return False
    parent = ref.semantic_parent
    if parent is None:
        return False
    # drop inline namespaces such as libc++'s std::__1
    parts = [p for p in qualified_name(parent).split("::") if not p.startswith("__") or p == "__shared_ptr"]
    return "::".join(parts) in OWNING_POINTERS


def _copies_pointer_bytes(param_type, arg: Cursor) -> bool:
    """`memcpy(slot, &ptr, sizeof ptr)`: a `const void *` parameter given the address of a pointer reads the
    pointer's bytes, i.e. copies the handle somewhere: that is a store, not a borrow."""
    t = param_type.get_canonical()
    if t.kind != TypeKind.POINTER or t.get_pointee().get_canonical().kind != TypeKind.VOID:
        return False
    a = arg.type.get_canonical()
    return a.kind == TypeKind.POINTER and a.get_pointee().get_canonical().kind == TypeKind.POINTER


class _Fn:
    """Mutable builder for one function's blocks."""

    def __init__(self) -> None:
        self.events: list[list[ir.Event]] = []
        self.succs: list[list[int]] = []

    def new(self) -> int:
        self.events.append([])
        self.succs.append([])
        return len(self.events) - 1

    def edge(self, a: int | None, b: int) -> None:
        if a is not None and b not in self.succs[a]:
            self.succs[a].append(b)

    def freeze(self) -> tuple[ir.Block, ...]:
        return tuple(ir.Block(i, tuple(ev), tuple(s))
                     for i, (ev, s) in enumerate(zip(self.events, self.succs, strict=True)))


class FunctionLowerer:
    """Statements to blocks, expressions to events; unknown kinds become Unknown, counted."""

    def __init__(self, module: ModuleLowerer, cursor: Cursor, qualname: str, kind: str):
        self.module = module
        self.cursor = cursor
        self.qualname = qualname
        self.kind = kind
        self.fn = _Fn()
        self.entry = self.fn.new()
        self.exit = self.fn.new()
        self.cur: int | None = self.entry
        self.tmp = 0
        self.scopes: list[list[str]] = [[]]
        self.loops: list[tuple[int, int, int]] = []  # (continue target, break target, scope depth)
        self.breaks: list[tuple[int, int]] = []  # (break target, scope depth)
        self.switches: list[tuple[int, list[int]]] = []
        self.labels: dict[str, int] = {}
        self.locals: dict[Cursor, str] = {}
        self.local_names: list[str] = []
        self.opaque = 0
        self.lambdas: list[Cursor] = []

    # ---- helpers ---------------------------------------------------------------------------
    def emit(self, event: ir.Event) -> None:
        if self.cur is not None:
            self.fn.events[self.cur].append(event)

    def temp(self) -> ir.Var:
        self.tmp += 1
        return ir.Var(f"${self.tmp}")

    def goto_new(self) -> int:
        b = self.fn.new()
        self.fn.edge(self.cur, b)
        self.cur = b
        return b

    def declare(self, decl: Cursor) -> str:
        key = decl  # cursors hash and compare by declaration (two variables from one macro share a location)
        if key in self.locals:
            return self.locals[key]
        name = decl.spelling or f"$anon{len(self.locals)}"
        if name in self.local_names:
            name = f"{name}#{decl.location.line}"
        self.locals[key] = name
        self.local_names.append(name)
        if self.scopes:
            self.scopes[-1].append(name)
        return name

    def lookup(self, decl: Cursor) -> str | None:
        return self.locals.get(decl)

    def kill_scopes(self, depth: int, loc: ir.Loc) -> None:
        names = [n for scope in self.scopes[depth:] for n in scope]
        if names:
            self.emit(ir.Kill(loc, tuple(names)))

    # ---- entry -----------------------------------------------------------------------------
    def lower(self) -> ir.Function:
        params = []
        body = None
        for child in self.cursor.get_children():
            if child.kind == CursorKind.PARM_DECL:
                name = child.spelling or f"$arg{len(params)}"
                self.locals[child] = name
                params.append(ir.Param(name, child.type.spelling, _is_pointer(child.type),
                                       _pointee_const(child.type), _pointer_depth(child.type),
                                       child.type.get_canonical().kind in (TypeKind.LVALUEREFERENCE,
                                                                           TypeKind.RVALUEREFERENCE)))
            elif child.kind == CursorKind.COMPOUND_STMT:
                body = child
            elif child.kind == CursorKind.MEMBER_REF and self.kind == "constructor":
                pass
        if self.kind == "constructor":
            self.lower_ctor_inits()
        if body is not None:
            self.stmt(body)
        if self.cur is not None:
            end = _end_loc(body) if body is not None else _loc(self.cursor)
            self.emit(ir.Return(end, None))
            self.fn.edge(self.cur, self.exit)
        for bid, events in enumerate(self.fn.events):
            if events and isinstance(events[-1], ir.Return) and self.exit not in self.fn.succs[bid]:
                self.fn.succs[bid].append(self.exit)
        rtype = self.cursor.result_type.spelling if self.kind not in ("constructor", "destructor") else "void"
        end_line = body.extent.end.line if body is not None else self.cursor.extent.end.line
        parent = self.cursor.semantic_parent
        class_name = qualified_name(parent) if parent is not None and parent.kind.name in (
            "CLASS_DECL", "STRUCT_DECL", "CLASS_TEMPLATE", "UNION_DECL") else ""
        return ir.Function(
            usr=self.cursor.get_usr() or self.qualname, name=self.cursor.spelling, qualname=self.qualname,
            loc=_loc(self.cursor), end_line=end_line, params=tuple(params), blocks=self.fn.freeze(),
            entry=self.entry, exit=self.exit, return_type=rtype, kind=self.kind, class_name=class_name,
            locals=tuple(self.local_names), opaque=self.opaque)

    def lower_ctor_inits(self) -> None:
        kids = _children(self.cursor)
        for i, child in enumerate(kids):
            if child.kind == CursorKind.MEMBER_REF and i + 1 < len(kids):
                value = kids[i + 1]
                if value.kind.is_expression():
                    src = self.expr(value)
                    self.emit(ir.Assign(_loc(child), ir.Field(None, child.spelling), src))

    # ---- statements ------------------------------------------------------------------------
    def stmt(self, c: Cursor) -> None:
        handler = getattr(self, "s_" + c.kind.name, None)
        if handler is not None:
            handler(c)
        elif c.kind.is_expression():
            self.expr(c, discarded=True)
        elif c.kind.is_declaration():
            pass
        else:
            self.opaque += 1
            self.module.unhandled(c.kind.name)
            for child in c.get_children():
                self.stmt(child)

    def s_COMPOUND_STMT(self, c: Cursor) -> None:
        self.scopes.append([])
        for child in c.get_children():
            if self.cur is None and child.kind not in (CursorKind.LABEL_STMT, CursorKind.CASE_STMT,
                                                        CursorKind.DEFAULT_STMT):
                if not self._contains_label(child):
                    continue
            first_temp = self.tmp
            self.stmt(child)
            if self.tmp > first_temp and self.cur is not None:
                # lowering temporaries die with their statement: stale ones would keep states apart at joins
                self.emit(ir.Kill(_end_loc(child), tuple(f"${n}" for n in range(first_temp + 1, self.tmp + 1))))
        scope = self.scopes.pop()
        if scope and self.cur is not None:
            self.emit(ir.Kill(_end_loc(c), tuple(scope)))

    def _contains_label(self, c: Cursor) -> bool:
        for d in c.walk_preorder():
            if d.kind in (CursorKind.LABEL_STMT, CursorKind.CASE_STMT, CursorKind.DEFAULT_STMT):
                return True
        return False

    def s_NULL_STMT(self, c: Cursor) -> None:
        pass

    def s_DECL_STMT(self, c: Cursor) -> None:
        for d in c.get_children():
            if d.kind == CursorKind.VAR_DECL:
                self.var_decl(d)
            elif d.kind.is_declaration():
                continue

    def var_decl(self, d: Cursor) -> None:
        static = d.storage_class.name == "STATIC" if hasattr(d, "storage_class") else False
        init = None
        for child in d.get_children():
            if child.kind.is_expression():
                init = child
        if static:
            place: ir.Operand = ir.Global(qualified_name(d))
            self.locals.pop(d, None)
        else:
            place = ir.Var(self.declare(d))
        if init is None:
            return
        stripped = _strip(init)
        if stripped.kind == CursorKind.CALL_EXPR and stripped.referenced is not None and \
                stripped.referenced.kind == CursorKind.CONSTRUCTOR:
            self.call(stripped, receiver=place, discarded=False)
            return
        if stripped.kind == CursorKind.LAMBDA_EXPR:
            self.expr(init)
            return
        src = self.expr(init)
        self.emit(ir.Assign(_loc(d), place, src))

    def s_RETURN_STMT(self, c: Cursor) -> None:
        kids = [k for k in c.get_children() if k.kind.is_expression()]
        value = self.expr(kids[0]) if kids else None
        self.emit(ir.Return(_loc(c), value))
        self.fn.edge(self.cur, self.exit)
        self.cur = None

    def s_IF_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        else_tok = self._else_offset(c)
        has_else = else_tok is not None
        body_count = 2 if has_else else 1
        head, bodies = kids[:-body_count], kids[-body_count:]
        self.scopes.append([])
        for h in head[:-1]:
            self.stmt(h)
        cond = head[-1] if head else None
        then_b, else_b, after = self.fn.new(), self.fn.new(), self.fn.new()
        if cond is not None and cond.kind == CursorKind.VAR_DECL:
            self.var_decl(cond)
            name = self.lookup(cond)
            self.branch_on_value(ir.Var(name) if name else ir.Unknown(), _loc(cond), then_b, else_b, cond)
        elif cond is not None:
            self.cond(cond, then_b, else_b)
        self.cur = then_b
        self.stmt(bodies[0])
        self.fn.edge(self.cur, after)
        self.cur = else_b
        if has_else:
            self.stmt(bodies[1])
        self.fn.edge(self.cur, after)
        self.cur = after if self.fn_reachable(after) else None
        scope = self.scopes.pop()
        if scope and self.cur is not None:
            self.emit(ir.Kill(_end_loc(c), tuple(scope)))

    def fn_reachable(self, block: int) -> bool:
        return any(block in s for s in self.fn.succs)

    def _else_offset(self, c: Cursor) -> int | None:
        kids = _children(c)
        if len(kids) < 2:
            return None
        # `else` is a keyword token between the last two children: tokenize that gap only (the whole statement
        # would make nested if/else chains quadratic)
        end, start = kids[-2].extent.end, kids[-1].extent.start
        a, b = end.offset, start.offset
        if end.file is None or start.file is None or end.file.name != start.file.name or a >= b:
            # both children come from one macro expansion: no tokens between them. Decide from the shape:
            # `cond, then, else` (an init-statement or condition variable would not be a lone expression)
            return a if len(kids) == 3 and kids[0].kind.is_expression() else None
        tokens = c.translation_unit.get_tokens(extent=SourceRange.from_locations(end, start))
        for tok in tokens:
            off = tok.extent.start.offset
            if a <= off < b and tok.kind == TokenKind.KEYWORD and tok.spelling == "else":
                return off
        return None

    def s_WHILE_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        cond, body = kids[-2], kids[-1]
        head = self.goto_new()
        body_b, after = self.fn.new(), self.fn.new()
        self.scopes.append([])
        if cond.kind == CursorKind.VAR_DECL:
            self.var_decl(cond)
            name = self.lookup(cond)
            self.branch_on_value(ir.Var(name) if name else ir.Unknown(), _loc(cond), body_b, after, cond)
        else:
            self.cond(cond, body_b, after)
        self.loops.append((head, after, len(self.scopes)))
        self.breaks.append((after, len(self.scopes)))  # `break` leaves the innermost loop or switch
        self.cur = body_b
        self.stmt(body)
        self.fn.edge(self.cur, head)
        self.loops.pop()
        self.breaks.pop()
        self.scopes.pop()
        self.cur = after if self.fn_reachable(after) else None

    def s_DO_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        body, cond = kids[0], kids[-1]
        body_b = self.goto_new()
        cond_b, after = self.fn.new(), self.fn.new()
        self.loops.append((cond_b, after, len(self.scopes)))
        self.breaks.append((after, len(self.scopes)))  # `break` leaves the innermost loop or switch
        self.stmt(body)
        self.loops.pop()
        self.breaks.pop()
        self.fn.edge(self.cur, cond_b)
        self.cur = cond_b if self.fn_reachable(cond_b) else None
        if self.cur is not None:
            self.cond(cond, body_b, after)
        self.cur = after if self.fn_reachable(after) else None

    def s_FOR_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        body = kids[-1]
        semis = []
        depth = 0
        for tok in c.get_tokens():
            s = tok.spelling
            if s == "(":
                depth += 1
            elif s == ")":
                depth -= 1
                if depth == 0:
                    close = tok.extent.start.offset
                    break
            elif s == ";" and depth == 1:
                semis.append(tok.extent.start.offset)
        else:
            close = body.extent.start.offset
        init = cond = inc = None
        for k in kids[:-1]:
            off = k.extent.start.offset
            if len(semis) >= 2 and off < semis[0]:
                init = k
            elif len(semis) >= 2 and off < semis[1]:
                cond = k
            elif off < close:
                inc = k
        self.scopes.append([])
        if init is not None:
            self.stmt(init)
        head = self.goto_new()
        body_b, inc_b, after = self.fn.new(), self.fn.new(), self.fn.new()
        if cond is not None:
            if cond.kind == CursorKind.VAR_DECL:
                self.var_decl(cond)
                self.fn.edge(self.cur, body_b)
                self.fn.edge(self.cur, after)
            else:
                self.cond(cond, body_b, after)
        else:
            self.fn.edge(self.cur, body_b)
        self.loops.append((inc_b, after, len(self.scopes)))
        self.breaks.append((after, len(self.scopes)))  # `break` leaves the innermost loop or switch
        self.cur = body_b
        self.stmt(body)
        self.fn.edge(self.cur, inc_b)
        self.loops.pop()
        self.breaks.pop()
        self.cur = inc_b if self.fn_reachable(inc_b) else None
        if inc is not None:
            self.expr(inc, discarded=True)
        self.fn.edge(self.cur, head)
        scope = self.scopes.pop()
        self.cur = after if self.fn_reachable(after) else None
        if scope and self.cur is not None:
            self.emit(ir.Kill(_end_loc(c), tuple(scope)))

    def s_CXX_FOR_RANGE_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        body = kids[-1]
        self.scopes.append([])
        loop_var = next((k for k in kids if k.kind == CursorKind.VAR_DECL), None)
        range_op: ir.Operand = ir.Unknown("range")
        for k in kids[:-1]:
            if k.kind.is_expression():
                range_op = self.expr(k)
        head = self.goto_new()
        body_b, after = self.fn.new(), self.fn.new()
        self.fn.edge(head, body_b)
        self.fn.edge(head, after)
        self.loops.append((head, after, len(self.scopes)))
        self.breaks.append((after, len(self.scopes)))  # `break` leaves the innermost loop or switch
        self.cur = body_b
        if loop_var is not None:
            # the loop variable is an element of the range (`for (auto *p : items_) delete p;`)
            self.emit(ir.Assign(_loc(loop_var), ir.Var(self.declare(loop_var)), ir.Index(range_op)))
        self.stmt(body)
        self.fn.edge(self.cur, head)
        self.loops.pop()
        self.breaks.pop()
        self.scopes.pop()
        self.cur = after

    def s_BREAK_STMT(self, c: Cursor) -> None:
        if not self.breaks:
            return
        target, depth = self.breaks[-1]
        self.kill_scopes(depth, _loc(c))
        self.fn.edge(self.cur, target)
        self.cur = None

    def s_CONTINUE_STMT(self, c: Cursor) -> None:
        if not self.loops:
            return
        target, _, depth = self.loops[-1]
        self.kill_scopes(depth, _loc(c))
        self.fn.edge(self.cur, target)
        self.cur = None

    def s_SWITCH_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        cond, body = kids[-2], kids[-1]
        self.scopes.append([])
        for k in kids[:-2]:
            self.stmt(k)
        if cond.kind == CursorKind.VAR_DECL:
            self.var_decl(cond)
        else:
            self.expr(cond)
        dispatch = self.cur
        after = self.fn.new()
        self.switches.append((dispatch if dispatch is not None else self.fn.new(), []))
        self.breaks.append((after, len(self.scopes)))
        self.cur = None
        self.stmt(body)
        self.fn.edge(self.cur, after)
        self.switches.pop()
        self.breaks.pop()
        if dispatch is not None and not getattr(self, "_saw_default", {}).get(id(c)):
            if not self._switch_has_default(body):
                self.fn.edge(dispatch, after)
        self.scopes.pop()
        self.cur = after if self.fn_reachable(after) else None

    def _switch_has_default(self, body: Cursor) -> bool:
        stack = [body]
        while stack:
            n = stack.pop()
            for k in n.get_children():
                if k.kind == CursorKind.DEFAULT_STMT:
                    return True
                if k.kind != CursorKind.SWITCH_STMT:
                    stack.append(k)
        return False

    def _case(self, c: Cursor) -> None:
        block = self.fn.new()
        self.fn.edge(self.cur, block)  # fallthrough
        if self.switches:
            self.fn.edge(self.switches[-1][0], block)
        self.cur = block
        kids = _children(c)
        if kids:
            self.stmt(kids[-1])

    s_CASE_STMT = s_DEFAULT_STMT = _case

    def s_LABEL_STMT(self, c: Cursor) -> None:
        block = self.labels.setdefault(c.spelling, self.fn.new())
        self.fn.edge(self.cur, block)
        self.cur = block
        for k in c.get_children():
            self.stmt(k)

    def s_GOTO_STMT(self, c: Cursor) -> None:
        label = next((k for k in c.get_children() if k.kind == CursorKind.LABEL_REF), None)
        if label is None:
            self.cur = None
            return
        block = self.labels.setdefault(label.spelling, self.fn.new())
        self.fn.edge(self.cur, block)
        self.cur = None

    def s_INDIRECT_GOTO_STMT(self, c: Cursor) -> None:
        self.emit(ir.Halt(_loc(c), "computed goto"))
        self.cur = None

    def s_CXX_TRY_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        start = self.goto_new()
        after = self.fn.new()
        self.stmt(kids[0])
        self.fn.edge(self.cur, after)
        for handler in kids[1:]:
            # conservatively: an exception may leave the try block before any of it ran
            self.cur = self.fn.new()
            self.fn.edge(start, self.cur)
            for k in handler.get_children():
                if k.kind == CursorKind.COMPOUND_STMT:
                    self.stmt(k)
            self.fn.edge(self.cur, after)
        self.cur = after if self.fn_reachable(after) else None

    def s_GCC_ASM_STMT(self, c: Cursor) -> None:
        self.opaque += 1

    s_ASM_STMT = s_MS_ASM_STMT = s_GCC_ASM_STMT

    # ---- conditions ----------------------------------------------------------------------
    def cond(self, c: Cursor, t: int, f: int) -> None:
        """Lower a branch condition, with short-circuit operators as control flow."""
        s = _strip(c)
        kind = s.kind.name
        if kind == "BINARY_OPERATOR":
            op = binary_operator(s)
            lhs, rhs = _children(s)[:2]
            if op in ("&&", "||"):
                mid = self.fn.new()
                self.cond(lhs, mid, f) if op == "&&" else self.cond(lhs, t, mid)
                self.cur = mid
                self.cond(rhs, t, f)
                return
            if op in COMPARISONS:
                lc, rc = self.const_value(rhs), self.const_value(lhs)
                if lc is not None or rc is not None:
                    value = self.expr(lhs if lc is not None else rhs)
                    const = lc if lc is not None else rc
                    oper = op if lc is not None else SWAP[op]
                    self.split(_loc(s), value, oper, const, t, f, s)
                    return
                if op in ("==", "!=") and _is_pointer(lhs.type) and _is_pointer(rhs.type):
                    a, b = self.expr(lhs), self.expr(rhs)
                    self.split_compare(_loc(s), a, b, op == "==", t, f, s)
                    return
        if kind == "UNARY_OPERATOR":
            op, _ = unary_operator(s)
            if op == "!":
                self.cond(_children(s)[0], f, t)
                return
        const = self.const_value(s)
        if const is not None:
            self.fn.edge(self.cur, t if const else f)
            self.cur = None
            return
        value = self.expr(c)
        self.branch_on_value(value, _loc(s), t, f, s)

    def branch_on_value(self, value: ir.Operand, loc: ir.Loc, t: int, f: int, c: Cursor) -> None:
        self.split(loc, value, "!=", 0, t, f, c)

    def split(self, loc: ir.Loc, value: ir.Operand, op: str, const: int, t: int, f: int, c: Cursor) -> None:
        text = self.module.text(c)
        for target, oper, taken in ((t, op, True), (f, NEGATE[op], False)):
            edge = self.fn.new()
            self.fn.edge(self.cur, edge)
            self.fn.events[edge].append(ir.Branch(loc, taken, text))
            if not isinstance(value, (ir.Unknown, ir.Const)):
                self.fn.events[edge].append(ir.Assume(loc, value, oper, const))
            self.fn.edge(edge, target)
        self.cur = None

    def split_compare(self, loc: ir.Loc, a: ir.Operand, b: ir.Operand, equal: bool, t: int, f: int,
                      c: Cursor) -> None:
        text = self.module.text(c)
        for target, taken in ((t, True), (f, False)):
            edge = self.fn.new()
            self.fn.edge(self.cur, edge)
            self.fn.events[edge].append(ir.Branch(loc, taken, text))
            self.fn.events[edge].append(ir.Compare(loc, a, b, equal == taken))
            self.fn.edge(edge, target)
        self.cur = None

    def const_value(self, c: Cursor) -> int | None:
        s = _strip(c)
        kind = s.kind.name
        if kind in ("CXX_NULL_PTR_LITERAL_EXPR", "GNU_NULL_EXPR"):
            return 0
        if kind == "INTEGER_LITERAL":
            value = self.module.int_literal(s)
            if value is None and _is_pointer(c.type):
                return 0  # `((void *)0)` expanded from NULL: macro expansions have no tokens
            return value
        if kind == "CXX_BOOL_LITERAL_EXPR":
            toks = _tokens(s)
            return 1 if toks and toks[0].spelling == "true" else 0
        if kind == "CHARACTER_LITERAL":
            return None
        if kind == "UNARY_OPERATOR":
            op, _ = unary_operator(s)
            kids = _children(s)
            if not op and kids and _strip(kids[0]).kind == CursorKind.INTEGER_LITERAL and _is_pointer(c.type):
                return -1  # `((void *) -1)` expanded from MAP_FAILED
            if op == "-" and kids:
                v = self.const_value(kids[0])
                return -v if v is not None else None
        if kind == "DECL_REF_EXPR" and s.referenced is not None and s.referenced.kind == CursorKind.ENUM_CONSTANT_DECL:
            return s.referenced.enum_value
        if kind in ("CSTYLE_CAST_EXPR", "CXX_STATIC_CAST_EXPR", "CXX_REINTERPRET_CAST_EXPR", "PAREN_EXPR",
                    "UNEXPOSED_EXPR"):
            kids = [k for k in s.get_children() if k.kind.is_expression()]
            if kids:
                value = self.const_value(kids[-1])
                if value is None and _is_pointer(s.type) and _strip(kids[-1]).kind == CursorKind.INTEGER_LITERAL:
                    return 0  # `(void *)0` spelled through a macro (NULL): a null pointer constant
                return value
        return None

    # ---- expressions -----------------------------------------------------------------------
    def expr(self, c: Cursor, discarded: bool = False) -> ir.Operand:
        kind = c.kind.name
        if kind in TRANSPARENT_EXPRS:
            kids = [k for k in c.get_children() if k.kind.is_expression() or k.kind == CursorKind.COMPOUND_STMT]
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
        for k in c.get_children():
            if k.kind.is_expression():
                self.expr(k)
        return ir.Unknown(kind)

    def e_DECL_REF_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        ref = c.referenced
        if ref is None:
            return ir.Unknown(c.spelling)
        if ref.kind in (CursorKind.VAR_DECL, CursorKind.PARM_DECL):
            name = self.lookup(ref)
            if name is not None:
                return ir.Var(name)
            return ir.Global(qualified_name(ref))
        if ref.kind == CursorKind.ENUM_CONSTANT_DECL:
            return ir.Const("int", ref.enum_value)
        if ref.kind == CursorKind.FIELD_DECL:
            return ir.Field(None, ref.spelling)
        return ir.Unknown(c.spelling)

    def e_MEMBER_REF_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        kids = [k for k in c.get_children() if k.kind.is_expression()]
        if not kids:
            return ir.Field(None, c.spelling)
        base = self.expr(kids[0])
        arrow = _is_pointer(kids[0].type)
        if arrow and isinstance(base, ir.Var):
            self.emit(ir.Use(_loc(c), base))
        if isinstance(base, ir.Var) and base.name == "this":
            return ir.Field(None, c.spelling)
        return ir.Field(base, c.spelling, arrow)

    def e_ARRAY_SUBSCRIPT_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        kids = _children(c)
        base = self.expr(kids[0])
        if len(kids) > 1:
            self.expr(kids[1])
        if isinstance(base, ir.Var):
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
        kids = [k for k in c.get_children() if k.kind.is_expression()]
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
        if op in ("++", "--") and isinstance(value, ir.Var) and not _is_pointer(kids[0].type):
            self.emit(ir.Assign(_loc(c), value, ir.Unknown(op)))
        return ir.Unknown(op) if op not in ("++", "--") or not _is_pointer(kids[0].type) else value

    def e_BINARY_OPERATOR(self, c: Cursor, discarded: bool) -> ir.Operand:
        op = binary_operator(c)
        kids = _children(c)
        if len(kids) < 2:
            return ir.Unknown(op)
        lhs_c, rhs_c = kids[0], kids[1]
        if op == "=":
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
        return ir.Unknown(op)

    def e_COMPOUND_ASSIGNMENT_OPERATOR(self, c: Cursor, discarded: bool) -> ir.Operand:
        kids = _children(c)
        lhs = self.expr(kids[0])
        self.expr(kids[1]) if len(kids) > 1 else None
        if isinstance(lhs, ir.Var) and not _is_pointer(kids[0].type):
            self.emit(ir.Assign(_loc(c), lhs, ir.Unknown("compound")))
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
        ref = c.referenced
        kids = _children(c)
        args_c = list(c.get_arguments())
        callee = ""
        usr = ""
        noreturn = False
        is_ctor = False
        borrow: list[bool] = []
        if ref is not None and ref.kind.name in FUNCTION_KINDS:
            callee = qualified_name(ref)
            usr = ref.get_usr()
            noreturn = callee in KNOWN_NORETURN or "noreturn" in ref.type.spelling or \
                self.module.declared_noreturn(ref)
            is_ctor = ref.kind == CursorKind.CONSTRUCTOR
            params = [p for p in ref.get_children() if p.kind == CursorKind.PARM_DECL]
            ptypes = [p.type for p in params]
            if not ptypes and ref.type.kind == TypeKind.FUNCTIONPROTO:
                ptypes = list(ref.type.argument_types())
            self.module.note_decl(ref)
        else:
            ptypes = []
        # member call: the callee expression is a MEMBER_REF_EXPR whose base is the object
        if receiver is None and kids and not is_ctor:
            callee_expr = _strip(kids[0])
            if callee_expr.kind == CursorKind.MEMBER_REF_EXPR:
                base_kids = [k for k in callee_expr.get_children() if k.kind.is_expression()]
                receiver = self.expr(base_kids[0]) if base_kids else ir.Var("this")
                if isinstance(receiver, ir.Var) and _is_pointer(base_kids[0].type if base_kids else callee_expr.type):
                    self.emit(ir.Use(_loc(c), receiver))
            elif ref is None and callee_expr.kind not in (CursorKind.DECL_REF_EXPR,):
                self.expr(kids[0])
        operator_call = callee.rsplit("::", 1)[-1].startswith("operator") if callee else False
        if operator_call and ref is not None and ref.kind == CursorKind.CXX_METHOD and args_c:
            # `a[i]`, `a = b` on class types: the object is the first argument
            obj = self.expr(args_c[0])
            rest = [self.expr(a) for a in args_c[1:]]
            name = callee.rsplit("::", 1)[-1]
            if name == "operator[]":
                return ir.Index(obj)
            if name in ("operator->", "operator*"):
                return obj
            args = tuple(rest)
            receiver = obj
            ptypes_list = ptypes
        else:
            args = tuple(self.expr(a) for a in args_c)
            ptypes_list = ptypes
        for i, a in enumerate(args_c[-len(args):] if args else []):
            if i < len(ptypes_list):
                borrow.append(_param_borrows(ptypes_list[i]) and not _copies_pointer_bytes(ptypes_list[i], a))
            else:
                borrow.append(not _is_pointer(a.type))
        if ref is not None and _adopts_pointer(ref):
            borrow = [False] * len(borrow)
        rtype = c.type.get_canonical()
        result = None
        if rtype.kind != TypeKind.VOID and not is_ctor:
            result = self.temp()
        if is_ctor and receiver is None:
            result = self.temp()
            receiver = result
        if callee == "" and ref is not None and ref.kind in (CursorKind.VAR_DECL, CursorKind.PARM_DECL,
                                                              CursorKind.FIELD_DECL):
            callee = ""
        self.emit(ir.Call(_loc(c), callee, args, result, usr, receiver, tuple(borrow), noreturn, is_ctor,
                          discarded and result is not None))
        if receiver is not None and ref is not None and ref.kind == CursorKind.CXX_METHOD and \
                self.module.deletes_this(ref):
            # `obj->Unref()` whose body may `delete this` (reference counting): the object is handed over
            self.emit(ir.Call(_loc(c), callee, (receiver,), None, "", None, (False,)))
        if noreturn:
            self.emit(ir.Halt(_loc(c), callee))
            self.cur = None
        return result if result is not None else ir.Unknown("void")

    def e_CXX_NEW_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        toks = [t.spelling for t in c.get_tokens()]
        placement, nothrow, is_array = _new_shape(toks)
        args = []
        for k in c.get_children():
            if k.kind.is_expression():
                stripped = _strip(k)
                if stripped.kind == CursorKind.CALL_EXPR and stripped.referenced is not None and \
                        stripped.referenced.kind == CursorKind.CONSTRUCTOR:
                    args.extend(self.expr(a) for a in stripped.get_arguments())
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
        kids = [k for k in c.get_children() if k.kind.is_expression()]
        value = self.expr(kids[0]) if kids else ir.Unknown()
        self.emit(ir.Call(_loc(c), "delete[]" if is_array else "delete", (value,), None, "", None, (False,)))
        return ir.Unknown("void")

    def e_CXX_THROW_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        for k in c.get_children():
            if k.kind.is_expression():
                self.expr(k)
        self.emit(ir.Halt(_loc(c), "throw"))
        self.cur = None
        return ir.Unknown("throw")

    def e_LAMBDA_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        self.module.lambda_body(c, self.qualname)
        captured = []
        for d in c.walk_preorder():
            if d.kind == CursorKind.DECL_REF_EXPR and d.referenced is not None:
                name = self.lookup(d.referenced)
                if name is not None and ir.Var(name) not in captured:
                    captured.append(ir.Var(name))
        if captured:
            # a lambda that captures a resource may release or keep it: ownership is shared with it
            self.emit(ir.Call(_loc(c), "<lambda capture>", tuple(captured), None, "", None,
                              tuple(False for _ in captured)))
        return ir.Unknown("lambda")

    def e_INIT_LIST_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        values = [self.expr(k) for k in c.get_children() if k.kind.is_expression()]
        tracked = tuple(v for v in values if isinstance(v, ir.Var))
        if tracked:
            self.emit(ir.Call(_loc(c), "<aggregate init>", tracked, None, "", None, tuple(False for _ in tracked)))
        return ir.Unknown("init list")

    def e_STMT_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        for k in c.get_children():
            self.stmt(k)
        return ir.Unknown("stmt expr")

    def e_CXX_UNARY_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Unknown("sizeof")

    def e_PACK_EXPANSION_EXPR(self, c: Cursor, discarded: bool) -> ir.Operand:
        return ir.Unknown("pack")

    def e_COMPOUND_STMT(self, c: Cursor, discarded: bool) -> ir.Operand:
        self.stmt(c)
        return ir.Unknown("block")


def _gcc_dealloc_attributes(c: Cursor) -> list[str]:
    """GCC's `__attribute__((malloc(dealloc, idx)))` as 'malloc ( dealloc , idx )' texts.

    libclang 18 rejects the argument form ("'malloc' attribute takes no arguments") and drops the
    attribute from the AST, so it is read from the declaration's own tokens."""
    toks = [t.spelling for t in c.get_tokens()]
    out: list[str] = []
    i = 0
    while i < len(toks):
        if toks[i] in ("__attribute__", "__attribute") and toks[i + 1:i + 3] == ["(", "("]:
            depth, j = 0, i + 1
            while j < len(toks):
                depth += {"(": 1, ")": -1}.get(toks[j], 0)
                if toks[j] in ("malloc", "__malloc__") and depth == 2 and j + 1 < len(toks) and toks[j + 1] == "(":
                    k, inner = j + 2, 1
                    while k < len(toks) and inner:
                        inner += {"(": 1, ")": -1}.get(toks[k], 0)
                        k += 1
                    out.append(" ".join(["malloc", *toks[j + 1:k]]))
                if depth == 0:
                    break
                j += 1
            i = j
        i += 1
    return out


# Declarations from project headers repeat in every TU that includes them; a worker process lowers many TUs, so
# their FuncDecl is built once per process (keyed by the file's identity: an edited header is read again).
_DECL_CACHE: dict[tuple, ir.FuncDecl] = {}
# Functions defined in headers, already lowered by this worker process: the pipeline keeps one copy per USR anyway.
# Only in worker processes, which live for one scan (an in-process caller may scan the same tree twice).
_LOWERED_IN_THIS_WORKER: set[tuple] = set()


def _in_worker() -> bool:
    return multiprocessing.parent_process() is not None


class ModuleLowerer:
    """Walks one TU: function bodies in project files become ir.Function, declarations ir.FuncDecl."""

    def __init__(self, tu: TranslationUnit, is_project: Callable[[str], bool]):
        self.tu = tu
        self.is_project = is_project
        self.functions: list[ir.Function] = []
        self.decls: dict[str, ir.FuncDecl] = {}
        self.classes: list[ir.ClassDecl] = []
        self._unhandled: dict[str, int] = {}
        self._noreturn: dict[str, bool] = {}
        self._seen: set[str] = set()
        self._lambda_count = 0
        self._pending_lambdas: list[tuple[Cursor, str]] = []
        self._project_files: dict[str, bool] = {}
        self._source_lines: dict[str, list[str]] = {}
        self._deletes_this: dict[str, bool] = {}
        self._signatures: dict[str, tuple[int, int]] = {}
        self._sources: dict[str, bytes] = {}

    def unhandled(self, kind: str) -> None:
        if kind not in self._unhandled:
            log.debug("cursor kind %s is not handled", kind)
        self._unhandled[kind] = self._unhandled.get(kind, 0) + 1

    def text(self, c: Cursor) -> str:
        """Source text of an expression as written, runs of whitespace collapsed. Sliced from the file by the
        extent (no tokenizing); an expression inside a macro expansion reads as the invocation."""
        ext = c.extent
        start, end = ext.start, ext.end
        if start.file is None or end.file is None or start.file.name != end.file.name or \
                start.offset >= end.offset:
            return self.expansion_text(c)
        data = self._source_bytes(start.file.name)
        text = " ".join(data[start.offset:end.offset].decode("utf-8", errors="replace").split())
        if not text:
            return self.expansion_text(c)
        return text if len(text) <= 80 else text[:77] + "..."

    def _source_bytes(self, path: str) -> bytes:
        data = self._sources.get(path)
        if data is None:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                data = b""
            self._sources[path] = data
        return data

    def expansion_text(self, c: Cursor) -> str:
        """What the source shows where an expression comes from a macro: `NAME(args)` at the expansion site."""
        loc = c.extent.start
        if loc.file is None:
            return ""
        path = loc.file.name
        if path not in self._source_lines:
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    self._source_lines[path] = fh.read().splitlines()
            except OSError:
                self._source_lines[path] = []
        lines = self._source_lines[path]
        if not 0 < loc.line <= len(lines):
            return ""
        rest = lines[loc.line - 1][max(loc.column - 1, 0):]
        m = re.match(r"[A-Za-z_]\w*\s*", rest)
        if m is None:
            return rest[:80].strip()
        end, depth = m.end(), 0
        if end < len(rest) and rest[end] == "(":
            for i in range(end, len(rest)):
                depth += {"(": 1, ")": -1}.get(rest[i], 0)
                if depth == 0:
                    end = i + 1
                    break
            else:
                end = len(rest)
        text = rest[:end].strip()
        return text if len(text) <= 80 else text[:77] + "..."

    def int_literal(self, c: Cursor) -> int | None:
        value = opcodes().integer(c)
        if value is not False:
            return value
        toks = list(c.get_tokens())
        if not toks:
            return None
        if toks[0].spelling == "NULL":
            return 0
        s = toks[0].spelling.lower().rstrip("ul").replace("'", "")
        try:
            return int(s, 0)
        except ValueError:
            try:
                return int(s, 8) if s.startswith("0") else None
            except ValueError:
                return None

    def deletes_this(self, ref: Cursor) -> bool:
        """The method's definition (when this TU sees it) contains `delete this`."""
        usr = ref.get_usr()
        if usr not in self._deletes_this:
            found = False
            defn = ref.get_definition()
            if defn is not None:
                for d in defn.walk_preorder():
                    if d.kind == CursorKind.CXX_DELETE_EXPR:
                        kids = [k for k in d.get_children() if k.kind.is_expression()]
                        if kids and _strip(kids[0]).kind == CursorKind.CXX_THIS_EXPR:
                            found = True
                            break
            self._deletes_this[usr] = found
        return self._deletes_this[usr]

    def declared_noreturn(self, ref: Cursor) -> bool:
        usr = ref.get_usr()
        if usr not in self._noreturn:
            self._noreturn[usr] = any(k.kind.name == "UNEXPOSED_ATTR" and "noreturn" in
                                      " ".join(t.spelling for t in k.get_tokens()) for k in ref.get_children())
        return self._noreturn[usr]

    def note_decl(self, ref: Cursor) -> None:
        usr = ref.get_usr()
        if not usr or usr in self.decls:
            return
        loc = ref.location
        file = loc.file.name if loc.file else ""
        key = (usr, file, self._file_signature(file), loc.line, loc.column, ref.get_definition() is not None)
        decl = _DECL_CACHE.get(key)
        if decl is None:
            decl = _DECL_CACHE[key] = self.func_decl(ref)
        self.decls[usr] = decl

    def _file_signature(self, path: str) -> tuple[int, int]:
        sig = self._signatures.get(path)
        if sig is None:
            try:
                st = os.stat(path)
                sig = (st.st_mtime_ns, st.st_size)
            except OSError:
                sig = (0, 0)
            self._signatures[path] = sig
        return sig

    def func_decl(self, c: Cursor) -> ir.FuncDecl:
        file = c.location.file.name if c.location.file else ""
        params_: list[str] = []
        attrs = []
        for k in c.get_children():
            kind = k.kind
            if kind == CursorKind.PARM_DECL:
                params_.append(k.type.get_canonical().spelling)
            elif kind.name.endswith("_ATTR"):
                text = " ".join(t.spelling for t in k.get_tokens())
                attrs.append(text or kind.name.lower())
        params = tuple(params_)
        if not c.is_definition():
            attrs.extend(a for a in _gcc_dealloc_attributes(c) if a not in attrs)
        rtype = c.result_type.get_canonical().spelling if c.kind.name not in ("CONSTRUCTOR", "DESTRUCTOR") else "void"
        defn = c.get_definition()
        return ir.FuncDecl(c.get_usr(), c.spelling, qualified_name(c), rtype, params,
                           ir.Loc(file, c.location.line, c.location.column), has_body=defn is not None,
                           in_project=bool(file) and self.is_project(file),
                           noreturn="noreturn" in c.type.spelling, attributes=tuple(attrs))

    def lower(self) -> ir.Module:
        self._walk(self.tu.cursor)
        while self._pending_lambdas:
            cursor, qual = self._pending_lambdas.pop(0)
            self._function(cursor, qual, "lambda")
        return ir.Module(self.tu.spelling, tuple(self.functions), tuple(self.decls.values()), tuple(self.classes))

    def _in_project(self, file: str) -> bool:
        known = self._project_files.get(file)
        if known is None:
            known = self._project_files[file] = self.is_project(file)
        return known

    def _walk(self, parent: Cursor) -> None:
        for c in parent.get_children():
            kind = c.kind.name
            if kind not in FUNCTION_KINDS and kind not in SCOPE_KINDS:
                continue  # variables, typedefs, enums...: nothing to lower, and their location is costly
            loc = c.location
            file = loc.file.name if loc.file else ""
            if kind in FUNCTION_KINDS:
                if file and self._in_project(file):
                    self.note_decl(c)
                if file and self._in_project(file) and c.is_definition():
                    usr = c.get_usr()
                    if usr in self._seen:
                        continue
                    self._seen.add(usr)
                    if file != self.tu.spelling and _in_worker():
                        key = (usr, file, self._file_signature(file))
                        if key in _LOWERED_IN_THIS_WORKER:
                            continue  # a header function this worker already lowered for an earlier TU of the run
                        _LOWERED_IN_THIS_WORKER.add(key)
                    fkind = {"CXX_METHOD": "method", "CONSTRUCTOR": "constructor", "DESTRUCTOR": "destructor",
                             "CONVERSION_FUNCTION": "method"}.get(kind, "function")
                    self._function(c, qualified_name(c), fkind)
            elif kind in SCOPE_KINDS:
                if kind in ("CLASS_DECL", "STRUCT_DECL", "CLASS_TEMPLATE") and file and self.is_project(file) \
                        and c.is_definition():
                    self._class(c)
                if file and not self._in_project(file):
                    continue  # a namespace or extern "C" block opened in a system header holds no project code
                self._walk(c)

    def _class(self, c: Cursor) -> None:
        fields = tuple(ir.FieldDecl(f.spelling, f.type.spelling, _is_pointer(f.type))
                       for f in c.get_children() if f.kind == CursorKind.FIELD_DECL)
        dtor = next((k.get_usr() for k in c.get_children() if k.kind == CursorKind.DESTRUCTOR), "")
        self.classes.append(ir.ClassDecl(c.get_usr(), qualified_name(c), _loc(c), fields, dtor))

    def _function(self, c: Cursor, qualname: str, kind: str) -> None:
        try:
            fn = FunctionLowerer(self, c, qualname, kind).lower()
        except RecursionError:
            log.warning("%s: function %s is too deeply nested; skipped", _loc(c), qualname)
            return
        self.functions.append(fn)

    def lambda_body(self, c: Cursor, parent_qual: str) -> None:
        self._lambda_count += 1
        self._pending_lambdas.append((c, f"{parent_qual}::<lambda@{c.location.line}:{c.location.column}>"))


SYSTEM_PREFIXES = ("/usr/", "/lib/", "/lib64/", "/opt/homebrew/", "/Library/", "/System/")


def default_is_project(path: str) -> bool:
    # libclang may spell system headers through its own install dir (`.../native/../lib/gcc/...`)
    norm = os.path.normpath(path)
    return (not norm.startswith(SYSTEM_PREFIXES) and "/site-packages/" not in norm
            and os.path.basename(norm) != "<built-in>")
