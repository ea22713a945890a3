"""Ownership attributes on declarations (Clang `ownership_*`, GCC `malloc(dealloc, idx)`) as rules."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from analyzer import ir

from .model import Acquire, Release, ResourceKind, RuleSetBuilder

_ATTR = re.compile(r"^\s*(?:__)?(\w+?)(?:__)?\s*(?:\((.*)\))?\s*$", re.S)


@dataclass(frozen=True, slots=True)
class OwnershipAttribute:
    """One parsed attribute: `what` is returns | takes | holds | dealloc | malloc (plain, no arguments)."""
    function: str
    what: str
    module: str = ""  # Clang: the ownership module (resource kind); GCC: the deallocator
    index: int | None = None  # 0-based parameter index (takes/holds) or dealloc argument index
    loc: ir.Loc | None = None


def parse_attribute(text: str) -> tuple[str, list[str]] | None:
    """'ownership_takes ( malloc , 1 )' -> ('ownership_takes', ['malloc', '1'])."""
    m = _ATTR.match(text)
    if m is None:
        return None
    args = [a.strip() for a in (m.group(2) or "").replace(" ", "").split(",") if a.strip()]
    return m.group(1), args


def _index(arg: str) -> int | None:
    return int(arg) - 1 if arg.isdigit() and int(arg) >= 1 else None


def attributes_of(decl: ir.FuncDecl) -> list[OwnershipAttribute]:
    out: list[OwnershipAttribute] = []
    for text in decl.attributes:
        parsed = parse_attribute(text)
        if parsed is None:
            continue
        name, args = parsed
        if name == "ownership_returns" and args:
            out.append(OwnershipAttribute(decl.qualname, "returns", args[0], None, decl.loc))
        elif name in ("ownership_takes", "ownership_holds") and len(args) >= 2:
            for arg in args[1:]:
                idx = _index(arg)
                if idx is not None:
                    out.append(OwnershipAttribute(decl.qualname, name.rsplit("_", 1)[1], args[0], idx, decl.loc))
        elif name == "malloc" and args:
            idx = _index(args[1]) if len(args) > 1 else 0
            out.append(OwnershipAttribute(decl.qualname, "dealloc", args[0], idx or 0, decl.loc))
        elif name == "malloc":
            out.append(OwnershipAttribute(decl.qualname, "malloc", loc=decl.loc))
    return out


def pointee_name(ctype: str) -> str:
    """'const struct dm_pack *' -> 'dm_pack'; '' unless a single pointer to a named, non-char type."""
    t = re.sub(r"\b(const|volatile|restrict|__restrict)\b", " ", ctype).strip()
    if not t.endswith("*") or t.endswith("**"):
        return ""
    base = re.sub(r"^(struct|class|union|enum)\s+", "", t[:-1].strip())
    base = " ".join(base.split())
    if base in ("", "void", "char", "signed char", "unsigned char") or "(" in base:
        return ""
    return base


def _kind_for_dealloc(rules: RuleSetBuilder, dealloc: str, decl: ir.FuncDecl) -> str:
    for rel in rules.releases_for(dealloc):
        return rel.kind
    return pointee_name(decl.return_type) or dealloc


def apply_attribute_rules(decls: Iterable[ir.FuncDecl], rules: RuleSetBuilder) -> list[dict]:
    """Add the rules declared by ownership attributes; returns one plain record per rule added.

    Attributes are configuration written by the library's authors, so their kinds are registered like
    a rules file's (mismatched releases between modules are reported). `ownership_holds` moves ownership
    into the callee: the function is taken off the borrow list so callers stop tracking the argument.
    """
    added: list[dict] = []
    for decl in sorted(decls, key=lambda d: d.qualname):
        for a in attributes_of(decl):
            source = f"attribute:{decl.qualname}"
            if a.what == "returns":
                if rules.acquire_for(a.function) is None:
                    rules.add_kind(ResourceKind(a.module, "null", "declared by ownership_returns", source))
                    rules.add_acquire(Acquire(a.function, a.module, None, source))
                    added.append({"function": a.function, "role": "acquire", "kind": a.module,
                                  "attribute": f"ownership_returns({a.module})"})
            elif a.what == "takes":
                rules.add_kind(ResourceKind(a.module, "null", "declared by ownership_takes", source))
                rules.add_release(Release(a.function, a.module, a.index or 0, source))
                added.append({"function": a.function, "role": "release", "kind": a.module, "arg": a.index,
                              "attribute": f"ownership_takes({a.module}, {(a.index or 0) + 1})"})
            elif a.what == "holds":
                rules.borrows.discard(a.function)
                added.append({"function": a.function, "role": "sink", "kind": a.module, "arg": a.index,
                              "attribute": f"ownership_holds({a.module}, {(a.index or 0) + 1})"})
            elif a.what == "dealloc":
                kind = _kind_for_dealloc(rules, a.module, decl)
                if rules.acquire_for(a.function) is None:
                    rules.add_kind(ResourceKind(kind, "null", f"released by {a.module}()", source))
                    rules.add_acquire(Acquire(a.function, kind, None, source))
                if not rules.releases_for(a.module):
                    rules.add_release(Release(a.module, kind, a.index or 0, source))
                added.append({"function": a.function, "role": "acquire", "kind": kind, "releaser": a.module,
                              "arg": a.index, "attribute": f"malloc({a.module}, {(a.index or 0) + 1})"})
    return added


def holds_functions(decls: Iterable[ir.FuncDecl]) -> set[str]:
    """Functions declared `ownership_holds`: never borrowers."""
    return {a.function for d in decls for a in attributes_of(d) if a.what == "holds"}
