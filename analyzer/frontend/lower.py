"""Lower libclang cursors into ir.Module: one CFG of ownership events per function body."""
from __future__ import annotations

import logging
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clang.cindex import Cursor, CursorKind, TranslationUnit, Type, TypeKind

from analyzer import ir

from .context import LoweringContext
from .cursors import (
    ADOPTING_METHODS,
    COMPARISONS,
    FUNCTION_KINDS,
    KNOWN_NORETURN,
    NEGATE,
    OWNING_POINTERS,
    SCOPE_KINDS,
    SWAP,
    TRANSPARENT_EXPRS,
    _children,
    _end_loc,
    _gcc_dealloc_attributes,
    _is_integer,
    _is_pointer,
    _loc,
    _pointee_const,
    _pointer_depth,
    _strip,
    addressed_variables,
    attribute_text,
    binary_operator,
    descendants,
    extent_parts,
    file_name,
    opcodes,
    overridden_usrs,
    qualified_name,
    unary_operator,
)
from .fastc import (
    FILE_NAMES,
    canonical,
    expression_children,
    file_of,
    forget_children,
    has_definition,
    is_expression,
    kind_name,
    location,
    spelling,
    type_spelling,
    usr_of,
)
from .fnptr import FunctionPointers, pointer_decl_of_variable
from .lower_cond import CondLowerer
from .lower_expr import ExprLowerer
from .lower_stmt import StmtLowerer
from .parsed import SYSTEM_PREFIXES, default_is_project

# the cursor helpers stay importable from here, as before the split into cursors / lower_stmt / lower_cond / lower_expr
__all__ = ["ADOPTING_METHODS", "COMPARISONS", "FUNCTION_KINDS", "KNOWN_NORETURN", "NEGATE", "OWNING_POINTERS",
           "SCOPE_KINDS", "SWAP", "SYSTEM_PREFIXES", "TRANSPARENT_EXPRS", "CondLowerer", "ExprLowerer",
           "FunctionLowerer", "ModuleLowerer", "StmtLowerer", "binary_operator", "default_is_project", "opcodes",
           "qualified_name", "unary_operator"]

log = logging.getLogger(__name__)

# Statements, conditions and expressions nested in one another, counted as the lowering recurses. Far beyond what
# people write (clang stops at 256 nested brackets) but reachable by generated code (a 10,000-branch `else if`
# chain); past it the function is left out with a diagnostic. deepstack.RECURSION_LIMIT leaves room for this many.
MAX_NESTING = 25_000


class NestingTooDeep(Exception):
    pass


