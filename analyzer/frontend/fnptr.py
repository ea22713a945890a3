"""Calls through a function pointer whose target the translation unit shows: a local initialized with a function
and never assigned again (`void (*done)(char *) = inspect; done(p);`), a `const` pointer global, or a struct field
that every static table of the TU fills with the same function (`static const struct ops tab[] = {{open_a,
close_a}}; ops->close(p);`). The call is then read as a call of that function: its summary applies."""
from __future__ import annotations

from clang.cindex import Cursor, CursorKind, TypeKind

from .cursors import _strip, binary_operator, unary_operator
from .fastc import canonical, children, expression_children, forget_children, is_expression, kind_name, referenced


def _function_ref(c: Cursor | None) -> Cursor | None:
    """The function an initializer expression names (`f`, `&f`, `(fp_t)f`), or None."""
    while c is not None:
        c = _strip(c)
        if kind_name(c) == "DECL_REF_EXPR":
            ref = referenced(c)
            return ref if ref is not None and kind_name(ref) == "FUNCTION_DECL" else None
        if c.kind in (CursorKind.UNARY_OPERATOR, CursorKind.CSTYLE_CAST_EXPR, CursorKind.PAREN_EXPR,
                      CursorKind.UNEXPOSED_EXPR):
            kids = expression_children(c)
            c = kids[-1] if len(kids) == 1 or (kind_name(c) == "CSTYLE_CAST_EXPR" and kids) else None
            continue
        return None
    return None


def _is_null(c: Cursor) -> bool:
    while c.kind in (CursorKind.CSTYLE_CAST_EXPR, CursorKind.PAREN_EXPR, CursorKind.UNEXPOSED_EXPR):
        kids = expression_children(c)
        if not kids:
            return False
        c = kids[-1]
    return c.kind in (CursorKind.INTEGER_LITERAL, CursorKind.CXX_NULL_PTR_LITERAL_EXPR, CursorKind.GNU_NULL_EXPR)


def _is_function_pointer(t) -> bool:
    t = canonical(t)
    return t.kind == TypeKind.POINTER and t.get_pointee().get_canonical().kind in (
        TypeKind.FUNCTIONPROTO, TypeKind.FUNCTIONNOPROTO)


def _initializer(var: Cursor) -> Cursor | None:
    kids = expression_children(var)
    return kids[-1] if kids else None


def _names(c: Cursor, var: Cursor) -> bool:
    c = _strip(c)
    return kind_name(c) == "DECL_REF_EXPR" and referenced(c) == var


def _written_in(body: Cursor, var: Cursor) -> bool:
    """Whether the body assigns `var` or takes its address (then its value is not the initializer's)."""
    for c in body.walk_preorder():
        if c.kind in (CursorKind.BINARY_OPERATOR, CursorKind.COMPOUND_ASSIGNMENT_OPERATOR):
            kids, op = list(c.get_children()), binary_operator(c)
            if kids and _names(kids[0], var) and op.endswith("=") and op not in ("==", "!=", "<=", ">="):
                return True
        elif kind_name(c) == "UNARY_OPERATOR":
            kids = list(c.get_children())
            if kids and _names(kids[0], var) and unary_operator(c)[0] == "&":
                return True
    return False




def pointer_decl(c: Cursor | None) -> Cursor | None:
    """The global variable or struct field of function pointer type an expression names (`free_fn`,
    `alloc.gmalloc`, `mem->malloc`), or None (a local, a call result, ...)."""
    if c is None:
        return None
    c = _strip(c)
    ref = referenced(c) if c.kind in (CursorKind.DECL_REF_EXPR, CursorKind.MEMBER_REF_EXPR) else None
    if ref is None or not _is_function_pointer(ref.type):
        return None
    if kind_name(ref) == "FIELD_DECL":
        return ref
    parent = ref.semantic_parent
    if kind_name(ref) == "VAR_DECL" and (parent is None or parent.kind not in (
            CursorKind.FUNCTION_DECL, CursorKind.CXX_METHOD, CursorKind.CONSTRUCTOR, CursorKind.DESTRUCTOR)):
        return ref
    return None


def pointer_decl_of_variable(var: Cursor) -> Cursor | None:
    """The variable itself when it is a global function pointer."""
    return var if _is_function_pointer(var.type) else None


def assigned_function(value: Cursor) -> tuple[str, str]:
    """(USR, name) of the function a value names, ('', '') when it is something else (NULL is nothing: a call
    through it would crash, so calls reach the other values)."""
    if _is_null(value):
        return ("-", "")
    found = _function_ref(value)
    return (found.get_usr(), found.spelling) if found is not None else ("", "")


