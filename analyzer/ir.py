"""libclang-free intermediate representation: functions as CFGs of ownership-relevant events."""
from __future__ import annotations

import copyreg
import dataclasses
import json
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import codec


@dataclass(frozen=True, slots=True)
class Loc:
    file: str
    line: int
    col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


# ---- operands: the places and values events talk about -------------------------------------

@dataclass(frozen=True, slots=True)
class Var:
    """A local variable, parameter or lowering temporary (names starting with '$')."""
    name: str


@dataclass(frozen=True, slots=True)
class Field:
    """`base.name` / `base->name`; base None means `this`."""
    base: Operand | None
    name: str
    arrow: bool = False


@dataclass(frozen=True, slots=True)
class Global:
    """A variable with static storage: file-scope or `static` local. `usr` identifies it across TUs (a `static`
    one's includes its file), `name` is for display."""
    name: str
    usr: str = ""


@dataclass(frozen=True, slots=True)
class Deref:
    """`*base` (including a write through an out-parameter)."""
    base: Operand


@dataclass(frozen=True, slots=True)
class Index:
    """`base[i]` (array or container element)."""
    base: Operand


@dataclass(frozen=True, slots=True)
class AddrOf:
    """`&base`: passing it lets the callee write (or free) what base holds."""
    base: Operand


@dataclass(frozen=True, slots=True)
class Const:
    """A literal: kind is 'null', 'int' or 'str'; value is the integer when known."""
    kind: str
    value: int | None = None