class _NestingGuard(LoweringContext):
    """Counts the recursion of stmt / cond / expr, so that it stops cleanly at MAX_NESTING: Python's own
    RecursionError could strike inside a libclang callback, where it is printed and the visit cut short."""

    nesting = 0

    def _deeper(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise NestingTooDeep

    def stmt(self, c: Cursor) -> None:
        self._deeper()
        try:
            super().stmt(c)
        finally:
            self.nesting -= 1

    def expr(self, c: Cursor, discarded: bool = False) -> ir.Operand:
        self._deeper()
        try:
            return super().expr(c, discarded)
        finally:
            self.nesting -= 1

    def cond(self, c: Cursor, t: int, f: int) -> None:
        self._deeper()
        try:
            super().cond(c, t, f)
        finally:
            self.nesting -= 1


class FunctionLowerer(_NestingGuard, StmtLowerer, CondLowerer, ExprLowerer):
    """Statements to blocks, expressions to events; unknown kinds become Unknown, counted."""

    # ---- entry -----------------------------------------------------------------------------
    def lower(self) -> ir.Function:
        params: list[ir.Param] = []
        body = None
        for child in _children(self.cursor):
            if kind_name(child) == "PARM_DECL":
                name = spelling(child) or f"$arg{len(params)}"
                self.locals[child] = name
                canonical = child.type.get_canonical()
                params.append(ir.Param(name, type_spelling(child.type), _is_pointer(child.type),
                                       _pointee_const(child.type), _pointer_depth(child.type),
                                       canonical.kind in (TypeKind.LVALUEREFERENCE, TypeKind.RVALUEREFERENCE),
                                       canonical.kind == TypeKind.POINTER and _is_integer(canonical.get_pointee())))
            elif kind_name(child) == "COMPOUND_STMT":
                body = child
            elif kind_name(child) == "MEMBER_REF" and self.kind == "constructor":
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
            if events and isinstance(events[-1], ir.Return):
                self.fn.edge(bid, self.exit)
        rtype = type_spelling(self.cursor.result_type) if self.kind not in ("constructor", "destructor") else "void"
        end_line = extent_parts(body if body is not None else self.cursor)[1][1]
        parent = self.cursor.semantic_parent
        class_name = qualified_name(parent) if parent is not None and kind_name(parent) in (
            "CLASS_DECL", "STRUCT_DECL", "CLASS_TEMPLATE", "UNION_DECL") else ""
        return ir.Function(
            usr=usr_of(self.cursor) or self.qualname, name=spelling(self.cursor), qualname=self.qualname,
            loc=_loc(self.cursor), end_line=end_line, params=tuple(params), blocks=self.fn.freeze(),
            entry=self.entry, exit=self.exit, return_type=rtype, kind=self.kind, class_name=class_name,
            locals=tuple(self.local_names), opaque=self.opaque, record_locals=tuple(self.record_locals),
            overrides=overridden_usrs(self.cursor))

    def lower_ctor_inits(self) -> None:
        kids = _children(self.cursor)
        for i, child in enumerate(kids):
            if kind_name(child) == "MEMBER_REF" and i + 1 < len(kids):
                value = kids[i + 1]
                if is_expression(value):
                    src = self.expr(value)
                    self.emit(ir.Assign(_loc(child), ir.Field(None, child.spelling), src))


# Declarations from project headers repeat in every TU that includes them; a worker process lowers many TUs, so
# their FuncDecl is built once per process (keyed by the file's identity: an edited header is read again).
_DECL_CACHE: dict[tuple, ir.FuncDecl] = {}


@dataclass
class _Lowered:
    """What lowering one header function produced: it, the lambdas inside it, the diagnostics about it."""
    functions: list[ir.Function] = field(default_factory=list)
    diagnostics: list[ir.TUDiagnostic] = field(default_factory=list)


# Functions defined in headers, already lowered by this worker process for an earlier TU, keyed by (USR, file, file
# signature). A TU leaves them out (the pipeline keeps one copy per USR anyway), or, when it must be self-contained
# (cached, or lowered on a cluster), takes them from here instead of lowering them again. Only in worker processes,
# which live for one scan (an in-process caller may scan the same tree twice).
_LOWERED_IN_THIS_WORKER: dict[tuple, _Lowered] = {}


_GENERIC_POINTEES = frozenset({TypeKind.VOID, TypeKind.CHAR_S, TypeKind.CHAR_U, TypeKind.SCHAR, TypeKind.UCHAR})


def _pointer_alias(t: Type) -> str:
    """'sds' for a type spelled with a typedef that hides a char/void pointer (`typedef char *sds;`), 'sds *' for a
    pointer to one, else ''."""
    if t.kind == TypeKind.ELABORATED:
        t = t.get_named_type()
    if t.kind == TypeKind.POINTER:  # `sds *` (an array of sds or an out-parameter)
        inner = _pointer_alias(t.get_pointee())
        return f"{inner} *" if inner else ""
    if t.kind != TypeKind.TYPEDEF:
        return ""
    canon = canonical(t)
    if canon.kind != TypeKind.POINTER or canon.get_pointee().kind not in _GENERIC_POINTEES:
        return ""
    return str(t.get_typedef_name() or "")


def _in_worker() -> bool:
    return multiprocessing.parent_process() is not None


class ModuleLowerer:
    """Walks one TU: function bodies in project files become ir.Function, declarations ir.FuncDecl."""

    def __init__(self, tu: TranslationUnit, is_project: Callable[[str], bool],
                 parse_errors: Iterable[tuple[str, int]] = (), shipped: Mapping[str, bytes] | None = None,
                 self_contained: bool = False):
        self.tu = tu
        FILE_NAMES.clear()  # file handles of an earlier TU
        # contents of files that are not on this machine (a cluster worker): read from here, not from disk
        self.shipped = shipped or {}
        # lower header functions even when this worker process lowered them for an earlier TU
        self.self_contained = self_contained
        self.is_project = is_project
        # (file, line) of syntax errors: clang's recovery may cut a body short there (a `free` lost after it)
        self.parse_errors: dict[str, list[int]] = {}
        for file, line in parse_errors:
            self.parse_errors.setdefault(file, []).append(line)
        self.functions: list[ir.Function] = []
        self.decls: dict[str, ir.FuncDecl] = {}
        self.classes: list[ir.ClassDecl] = []
        self._unhandled: dict[str, int] = {}
        self._noreturn: dict[str, bool] = {}
        self._seen: set[str] = set()
        self._lambda_count = 0
        self._pending_lambdas: list[tuple[Cursor, str, _Lowered | None]] = []
        self._recording: _Lowered | None = None  # the header function being lowered, kept for later TUs
        self._records: dict[tuple, _Lowered] = {}  # header functions lowered here, for the worker's later TUs
        self._project_files: dict[str, bool] = {}
        self._source_lines: dict[str, list[bytes]] = {}
        self._deletes_this: dict[str, bool] = {}
        self._signatures: dict[str, tuple[int, int]] = {}
        self._sources: dict[str, bytes] = {}
        self.globals: dict[str, ir.GlobalVar] = {}
        self.addressed: set[str] = set()
        self.diagnostics: list[ir.TUDiagnostic] = []  # functions left out (nested too deeply)
        self.root = tu.cursor  # one cursor object: its children are visited once, by the walk and the tables
        self.function_pointers = FunctionPointers(self.root)
        self.call_targets: dict[Cursor, Any] = {}  # declaration cursor -> what lower_expr reads of it

    def unhandled(self, kind: str) -> None:
        if kind not in self._unhandled:
            log.debug("cursor kind %s is not handled", kind)
        self._unhandled[kind] = self._unhandled.get(kind, 0) + 1

    def text(self, c: Cursor) -> str:
        """Source text of an expression as written, runs of whitespace collapsed. Sliced from the file by the
        extent (no tokenizing); an expression inside a macro expansion reads as the invocation."""
        (start_file, _, _, start), (end_file, _, _, end) = extent_parts(c)
        if not start_file or start_file != end_file or start >= end:
            return self.expansion_text(c)
        data = self.source_bytes(start_file)
        text = " ".join(data[start:end].decode("utf-8", errors="replace").split())
        if not text:
            return self.expansion_text(c)
        return text if len(text) <= 80 else text[:77] + "..."

    def source_bytes(self, path: str) -> bytes:
        data = self._sources.get(path)
        if data is None and path in self.shipped:
            data = self._sources[path] = self.shipped[path]
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
        path, line, column, _ = extent_parts(c)[0]
        if not path:
            return ""
        if path not in self._source_lines:
            # bytes split at '\n' only: clang's columns count bytes, and its lines end at '\n' (not at a form feed)
            self._source_lines[path] = self.source_bytes(path).split(b"\n")
        lines = self._source_lines[path]
        if not 0 < line <= len(lines):
            return ""
        rest = lines[line - 1][max(column - 1, 0):].decode("utf-8", errors="replace").rstrip("\r")
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
        usr = usr_of(ref)
        if usr not in self._deletes_this:
            found = False
            defn = ref.get_definition()
            if defn is not None:
                for d in descendants(defn):
                    if kind_name(d) == "CXX_DELETE_EXPR":
                        kids = expression_children(d)
                        if kids and _strip(kids[0]).kind == CursorKind.CXX_THIS_EXPR:
                            found = True
                            break
            self._deletes_this[usr] = found
        return self._deletes_this[usr]

    def declared_noreturn(self, ref: Cursor) -> bool:
        usr = usr_of(ref)
        if usr not in self._noreturn:
            # [[noreturn]], [[gnu::noreturn]], C11 _Noreturn (GNU __attribute__((noreturn)) is in the type)
            self._noreturn[usr] = any(kind_name(k) == "UNEXPOSED_ATTR" and "noreturn" in attribute_text(k).lower()
                                      for k in _children(ref))
        return self._noreturn[usr]

    def note_decl(self, ref: Cursor) -> None:
        usr = usr_of(ref)
        if not usr or usr in self.decls:
            return
        file, line, column, _ = location(ref.location)
        key = (usr, file, self._file_signature(file), line, column, has_definition(ref))
        decl = _DECL_CACHE.get(key)
        if decl is None:
            decl = _DECL_CACHE[key] = self.func_decl(ref)
        self.decls[usr] = decl

    def _file_signature(self, path: str) -> tuple[int, int]:
        sig = self._signatures.get(path)
        if sig is None and path in self.shipped:  # no file here: its contents tell an edited header apart
            sig = self._signatures[path] = (hash(self.shipped[path]), -1)
        if sig is None:
            try:
                st = os.stat(path)
                sig = (st.st_mtime_ns, st.st_size)
            except OSError:
                sig = (0, 0)
            self._signatures[path] = sig
        return sig

    def func_decl(self, c: Cursor) -> ir.FuncDecl:
        file = file_name(c.location)
        params_: list[str] = []
        attrs = []
        aliases = [_pointer_alias(c.result_type)]
        for k in _children(c):
            kind = k.kind
            if kind == CursorKind.PARM_DECL:
                params_.append(type_spelling(canonical(k.type)))
                aliases.append(_pointer_alias(k.type))
            elif kind.name.endswith("_ATTR"):
                text = attribute_text(k)
                attrs.append(text or kind.name.lower())
        params = tuple(params_)
        if not c.is_definition():
            attrs.extend(a for a in _gcc_dealloc_attributes(c) if a not in attrs)
        rtype = type_spelling(canonical(c.result_type)) if kind_name(c) not in ("CONSTRUCTOR", "DESTRUCTOR") else "void"
        defn = c.get_definition()
        return ir.FuncDecl(usr_of(c), spelling(c), qualified_name(c), rtype, params,
                           ir.Loc(file, c.location.line, c.location.column), has_body=defn is not None,
                           in_project=bool(file) and self.is_project(file),
                           noreturn="noreturn" in type_spelling(c.type), attributes=tuple(attrs),
                           aliases=tuple(aliases) if any(aliases) else ())

    def lower(self) -> ir.Module:
        self._walk(self.root)
        while self._pending_lambdas:
            cursor, qual, record = self._pending_lambdas.pop(0)
            self._recorded(record, cursor, qual, "lambda")
        _LOWERED_IN_THIS_WORKER.update(self._records)  # only whole TUs: a TU that failed half-way left none
        return ir.Module(self.tu.spelling, tuple(self.functions), tuple(self.decls.values()), tuple(self.classes),
                         tuple(self.diagnostics), globals=tuple(self.globals.values()),
                         addressed=tuple(sorted(self.addressed)),
                         pointer_targets=self.function_pointers.module_targets())

    def _in_project(self, file: str) -> bool:
        known = self._project_files.get(file)
        if known is None:
            known = self._project_files[file] = self.is_project(file)
        return known

    def _walk(self, parent: Cursor) -> None:
        for c in _children(parent):
            kind = kind_name(c)
            if kind == "VAR_DECL":
                self._variable(c)
                continue
            if kind not in FUNCTION_KINDS and kind not in SCOPE_KINDS:
                continue  # typedefs, enums...: nothing to lower, and their location is costly
            file = file_of(c.location)
            if kind in FUNCTION_KINDS:
                if file and self._in_project(file):
                    self.note_decl(c)
                if file and self._in_project(file) and c.is_definition():
                    usr = usr_of(c)
                    if usr in self._seen:
                        continue
                    self._seen.add(usr)
                    record = None
                    if file != self.tu.spelling and _in_worker():
                        key = (usr, file, self._file_signature(file))
                        done = _LOWERED_IN_THIS_WORKER.get(key)
                        if done is not None:  # a header function this worker lowered for an earlier TU of the run
                            if self.self_contained:
                                self.functions.extend(done.functions)
                                self.diagnostics.extend(done.diagnostics)
                            continue
                        record = self._records[key] = _Lowered()
                    fkind = {"CXX_METHOD": "method", "CONSTRUCTOR": "constructor", "DESTRUCTOR": "destructor",
                             "CONVERSION_FUNCTION": "method"}.get(kind, "function")
                    self._recorded(record, c, qualified_name(c), fkind)
            elif kind in SCOPE_KINDS:
                if kind in ("CLASS_DECL", "STRUCT_DECL", "CLASS_TEMPLATE") and file and self._in_project(file) \
                        and c.is_definition():
                    self._class(c)
                if file and not self._in_project(file):
                    continue  # a namespace or extern "C" block opened in a system header holds no project code
                self._walk(c)

    def _variable(self, c: Cursor) -> None:
        """A variable with static storage defined in a project file: its constant value, the addresses its
        initializer takes (`{"debug", &debug_level}` lets code elsewhere write debug_level)."""
        file = file_name(c.location)
        if not file or not self._in_project(file):
            return
        init = next((k for k in _children(c) if is_expression(k)), None)
        if init is not None:
            self.addressed.update(addressed_variables(init))
            if (pointer := pointer_decl_of_variable(c)) is not None:
                self.function_pointers.note(pointer, init)  # `void (*free_fn)(void *) = free;`
        if c.is_definition():
            self.note_global(c, init)
        forget_children(c)  # a table's initializer can be large: not kept for the rest of the TU

    def note_global(self, c: Cursor, init: Cursor | None) -> None:
        """Record a static-storage integer variable and its initial value (zero when it has no initializer)."""
        if not _is_integer(c.type):
            return
        value = opcodes().integer(init) if init is not None else 0
        value = value if isinstance(value, int) and not isinstance(value, bool) else None
        usr = c.get_usr()
        if usr and usr not in self.globals:
            self.globals[usr] = ir.GlobalVar(usr, qualified_name(c), value, c.type.is_const_qualified(), _loc(c))

    def _class(self, c: Cursor) -> None:
        fields = tuple(ir.FieldDecl(spelling(f), type_spelling(f.type), _is_pointer(f.type))
                       for f in _children(c) if kind_name(f) == "FIELD_DECL")
        dtor = next((k.get_usr() for k in _children(c) if kind_name(k) == "DESTRUCTOR"), "")
        self.classes.append(ir.ClassDecl(usr_of(c), qualified_name(c), _loc(c), fields, dtor))

    def _recorded(self, record: _Lowered | None, c: Cursor, qualname: str, kind: str) -> None:
        """_function, and what it added kept in `record` (lambdas inside it are recorded there when lowered)."""
        functions, diagnostics = len(self.functions), len(self.diagnostics)
        outer, self._recording = self._recording, record
        try:
            self._function(c, qualname, kind)
        finally:
            self._recording = outer
            forget_children(c)  # the function's cursors are not read again: let them go
        if record is not None:
            record.functions.extend(self.functions[functions:])
            record.diagnostics.extend(self.diagnostics[diagnostics:])

    def _function(self, c: Cursor, qualname: str, kind: str) -> None:
        broken = self._parse_error_inside(c)
        if broken:
            loc = _loc(c)
            self.diagnostics.append(ir.TUDiagnostic(loc.file, loc.line, "warning", f"function {qualname} has a "
                                                    f"syntax error in its body (line {broken}): not analyzed"))
            return
        try:
            fn = FunctionLowerer(self, c, qualname, kind).lower()
        except (NestingTooDeep, RecursionError):
            loc = _loc(c)
            self.diagnostics.append(ir.TUDiagnostic(
                loc.file, loc.line, "warning",
                f"function {qualname} nests statements and expressions more than {MAX_NESTING} deep: not analyzed"))
            return
        self.functions.append(fn)

    def _parse_error_inside(self, c: Cursor) -> int:
        """The line of a syntax error inside the function's extent, or 0."""
        if not self.parse_errors:
            return 0
        (file, first, _, _), (_, last, _, _) = extent_parts(c)
        lines = self.parse_errors.get(file, ())
        return next((n for n in lines if first <= n <= last), 0)

    def lambda_body(self, c: Cursor, parent_qual: str) -> None:
        self._lambda_count += 1
        self._pending_lambdas.append((c, f"{parent_qual}::<lambda@{c.location.line}:{c.location.column}>",
                                      self._recording))


