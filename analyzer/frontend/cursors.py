"""Helpers on libclang cursors, types and tokens: names, locations, operator kinds, evaluation, constants."""
from __future__ import annotations

import ctypes
from collections.abc import Iterator
from typing import Any

from clang.cindex import Cursor, CursorKind, SourceLocation, TokenKind, TypeKind, _CXString, conf

from analyzer import ir

from .fastc import (
    _MISSING,
    EXPRESSION_IDS,
    STATEMENT_IDS,
    canonical,
    children,
    expression_children,
    kind_name,
    location,
    referenced,
    spelling,
)

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
    while c is not None and kind_name(c) != "TRANSLATION_UNIT":
        kind = kind_name(c)
        if kind in ("LINKAGE_SPEC", "UNEXPOSED_DECL"):
            pass
        elif kind == "NAMESPACE":
            parts.append(spelling(c) or "(anonymous namespace)")
        else:
            parts.append(spelling(c) or f"(anonymous {kind.lower()})")
        c = c.semantic_parent
    return "::".join(reversed(parts))


def file_name(loc: SourceLocation) -> str:
    """The name of the file a location is in ('' when none), asked from libclang once per file and TU."""
    return location(loc)[0]


def _loc(cursor: Cursor) -> ir.Loc:
    name, line, column, _ = location(cursor.location)
    return ir.Loc(name, line, column)


def extent_parts(cursor: Cursor) -> tuple[tuple[str, int, int, int], tuple[str, int, int, int]]:
    """(start, end) of the cursor's extent as `fastc.location` tuples, read once per cursor object."""
    cached = getattr(cursor, "_extent_parts", _MISSING)
    if cached is not _MISSING:
        return cached
    ext = cursor.extent
    parts = cursor._extent_parts = (location(ext.start), location(ext.end))
    return parts


def _end_loc(cursor: Cursor) -> ir.Loc:
    name, line, column, _ = extent_parts(cursor)[1]
    return ir.Loc(name, line, max(column - 1, 1))


_children = children


def descendants(cursor: Cursor) -> Iterator[Cursor]:
    """The cursor and everything under it in preorder, with an explicit stack (cindex's walk_preorder nests one
    generator per level: deep code exhausts the recursion limit, and each step costs the depth)."""
    stack = [cursor]
    while stack:
        c = stack.pop()
        yield c
        stack.extend(reversed(children(c)))


def _strip(cursor: Cursor) -> Cursor:
    while kind_name(cursor) in TRANSPARENT_EXPRS:
        kids = [k for k in children(cursor) if k._kind_id in EXPRESSION_IDS or k._kind_id in STATEMENT_IDS]
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
        self.lib: Any = None
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


_OVERRIDDEN: Any = None


def overridden_usrs(method: Cursor) -> tuple[str, ...]:
    """USRs of the virtual methods a method overrides (clang_getOverriddenCursors, not wrapped by the bindings)."""
    global _OVERRIDDEN
    if kind_name(method) != "CXX_METHOD" or not method.is_virtual_method():
        return ()
    if _OVERRIDDEN is None:
        lib = conf.lib
        lib.clang_getOverriddenCursors.argtypes = [Cursor, ctypes.POINTER(ctypes.POINTER(Cursor)),
                                                   ctypes.POINTER(ctypes.c_uint)]
        lib.clang_getOverriddenCursors.restype = None
        lib.clang_disposeOverriddenCursors.argtypes = [ctypes.POINTER(Cursor)]
        lib.clang_disposeOverriddenCursors.restype = None
        _OVERRIDDEN = lib
    found = ctypes.POINTER(Cursor)()
    count = ctypes.c_uint()
    _OVERRIDDEN.clang_getOverriddenCursors(method, ctypes.byref(found), ctypes.byref(count))
    if not count.value:
        return ()
    try:
        return tuple(found[i].get_usr() for i in range(count.value))
    finally:
        _OVERRIDDEN.clang_disposeOverriddenCursors(found)


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
    t = canonical(t)
    return t.kind in (TypeKind.POINTER, TypeKind.BLOCKPOINTER, TypeKind.MEMBERPOINTER)


_INTEGER_KINDS = frozenset({TypeKind.BOOL, TypeKind.CHAR_U, TypeKind.UCHAR, TypeKind.USHORT, TypeKind.UINT,
                            TypeKind.ULONG, TypeKind.ULONGLONG, TypeKind.CHAR_S, TypeKind.SCHAR, TypeKind.SHORT,
                            TypeKind.INT, TypeKind.LONG, TypeKind.LONGLONG, TypeKind.ENUM})


def _is_integer(t) -> bool:
    return canonical(t).kind in _INTEGER_KINDS


