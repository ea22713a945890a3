"""Function summaries and the resolver that turns a call into ownership effects (rules + summaries)."""
from __future__ import annotations

import os
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from analyzer import ir
from analyzer.rules import RuleSet

# the number of the close system call by machine (the headers libclang parses are the host's)
SYS_CLOSE = {"x86_64": 3, "aarch64": 57, "riscv64": 57, "i386": 6, "i686": 6, "armv7l": 6, "ppc64le": 6, "s390x": 6}

# borrowers whose result is their first argument (`return memcpy(m, s, n);` hands m to the caller)
RETURNS_DESTINATION = frozenset({
    "memcpy", "memmove", "memset", "strcpy", "strncpy", "strcat", "strncat", "wcscpy", "wcsncpy", "wcscat",
    "wcsncat", "wmemcpy", "wmemmove", "wmemset"})


@dataclass(frozen=True, slots=True)
class FunctionSummary:
    """What a function does to ownership, as its callers see it. Plain data: cacheable, shippable."""
    usr: str
    qualname: str
    returns_owned: str = ""  # resource kind of an owned return value ('' = none)
    returns_acquirer: str = ""  # underlying acquirer (e.g. 'calloc' inside dm_pack_create)
    releases_args: tuple[tuple[int, str], ...] = ()  # (arg index, kind) released on all paths
    acquires_out: tuple[tuple[int, str], ...] = ()  # (arg index, kind) written through an out-parameter
    stores_args: tuple[int, ...] = ()  # args whose ownership moves into a field/global (sinks)
    borrows_args: tuple[int, ...] = ()  # pointer args the function only borrows
    declared_params: int = -1  # how many parameters it declares (arguments past them are variadic), -1: unknown
    noreturn: bool = False
    returns_arg: int = -1  # the return value is argument k itself (`sds sdstrim(sds s, ...)`), -1: no
    returns_const: int | None = None  # every return returns this integer (`static int returns_true() {...}`)
    writes_globals: tuple[str, ...] = ()  # USRs of globals it (or a callee) may assign
    writes_fields: tuple[str, ...] = ()  # names of fields it (or a callee) may assign, on any object
    writes_unknown: bool = False  # it may write anything (calls through pointers, bodies not yet analyzed)
    releases_pointee: tuple[tuple[int, str], ...] = ()  # (arg index, kind): releases *arg on every path (T **, T &)
    borrows_pointee: tuple[int, ...] = ()  # args through which it only reads the caller's pointer
    return_values: tuple[int, ...] = ()  # the values its returns give, when known (for its out-parameters)
    returns_other: bool = False  # ... and some return gives a value not known (one that sets no out-parameter)
    empties_members: tuple[str, ...] = ()  # a method after which these members own nothing (`clear()`)
    reallocs_arg: int = -1  # realloc-like: returns argument k's block moved (or NULL, keeping it), -1: no
    out_on_values: tuple[tuple[int, tuple[int, ...]], ...] = ()  # out-parameter -> the return values it is set on
    out_overwrites: tuple[int, ...] = ()  # out-parameters written without the old value ever being read
    fills_record: tuple[tuple[int, str], ...] = ()  # (arg, kind): stores a fresh block in a field of *arg
    fills_on_success: tuple[int, ...] = ()  # ... only when its result is not negative
    empties_record: tuple[int, ...] = ()  # args whose fields it frees (`textbuf_dispose(&tb)`)
    detaches_record: int = -1  # returns a field of *arg and resets it (`textbuf_detach(&tb)`), -1: no


def closes_descriptor(call: ir.Call) -> bool:
    """`syscall(SYS_close, fd)`."""
    return len(call.args) > 1 and isinstance(call.args[0], ir.Const) and \
        call.args[0].value == SYS_CLOSE.get(platform.machine())


