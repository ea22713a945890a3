"""`leakscan pairs --export`: the inferred and configured create/destroy pairs for other tools: a cppcheck library
file, a header of Clang `ownership_returns`/`ownership_takes` redeclarations, Infer Pulse model options."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from analyzer.model import InferredPair

_PLAIN_NAME = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True, slots=True)
class Declaration:
    """What a redeclaration needs: the function's types as spelled, where it is declared, and its scope."""
    name: str
    qualname: str
    return_type: str
    param_types: tuple[str, ...]
    header: str  # the header declaring it, as the export should #include it ('' none: not redeclarable)
    method: bool = False


def _by_kind(pairs: Sequence[InferredPair]) -> dict[str, list[InferredPair]]:
    out: dict[str, list[InferredPair]] = {}
    for p in pairs:
        out.setdefault(p.kind, []).append(p)
    return out


def render_cppcheck_cfg(pairs: Sequence[InferredPair], handles: frozenset[str] = frozenset()) -> str:
    """A cppcheck library file (format 2): one <memory> block per resource kind (<resource> for kinds whose handle
    is not a pointer, e.g. descriptors), allocators by return value or out-parameter (`arg`, 1-based)."""
    lines = ['<?xml version="1.0"?>', '<def format="2">',
             "  <!-- create/destroy pairs exported by `leakscan pairs --export cppcheck-cfg` -->"]
    for kind, group in sorted(_by_kind(pairs).items()):
        tag = "resource" if kind in handles else "memory"
        lines.append(f"  <!-- {escape(kind)}: {escape(', '.join(sorted({p.confidence for p in group})))} -->")
        lines.append(f"  <{tag}>")
        for acquirer, out_arg in dict.fromkeys((p.acquirer, p.out_arg) for p in group):
            arg = f' arg="{out_arg + 1}"' if out_arg is not None else ""
            lines.append(f'    <alloc init="true"{arg}>{escape(acquirer)}</alloc>')
        for releaser, release_arg in dict.fromkeys((p.releaser, p.release_arg) for p in group):
            arg = f" arg={quoteattr(str(release_arg + 1))}" if release_arg else ""
            lines.append(f"    <dealloc{arg}>{escape(releaser)}</dealloc>")
        lines.append(f"  </{tag}>")
    lines.append("</def>")
    return "\n".join(lines) + "\n"


def _redeclaration(d: Declaration, attribute: str) -> str | None:
    if d.method or not d.header or "(" in d.return_type or not _PLAIN_NAME.fullmatch(d.name):
        return None
    scopes = d.qualname.split("::")[:-1]
    if any(not _PLAIN_NAME.fullmatch(s) for s in scopes):
        return None
    params = ", ".join(d.param_types) or "void"
    decl = f"{d.return_type} {d.name}({params}) __attribute__(({attribute}));".replace("* ", "*")
    for scope in reversed(scopes):
        decl = f"namespace {scope} {{ {decl} }}"
    return decl


def render_clang_attributes(pairs: Sequence[InferredPair], decls: Mapping[str, Declaration]) -> str:
    """A header to pass with `-include`: it includes each function's own header, then redeclares the function with
    `ownership_returns(malloc)` / `ownership_takes(malloc, N)` (the Clang static analyzer's MallocChecker models the
    `malloc` module only). Out-parameter allocators and methods cannot be expressed: they are listed as comments."""
    out = ["/* Create/destroy pairs exported by `leakscan pairs --export clang-attributes`.",
           " * Use: clang --analyze -include THIS_FILE ... (or clang-tidy -extra-arg=-include -extra-arg=THIS_FILE) */",
           "#ifndef LEAKSCAN_OWNERSHIP_ATTRIBUTES_H", "#define LEAKSCAN_OWNERSHIP_ATTRIBUTES_H"]
    headers: dict[str, None] = {}
    body: list[str] = []
    done: set[str] = set()
    for p in pairs:
        for name, attribute in ((p.acquirer, "ownership_returns(malloc)"),
                                (p.releaser, f"ownership_takes(malloc, {p.release_arg + 1})")):
            if name in done:
                continue
            done.add(name)
            d = decls.get(name)
            line = None if d is None or (name == p.acquirer and p.out_arg is not None) else \
                _redeclaration(d, attribute)
            if line is None or d is None:
                body.append(f"/* {name}: not expressible as a redeclaration "
                            f"({'out-parameter' if name == p.acquirer and p.out_arg is not None else 'no header'}) */")
                continue
            headers.setdefault(d.header)
            body.append(line)
    out += [f'#include "{h}"' for h in headers] + body + ["#endif", ""]
    return "\n".join(out)


def render_infer(pairs: Sequence[InferredPair]) -> str:
    """Infer Pulse options as an `.inferconfig` (JSON, option names without the leading dashes): allocators by
    return value as `pulse-model-alloc-pattern`, releasers of their first argument as `pulse-model-free-pattern`."""
    def pattern(names: Sequence[str]) -> str:
        return "^(" + "|".join(re.escape(n) for n in sorted(set(names))) + ")$" if names else ""

    alloc = [p.acquirer for p in pairs if p.out_arg is None]
    free = [p.releaser for p in pairs if p.release_arg == 0]
    config = {k: v for k, v in (("pulse-model-alloc-pattern", pattern(alloc)),
                                ("pulse-model-free-pattern", pattern(free))) if v}
    return json.dumps(config, indent=1, sort_keys=True) + "\n"