_UNSIGNED_KINDS = frozenset({TypeKind.BOOL, TypeKind.CHAR_U, TypeKind.UCHAR, TypeKind.USHORT, TypeKind.UINT,
                             TypeKind.ULONG, TypeKind.ULONGLONG, TypeKind.UINT128})


def is_unsigned(t) -> bool:
    return canonical(t).kind in _UNSIGNED_KINDS


def addressed_variables(expr: Cursor) -> set[str]:
    """USRs of the variables whose address `expr` takes (`&x`, and arrays decaying to pointers)."""
    out: set[str] = set()
    for d in descendants(expr):
        if kind_name(d) == "UNARY_OPERATOR" and unary_operator(d)[0] == "&":
            kids = expression_children(d)
            target = _strip(kids[0]) if kids else None
            ref = referenced(target) if target is not None and kind_name(target) == "DECL_REF_EXPR" else None
            if ref is not None and kind_name(ref) == "VAR_DECL":
                out.add(ref.get_usr())
    return out


def _is_plain_record(t) -> bool:
    """A struct or union held by value whose fields die with it: no destructor (it could release what the fields
    hold). A union's members overlap: they are one place (`union_storage_name`)."""
    t = canonical(t)
    if t.kind != TypeKind.RECORD:
        return False
    decl = t.get_declaration()
    if decl is None or decl.kind not in (CursorKind.STRUCT_DECL, CursorKind.CLASS_DECL, CursorKind.UNION_DECL):
        return False
    return not any(kind_name(k) == "DESTRUCTOR" for k in _children(decl))


def _is_handle_array(t) -> bool:
    """A local array of pointers or integers (`char *slots[4]`, `int fds[2]`): its elements at constant indexes
    are places of their own."""
    t = canonical(t)
    if t.kind != TypeKind.CONSTANTARRAY:
        return False
    elem = t.get_array_element_type().get_canonical()
    return elem.kind == TypeKind.POINTER or _is_integer(elem)


def union_storage_name(base_type, arrow: bool) -> str:
    """The one name every member of a union is read and written under (its first member's): storing through
    `h.raw` and freeing through `h.res` reach the same place. '' when the base is no union."""
    t = canonical(base_type)
    if arrow:
        t = t.get_pointee().get_canonical()
    if t.kind != TypeKind.RECORD:
        return ""
    decl = t.get_declaration()
    if decl is None or kind_name(decl) != "UNION_DECL":
        return ""
    return next((k.spelling for k in decl.get_children() if kind_name(k) == "FIELD_DECL" and k.spelling), "")


def _is_reference(t) -> bool:
    return canonical(t).kind in (TypeKind.LVALUEREFERENCE, TypeKind.RVALUEREFERENCE)


def _is_mutable_reference(t) -> bool:
    """`T &` with T not const: the callee can assign the caller's object through it."""
    t = canonical(t)
    return t.kind == TypeKind.LVALUEREFERENCE and not t.get_pointee().is_const_qualified()


def _pointee_const(t) -> bool:
    t = canonical(t)
    if t.kind in (TypeKind.POINTER, TypeKind.LVALUEREFERENCE, TypeKind.RVALUEREFERENCE):
        return t.get_pointee().is_const_qualified()
    return False


def _pointer_depth(t) -> int:
    t = canonical(t)
    depth = 0
    while t.kind == TypeKind.POINTER:
        depth += 1
        t = t.get_pointee().get_canonical()
    return depth


def _param_borrows(t) -> bool:
    """A parameter of this type cannot take ownership of a pointer argument."""
    t = canonical(t)
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
    if kind_name(ref) != "CONSTRUCTOR" and ref.spelling not in ADOPTING_METHODS:
        return False
    parent = ref.semantic_parent
    if parent is None:
        return False
    # drop inline namespaces such as libc++'s std::__1
    parts = [p for p in qualified_name(parent).split("::") if not p.startswith("__") or p == "__shared_ptr"]
    return "::".join(parts) in OWNING_POINTERS


def attribute_text(attr: Cursor, limit: int = 256) -> str:
    """An attribute cursor's own tokens, space-joined: 'ownership_returns ( foo , 1 )', '_Noreturn', 'noreturn'.

    Read only up to the attribute's end (its name, then balanced parentheses): the token range of an attribute
    spelled inside a macro runs from the macro's definition to its use, thousands of tokens in clang's intrinsics
    headers (`__DEFAULT_FN_ATTRS`), which made such a TU take seconds."""
    out: list[str] = []
    depth = 0
    for tok in attr.get_tokens():
        s = tok.spelling
        if depth == 0 and out and s != "(" and s != "::" and out[-1] != "::":
            break
        out.append(s)
        depth += {"(": 1, ")": -1}.get(s, 0)
        if (depth == 0 and s == ")") or len(out) >= limit:
            break
    return " ".join(out)


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