class FunctionPointers:
    """Per translation unit: the known targets of calls through function pointers."""

    def __init__(self, tu_cursor: Cursor):
        self._tu = tu_cursor
        self._fields: dict[str, set[str]] | None = None  # field USR -> USRs of the functions tables put in it
        self._functions: dict[str, Cursor] = {}
        self._locals: dict[tuple, Cursor | None] = {}
        self.assigned: set[tuple[str, str, str]] = set()  # (pointer USR, function USR or '', name): the module's
        self._null_fields: set[str] = set()  # fields some static table leaves NULL
        self._record_fields_of: dict[Cursor, list[Cursor]] = {}

    def note(self, pointer: Cursor, value: Cursor) -> None:
        """`pointer = value` (an assignment or an initializer) of a global or field function pointer."""
        usr, name = assigned_function(value)
        self.assigned.add((pointer.get_usr(), usr, name))  # NULL ('-') too: a call through it is then guarded

    def module_targets(self) -> tuple[tuple[str, str, str], ...]:
        """Every assignment the TU shows, the static tables' included."""
        for field_usr, usrs in self._field_targets().items():
            for usr in usrs:
                fn = self._functions.get(usr)
                self.assigned.add((field_usr, usr, fn.spelling if fn is not None else ""))
        self.assigned.update((field_usr, "-", "") for field_usr in self._null_fields)
        return tuple(sorted(self.assigned))

    def target(self, ref: Cursor, function: Cursor) -> Cursor | None:
        """The function a call through `ref` (a variable or field of function pointer type) always reaches."""
        if not _is_function_pointer(ref.type):
            return None
        if kind_name(ref) == "FIELD_DECL":
            usrs = self._field_targets().get(ref.get_usr(), set())
            return self._functions[next(iter(usrs))] if len(usrs) == 1 else None
        if kind_name(ref) != "VAR_DECL":
            return None
        parent = ref.semantic_parent
        if parent is not None and parent.kind in (CursorKind.FUNCTION_DECL, CursorKind.CXX_METHOD):
            key = (ref.hash, function.hash)
            if key not in self._locals:
                found = _function_ref(_initializer(ref))
                self._locals[key] = None if found is None or _written_in(function, ref) else found
            return self._locals[key]
        return _function_ref(_initializer(ref)) if ref.type.is_const_qualified() else None

    def _field_targets(self) -> dict[str, set[str]]:
        if self._fields is None:
            self._fields = {}
            for c in children(self._tu):
                if kind_name(c) == "VAR_DECL" and (init := _initializer(c)) is not None and \
                        kind_name(init) == "INIT_LIST_EXPR":
                    self._table(init)
                    forget_children(c)  # the table's cursors are not read again
        return self._fields

    def _record_fields(self, t) -> list[Cursor]:
        """The fields of a struct type, read once per declaration and TU (a table has an entry per element)."""
        decl = canonical(t).get_declaration()
        if decl is None:
            return []
        fields = self._record_fields_of.get(decl)
        if fields is None:
            fields = self._record_fields_of[decl] = [k for k in children(decl) if kind_name(k) == "FIELD_DECL"]
        return fields

    def _table(self, init: Cursor) -> None:
        """Record the functions an initializer list puts into fields: nested lists (arrays of structs, structs in
        structs), positional or designated (`.close = close_a`)."""
        assert self._fields is not None
        fields = self._record_fields(init.type) if canonical(init.type).kind == TypeKind.RECORD else []
        for i, k in enumerate(c for c in children(init) if is_expression(c)):
            if kind_name(k) == "INIT_LIST_EXPR":
                self._table(k)
                continue
            field, value = (fields[i] if i < len(fields) else None), k
            kids = children(k)
            if kind_name(k) == "UNEXPOSED_EXPR" and len(kids) == 2 and kind_name(kids[0]) == "MEMBER_REF":
                field, value = referenced(kids[0]), kids[1]  # `.close = close_a`
                if kind_name(value) == "INIT_LIST_EXPR":
                    self._table(value)
                    continue
            if field is None or not _is_function_pointer(field.type):
                continue
            if _is_null(value):
                self._null_fields.add(field.get_usr())  # for the whole program: `if (t->dup) t->dup(..)` is guarded
                continue  # a call through it would crash: calls reach the other entries' functions
            found = _function_ref(value)
            usr = found.get_usr() if found is not None else ""  # an unknown expression: not one target
            if found is not None:
                self._functions[usr] = found
            self._fields.setdefault(field.get_usr(), set()).add(usr)