def virtual_summary(bodies: Sequence[FunctionSummary | None]) -> FunctionSummary | None:
    """What a virtual call does when the override it reaches is unknown: an argument is released when every
    visible body releases it, borrowed when each one borrows or releases it, taken (stored) when any may keep it;
    never an owned result. None (unknown) without bodies."""
    if not bodies or any(b is None for b in bodies):
        return None  # a body without a useful summary: we know nothing about that override
    known = [b for b in bodies if b is not None]
    first = known[0]
    releases = tuple(r for r in first.releases_args if all(r in b.releases_args for b in known))
    released_somewhere = {i for b in known for i, _ in b.releases_args}
    borrows = tuple(sorted(i for i in {*first.borrows_args, *released_somewhere} if all(
        i in b.borrows_args or any(j == i for j, _ in b.releases_args) for b in known) and
        i not in {j for j, _ in releases}))
    stores = tuple(sorted({i for b in known for i in b.stores_args}))
    # no owned result: what an override returns may also be kept by the object (a cache's handle, a refcount)
    return FunctionSummary(first.usr, first.qualname, "", "", releases, (), stores, borrows,
                           writes_unknown=any(b.writes_unknown for b in known))


@dataclass(frozen=True, slots=True)
class CallEffect:
    acquire_kind: str = ""
    acquire_out: int | None = None  # None: the return value
    acquirer: str = ""
    releases: tuple[tuple[int, str], ...] = ()
    realloc_arg: int | None = None
    borrows_all: bool = False
    borrows: tuple[int, ...] = ()  # explicit borrowed arg indexes (summaries)
    sinks: tuple[int, ...] = ()
    returns_arg: int | None = None  # the result aliases this argument
    source: str = ""
    releases_pointee: tuple[tuple[int, str], ...] = ()  # releases what argument i points to (`&p`)
    borrows_pointee: tuple[int, ...] = ()  # only reads what argument i points to
    fills_record: tuple[tuple[int, str], ...] = ()  # a local struct passed by address starts owning a block
    fills_on_success: tuple[int, ...] = ()  # ... when the result is not negative
    empties_record: tuple[int, ...] = ()  # ... stops owning it (released)
    detaches_record: int | None = None  # ... hands it to the result


NO_EFFECT = CallEffect()


