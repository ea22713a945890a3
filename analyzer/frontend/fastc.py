"""Cheap reads of what the lowering asks libclang for most: kinds, children, locations, USRs.

cindex wraps every call in Python (an enumeration object per `kind`, a File object and four out-parameters per
location, three C calls and four Python frames per string), and a cursor asked twice for its children visits them
twice. The lowering reads each cursor several times over (a statement's handler, `_strip`, the condition and the
expression lowerers), so here: kind names and kind classes come from tables indexed by the kind id; children are
visited once per cursor object and kept on it (a function's cursors live as long as its lowering, see
`forget_children`); a location is one C call with reused out-parameters; a USR is read once per cursor object.
Every value is what cindex returns for the same question.

The out-parameters are shared: one lowering at a time per process (workers and cluster tasks are single-threaded).
"""
from __future__ import annotations

import ctypes
from typing import Any

from clang.cindex import Cursor, CursorKind, SourceLocation, Type, _CXString, callbacks, conf

_MISSING: Any = object()  # not read yet (a cached value may be None)
_KIND_NAMES: dict[int, str] = {k.value: k.name for k in CursorKind.get_all_kinds()}


def _kind_ids(test: str) -> frozenset[int]:
    return frozenset(k.value for k in CursorKind.get_all_kinds() if getattr(k, test)())


EXPRESSION_IDS = _kind_ids("is_expression")
STATEMENT_IDS = _kind_ids("is_statement")
DECLARATION_IDS = _kind_ids("is_declaration")


def kind_name(c: Cursor) -> str:
    """`c.kind.name`."""
    return _KIND_NAMES[c._kind_id]


def is_expression(c: Cursor) -> bool:
    """`c.kind.is_expression()`."""
    return c._kind_id in EXPRESSION_IDS


@callbacks["cursor_visit"]
def _visit(child: Cursor, _parent: Cursor, sink: list) -> int:
    child._tu = sink[0]  # keeps the TU alive as long as the cursor, as cindex does
    sink.append(child)
    return 1  # CXChildVisit_Continue


def children(cursor: Cursor) -> list[Cursor]:
    """The cursor's children, visited once per cursor object (the list is shared: never modify it). cindex's
    get_children without its per-child null-cursor assertion (clang never visits a null cursor)."""
    cached = getattr(cursor, "_kids", _MISSING)
    if cached is not _MISSING:
        return cached
    sink: list = [cursor._tu]
    conf.lib.clang_visitChildren(cursor, _visit, sink)
    del sink[0]
    cursor._kids = sink
    return sink


def expression_children(cursor: Cursor) -> list[Cursor]:
    """The children that are expressions (shared list, as `children`)."""
    cached = getattr(cursor, "_expr_kids", _MISSING)
    if cached is not _MISSING:
        return cached
    kids = cursor._expr_kids = [k for k in children(cursor) if k._kind_id in EXPRESSION_IDS]
    return kids


def forget_children(cursor: Cursor) -> None:
    """Drop the children kept on a cursor (the root of a lowered function): its subtree can be freed."""
    for name in ("_kids", "_expr_kids"):
        cursor.__dict__.pop(name, None)


class _String(ctypes.Structure):
    """A CXString taken as plain data: read and disposed here, without cindex's per-string Python layers."""
    _fields_ = [("data", ctypes.c_void_p), ("flags", ctypes.c_uint)]


class _Lib:
    """Private prototypes of the few libclang functions read here (cindex keeps its own, unchanged)."""

    def __init__(self) -> None:
        lib = conf.lib
        self.instantiation = lib["clang_getInstantiationLocation"]
        self.instantiation.argtypes = [SourceLocation, ctypes.POINTER(ctypes.c_void_p),
                                       ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_uint),
                                       ctypes.POINTER(ctypes.c_uint)]
        self.instantiation.restype = None
        self.file_name = lib["clang_getFileName"]
        self.file_name.argtypes = [ctypes.c_void_p]
        self.file_name.restype = _CXString
        self.get_cstring = lib.clang_getCString
        # cindex checks each cursor result against the null cursor in Python (two more C calls) and looks for the
        # TU among the arguments: here one C call, and the TU taken from the cursor asked
        self.referenced = lib["clang_getCursorReferenced"]
        self.referenced.argtypes = [Cursor]
        self.referenced.restype = Cursor
        self.argument = lib["clang_Cursor_getArgument"]
        self.argument.argtypes = [Cursor, ctypes.c_uint]
        self.argument.restype = Cursor
        self.num_arguments = lib.clang_Cursor_getNumArguments
        self.is_null = lib["clang_Cursor_isNull"]
        self.is_null.argtypes = [Cursor]
        self.is_null.restype = ctypes.c_int
        self.cursor_usr = lib["clang_getCursorUSR"]
        self.cursor_spelling = lib["clang_getCursorSpelling"]
        for fn in (self.cursor_usr, self.cursor_spelling):
            fn.argtypes = [Cursor]
            fn.restype = _String
        self.type_spelling = lib["clang_getTypeSpelling"]
        self.type_spelling.argtypes = [Type]
        self.type_spelling.restype = _String
        self.string_bytes = lib["clang_getCString"]
        self.string_bytes.argtypes = [_String]
        self.string_bytes.restype = ctypes.c_char_p
        self.dispose_string = lib["clang_disposeString"]
        self.dispose_string.argtypes = [_String]
        self.dispose_string.restype = None
        self.definition = lib["clang_getCursorDefinition"]
        self.definition.argtypes = [Cursor]
        self.definition.restype = Cursor
        self.canonical = lib["clang_getCanonicalType"]
        self.canonical.argtypes = [Type]
        self.canonical.restype = Type
        self.file = ctypes.c_void_p()
        self.line = ctypes.c_uint()
        self.column = ctypes.c_uint()
        self.offset = ctypes.c_uint()
        self.out = (ctypes.byref(self.file), ctypes.byref(self.line), ctypes.byref(self.column),
                    ctypes.byref(self.offset))