@dataclass(frozen=True, slots=True)
class Arith:
    """`lhs OP rhs` on integers for the value domain (`i + 1`, `n - 2`): op is '+' or '-'; '&' only in a tested
    condition (`flags & MASK`, rhs the constant mask)."""
    op: str
    lhs: Operand
    rhs: Operand


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the lowering does not model (arithmetic on untracked values, ...)."""
    text: str = ""


Operand = Var | Field | Global | Deref | Index | AddrOf | Const | Arith | Unknown


def root_var(op: Operand | None) -> Var | None:
    """The local variable an lvalue is rooted in (`s.a.b` -> s, `*p` -> p), or None."""
    while op is not None:
        if isinstance(op, Var):
            return op
        if isinstance(op, (Field, Deref, Index, AddrOf)):
            op = op.base
            continue
        return None
    return None


def parts(op: Operand | None) -> Iterator[Operand]:
    """The operand and every operand inside it (`(*p)->a[i]` -> itself, `(*p)->a`, `*p`, `p`; both sides of an
    arithmetic expression)."""
    todo = [op]
    while todo:
        cur = todo.pop()
        if cur is None:
            continue
        yield cur
        if isinstance(cur, (Field, Deref, Index, AddrOf)):
            todo.append(cur.base)
        elif isinstance(cur, Arith):
            todo.extend((cur.lhs, cur.rhs))


# ---- events -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Call:
    """A call. `callee` is the qualified name ('malloc', 'ns::C::m', 'new', 'new[]', 'delete',
    'delete[]'); `result` is the temporary receiving the value, None when discarded.
    `arg_borrow[i]` is True when parameter i is a pointer/reference to const (or a value)."""
    loc: Loc
    callee: str
    args: tuple[Operand, ...] = ()
    result: Var | None = None
    callee_usr: str = ""
    receiver: Operand | None = None
    arg_borrow: tuple[bool, ...] = ()
    noreturn: bool = False
    is_ctor: bool = False
    discarded: bool = False
    callee_ref: str = ""  # a call through a global function pointer or a struct field: its USR (phase 2 resolves it)


@dataclass(frozen=True, slots=True)
class Assign:
    """`dst = src`: alias, overwrite, or store into a field/global/out-parameter/element."""
    loc: Loc
    dst: Operand
    src: Operand


@dataclass(frozen=True, slots=True)
class Assume:
    """On this edge `value OP constant` holds (from a branch condition)."""
    loc: Loc
    value: Operand
    op: str
    const: int


@dataclass(frozen=True, slots=True)
class Compare:
    """On this edge the pointers `lhs` and `rhs` are equal (`equal`) or different."""
    loc: Loc
    lhs: Operand
    rhs: Operand
    equal: bool


@dataclass(frozen=True, slots=True)
class Relation:
    """On this edge the integers `lhs OP rhs` (`i < n`): relations between unknowns, for the value domain."""
    loc: Loc
    lhs: Operand
    op: str
    rhs: Operand


@dataclass(frozen=True, slots=True)
class Branch:
    """This edge is taken when the condition `text` is `taken` (for path explanations)."""
    loc: Loc
    taken: bool
    text: str = ""


@dataclass(frozen=True, slots=True)
class Use:
    """The value of `value` is dereferenced (p->x, *p, p[i])."""
    loc: Loc
    value: Operand


@dataclass(frozen=True, slots=True)
class Return:
    loc: Loc
    value: Operand | None = None


@dataclass(frozen=True, slots=True)
class Kill:
    """Local variables go out of scope here (end of block, break, continue)."""
    loc: Loc
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Halt:
    """The path ends without returning: noreturn call, throw, abort."""
    loc: Loc
    reason: str


Event = Call | Assign | Assume | Compare | Relation | Branch | Use | Return | Kill | Halt


# ---- structure ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Block:
    id: int
    events: tuple[Event, ...] = ()
    succs: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str = ""
    is_pointer: bool = False
    pointee_const: bool = False
    pointer_depth: int = 0
    is_reference: bool = False
    pointee_integer: bool = False  # `int *fdp`: what it points to may be a handle (a descriptor)


@dataclass(frozen=True, slots=True)
class Function:
    usr: str
    name: str
    qualname: str
    loc: Loc
    end_line: int
    params: tuple[Param, ...]
    blocks: tuple[Block, ...]
    entry: int
    exit: int
    return_type: str = ""
    kind: str = "function"  # function | method | constructor | destructor | lambda
    class_name: str = ""  # qualified name of the owning class for methods
    locals: tuple[str, ...] = ()  # every local variable name (params excluded)
    opaque: int = 0  # statements/expressions the lowering did not model
    record_locals: tuple[str, ...] = ()  # locals that are structs held by value (no union, no destructor)
    overrides: tuple[str, ...] = ()  # USRs of the virtual methods this method overrides

    def block(self, bid: int) -> Block:
        return self.blocks[bid]


@dataclass(frozen=True, slots=True)
class FuncDecl:
    """A function declaration (with or without a body) seen in a TU; input to pair inference."""
    usr: str
    name: str
    qualname: str
    return_type: str
    param_types: tuple[str, ...]
    loc: Loc
    has_body: bool = False
    in_project: bool = False
    noreturn: bool = False
    attributes: tuple[str, ...] = ()  # e.g. 'ownership_returns(malloc)', 'malloc(dm_free, 1)'
    # the typedef names of the return and parameter types that hide a pointer to char/void ('sds', '' otherwise):
    # `sds sdsnew(const char *)` has ('sds', ''); empty when there is none
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldDecl:
    name: str
    type: str
    is_pointer: bool = False


@dataclass(frozen=True, slots=True)
class ClassDecl:
    usr: str
    qualname: str
    loc: Loc
    fields: tuple[FieldDecl, ...] = ()
    destructor_usr: str = ""


@dataclass(frozen=True, slots=True)
class GlobalVar:
    """A variable with static storage defined in a project file, with its integer initializer when constant."""
    usr: str
    name: str
    value: int | None = None
    const: bool = False  # const-qualified: its value cannot change
    loc: Loc | None = None


@dataclass(frozen=True, slots=True)
class TUDiagnostic:
    file: str
    line: int
    severity: str  # note | warning | error | fatal
    message: str


@dataclass(frozen=True, slots=True)
class Module:
    """Everything phase 1 extracts from one translation unit."""
    tu: str
    functions: tuple[Function, ...] = ()
    decls: tuple[FuncDecl, ...] = ()
    classes: tuple[ClassDecl, ...] = ()
    diagnostics: tuple[TUDiagnostic, ...] = ()
    degraded: bool = False
    failed: bool = False
    parse_seconds: float = 0.0
    globals: tuple[GlobalVar, ...] = ()
    addressed: tuple[str, ...] = ()  # USRs of globals whose address a global initializer takes
    # what function pointers (global variables, struct fields) are set to: (pointer USR, function USR or '' for
    # something else, function name), from initializers and assignments
    pointer_targets: tuple[tuple[str, str, str], ...] = ()


def read_operands(e: Event) -> Iterator[Operand]:
    """The operands whose values an event reads: an assignment's source and what its destination is reached
    through (`c->name = v` reads c, not c->name; `*out = v` reads out, not *out), a call's arguments and receiver,
    the value used, tested or returned, both sides of a comparison."""
    if isinstance(e, Assign):
        yield e.src
        if isinstance(e.dst, (Field, Deref, Index, AddrOf)) and e.dst.base is not None:
            yield e.dst.base
    elif isinstance(e, Call):
        yield from e.args
        if e.receiver is not None:
            yield e.receiver
    elif isinstance(e, (Use, Assume)):
        yield e.value
    elif isinstance(e, Return):
        if e.value is not None:
            yield e.value
    elif isinstance(e, (Compare, Relation)):
        yield e.lhs
        yield e.rhs


# ---- JSON round trip -------------------------------------------------------------------------

_TYPES: dict[str, type] = {cls.__name__: cls for cls in (
    Loc, Var, Field, Global, Deref, Index, AddrOf, Const, Arith, Unknown, Call, Assign, Assume, Compare, Relation,
    Branch, Use,
    Return, Kill, Halt, Block, Param, Function, FuncDecl, FieldDecl, ClassDecl, GlobalVar, TUDiagnostic, Module)}


def dumps(module: Module) -> str:
    return json.dumps(codec.to_plain(module, tagged=True), separators=(",", ":"))


def loads(text: str) -> Module:
    module = codec.from_plain(Module, json.loads(text), _TYPES)
    assert isinstance(module, Module)
    return module


__all__ = [*_TYPES, "Event", "Operand", "dumps", "loads", "parts", "read_operands", "root_var"]


# ---- pickling (worker results, the cache) ------------------------------------------------------------------------
# A slots dataclass pickles through dataclasses' own __getstate__/__setstate__, which call fields() for every object:
# that made sending a TU's IR from a worker cost a fifth of lowering it. Each IR object pickles instead as its class
# and its field values, and is rebuilt by calling the class (every field is an __init__ parameter, in order).

def _reducer(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = [f.name for f in dataclasses.fields(cls)]
    if len(names) == 1:
        name = names[0]
        return lambda obj: (cls, (getattr(obj, name),))
    values = operator.attrgetter(*names)
    return lambda obj: (cls, values(obj))


for _cls in _TYPES.values():
    copyreg.pickle(_cls, _reducer(_cls))