@dataclass(frozen=True)
class Resolver:
    """Decides what a call does to ownership (rules first, then the callee's summary) and what the program's
    constant globals hold."""
    rules: RuleSet
    summaries: Mapping[str, FunctionSummary] = field(default_factory=dict)  # by USR
    with_body: frozenset[str] = frozenset()  # USRs of analyzed functions
    global_values: Mapping[str, int] = field(default_factory=dict)  # USR -> value of globals that never change
    addressed_globals: frozenset[str] = frozenset()  # USRs of globals whose address is taken: anything may write them
    carriers: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # static global USR -> (kind, acquirer)
    overriders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # virtual method -> its overrides

    def summary_for(self, call: ir.Call) -> FunctionSummary | None:
        if not call.callee_usr:
            return None
        overrides = self.overriders.get(call.callee_usr) if call.receiver is not None else None
        if overrides:
            bodies = [u for u in (call.callee_usr, *overrides) if u in self.with_body]
            return virtual_summary([self.summaries.get(u) for u in bodies])
        return self.summaries.get(call.callee_usr)

    def released_args(self, call: ir.Call) -> list[ir.Operand]:
        """The arguments the call releases (`free(p)`, `delete p`, a releasing callee)."""
        if call.callee in ("delete", "delete[]"):
            return list(call.args[:1])
        return [call.args[i] for i, _ in self.effect(call).releases if i < len(call.args)]

    def effect(self, call: ir.Call) -> CallEffect:
        name = call.callee
        if not name:
            return NO_EFFECT
        realloc = self.rules.realloc_for(name)
        if realloc is not None and call.receiver is None:
            return CallEffect(acquire_kind=realloc.kind, acquirer=name, realloc_arg=realloc.arg,
                              source=realloc.source)
        if call.receiver is None or name in ("new", "new[]"):
            acq = self.rules.acquire_for(name)
            if acq is not None:
                return self._rule_acquire(call, acq)
            rels = self.rules.releases_for(name)
            if rels:
                return CallEffect(releases=tuple((r.arg, r.kind) for r in rels), borrows_all=True,
                                  source=rels[0].source)
        if name == "syscall" and closes_descriptor(call):
            return CallEffect(releases=((1, "fd"),), source="builtin:syscall(SYS_close)")  # libuv's uv__close
        summary = self.summary_for(call)
        if summary is not None and summary.reallocs_arg >= 0:
            return CallEffect(acquire_kind=summary.returns_owned, acquirer=name, realloc_arg=summary.reallocs_arg,
                              borrows=summary.borrows_args, source=f"summary:{summary.qualname}")
        if summary is not None:
            out = summary.acquires_out[0] if summary.acquires_out else None
            kind = summary.returns_owned or (out[1] if out else "")
            return CallEffect(acquire_kind=kind, acquire_out=out[0] if out and not summary.returns_owned else None,
                              acquirer=name if kind else "", releases=summary.releases_args,
                              borrows=summary.borrows_args, sinks=summary.stores_args,
                              returns_arg=summary.returns_arg if summary.returns_arg >= 0 else None,
                              source=f"summary:{summary.qualname}", releases_pointee=summary.releases_pointee,
                              borrows_pointee=summary.borrows_pointee, fills_record=summary.fills_record,
                              fills_on_success=summary.fills_on_success,
                              empties_record=summary.empties_record,
                              detaches_record=summary.detaches_record if summary.detaches_record >= 0 else None)
        if call.receiver is None and self.rules.borrows_args(name):
            return CallEffect(borrows_all=True, source="borrow",
                              returns_arg=0 if name.rsplit("::", 1)[-1] in RETURNS_DESTINATION else None)
        return NO_EFFECT

    def _rule_acquire(self, call: ir.Call, acq) -> CallEffect:
        """An acquisition a rule names. A project function named by a rule that returns what it makes still does
        with its arguments what its body does (`conn->fd = fd; return conn;` takes the descriptor over); one that
        makes it through an out-parameter keeps the rule's effect (its body's roles would mix the out-parameter
        with the arguments it stores)."""
        body = self.summary_for(call) if call.callee_usr and acq.out_arg is None else None
        if body is not None:
            return CallEffect(acquire_kind=acq.kind, acquire_out=acq.out_arg, acquirer=call.callee,
                              borrows=body.borrows_args, sinks=body.stores_args, source=acq.source)
        return CallEffect(acquire_kind=acq.kind, acquire_out=acq.out_arg, acquirer=call.callee,
                          borrows_all=True, source=acq.source)

    def expected_release(self, kind: str, acquirer: str = "") -> str:
        """The release that matches an acquisition: for a wrapper (`dm_pack_create`), the release
        wrapper of the same kind sharing the longest name prefix (`dm_pack_del`); an inferred pair's own
        releaser (`createStringObject` -> `decrRefCount`, not another releaser of robj); else the rule's."""
        acq = self.rules.acquire_for(acquirer) if acquirer else None
        if acq is not None and acq.source.startswith("inferred:") and "/" in acq.source:
            return acq.source.rpartition("/")[2]
        if acquirer and acq is None:
            best, best_len = "", 2
            # a body that releases its first argument: `luaPushErrorBuff(lua, err)` consumes an sds, it does not
            # name the release of every sds a `lua*` function returns
            candidates = [s.qualname for s in self.summaries.values()
                          if any(i == 0 and k == kind for i, k in s.releases_args)]
            candidates += self.rules.release_names(kind)
            for name in sorted(candidates):
                common = len(os.path.commonprefix([name, acquirer]))  # noqa: RUF071 - names, not paths
                if common > best_len:
                    best, best_len = name, common
            if best:
                return best
        return self.rules.expected_release(kind)