_LIB: _Lib | None = None

# libclang's file handle -> the file's name, for the TU being lowered (handles belong to one TU: the ModuleLowerer
# empties this for each)
FILE_NAMES: dict[int, str] = {}


def location(loc: SourceLocation) -> tuple[str, int, int, int]:
    """(file name or '', line, column, offset) of a location's expansion point, as cindex's loc.file.name,
    loc.line, loc.column and loc.offset; kept on the location object."""
    cached = getattr(loc, "_parts", _MISSING)
    if cached is not _MISSING:
        return cached
    global _LIB
    lib = _LIB or _make_lib()
    lib.instantiation(loc, *lib.out)
    handle = lib.file.value
    if handle:
        name = FILE_NAMES.get(handle)
        if name is None:
            name = FILE_NAMES[handle] = lib.get_cstring(lib.file_name(handle))
    else:
        name = ""
    parts = loc._parts = (name, lib.line.value, lib.column.value, lib.offset.value)
    return parts


def _make_lib() -> _Lib:
    global _LIB
    _LIB = _Lib()
    return _LIB


def file_of(loc: SourceLocation) -> str:
    """`location(loc)[0]` without the line and column (libclang then skips finding the line)."""
    cached = getattr(loc, "_parts", _MISSING)
    if cached is not _MISSING:
        return cached[0]
    lib = _LIB or _make_lib()
    lib.instantiation(loc, lib.out[0], None, None, None)
    handle = lib.file.value
    if not handle:
        return ""
    name = FILE_NAMES.get(handle)
    if name is None:
        name = FILE_NAMES[handle] = lib.get_cstring(lib.file_name(handle))
    return name


def has_definition(c: Cursor) -> bool:
    """`c.get_definition() is not None`."""
    lib = _LIB or _make_lib()
    return not lib.is_null(lib.definition(c))


def _text(lib: _Lib, raw: _String) -> Any:
    """The string's text as cindex gives it (None for a null string), the string disposed."""
    data = lib.string_bytes(raw)
    lib.dispose_string(raw)
    return None if data is None else data.decode("utf8")


def _cursor_text(c: Cursor, attr: str, reader: str) -> str:
    """A string property of the cursor, read through `lib.<reader>` once and kept in `c.<attr>`."""
    cached = getattr(c, attr, _MISSING)
    if cached is not _MISSING:
        return cached
    lib = _LIB or _make_lib()
    value = _text(lib, getattr(lib, reader)(c))
    setattr(c, attr, value)
    return value


def usr_of(c: Cursor) -> str:
    """`c.get_usr()`, asked once per cursor object."""
    return _cursor_text(c, "_usr", "cursor_usr")


def spelling(c: Cursor) -> str:
    """`c.spelling`, sharing cindex's cache on the cursor."""
    return _cursor_text(c, "_spelling", "cursor_spelling")


def type_spelling(t: Type) -> str:
    """`t.spelling`."""
    lib = _LIB or _make_lib()
    return _text(lib, lib.type_spelling(t))


def _cursor_result(res: Cursor, tu: object) -> Cursor | None:
    lib = _LIB or _make_lib()
    if lib.is_null(res):
        return None
    res._tu = tu
    return res


def referenced(c: Cursor) -> Cursor | None:
    """`c.referenced`, sharing cindex's cache on the cursor."""
    cached = getattr(c, "_referenced", _MISSING)
    if cached is not _MISSING:
        return cached
    lib = _LIB or _make_lib()
    ref = c._referenced = _cursor_result(lib.referenced(c), c._tu)
    return ref


def arguments(c: Cursor) -> list[Cursor | None]:
    """`list(c.get_arguments())`, read once per cursor object (shared list: never modify it)."""
    cached = getattr(c, "_arguments", _MISSING)
    if cached is not _MISSING:
        return cached
    lib = _LIB or _make_lib()
    tu = c._tu
    args = c._arguments = [_cursor_result(lib.argument(c, i), tu) for i in range(lib.num_arguments(c))]
    return args


def canonical(t: Type) -> Type:
    """`t.get_canonical()`, kept on the type object."""
    cached = getattr(t, "_canonical", _MISSING)
    if cached is not _MISSING:
        return cached
    lib = _LIB or _make_lib()
    canon = lib.canonical(t)
    canon._tu = t._tu
    t._canonical = canon
    return canon
