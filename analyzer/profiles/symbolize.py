"""Raw addresses → function/file/line through the profile's mappings, one symbolizer process per binary."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from analyzer.profiles.binmatch import (
    build_id_mismatch,
    call_site_mismatch,
    in_code,
    layout_mismatch,
    replaced_since,
    still_the_mapped_file,
)
from analyzer.profiles.elfinfo import ElfInfo, LineTable, NotAnElf, SymbolTable, elf_info
from analyzer.profiles.model import Function, Line, Location, Mapping, Profile
from analyzer.profiles.names import demangle

_HEX_RE = re.compile(r"0x[0-9a-fA-F]+")

# One symbolized frame as returned by a backend: (mangled-or-plain name, file, line).
RawFrame = tuple[str, str, int]


@dataclass(frozen=True)
class SymbolizeOptions:
    """Where to find binaries and which backend to use.

    `binary` is the profiled executable when it is not at the path recorded in the profile;
    `search_path` directories are searched (by file basename) for the executable and shared
    libraries; `tool` is "auto", "addr2line", "llvm-symbolizer" or "elf" (pure pyelftools).
    """

    binary: str | None = None
    search_path: tuple[str, ...] = ()
    tool: str = "auto"
    use_recorded_paths: bool = True


def symbolize(profile: Profile, options: SymbolizeOptions | None = None) -> Profile:
    """Return a copy of `profile` whose address-only locations carry function/file/line.

    Locations that already have lines are kept. Problems (binary not found, build id mismatch,
    another binary than the one named, addresses outside the binary's code) become one-line entries in
    `Profile.warnings`.
    """
    opts = options or SymbolizeOptions()
    todo: dict[int, list[Location]] = {}
    for loc in profile.locations:
        if not loc.lines and loc.mapping_id:
            todo.setdefault(loc.mapping_id, []).append(loc)
    if not todo:
        return replace(profile, symbolized=True)
    main = _main_mapping(profile.mappings)
    out = _Symbolized(list(profile.warnings), {(f.name, f.filename): f for f in profile.functions},
                      max((f.id for f in profile.functions), default=0) + 1)
    missing: dict[str, int] = {}
    for mapping_id, locs in sorted(todo.items()):
        m = profile.mapping(mapping_id)
        if m is None or not m.filename or m.filename.startswith("["):
            continue
        path, note, recorded = _resolve(m, m is main, opts)
        if note:
            out.warnings.append(note)
        if path is None:
            missing[m.filename] = missing.get(m.filename, 0) + len(locs)
            continue
        _symbolize_mapping(m, path, recorded, locs, profile.time_nanos, opts.tool, out)
    for filename, n in sorted(missing.items()):
        out.warnings.append(f"cannot symbolize {n} addresses in {filename}: file not found "
                            "(use --binary or --search-path)")
    return replace(
        profile,
        locations=tuple(out.locations.get(loc.id, loc) for loc in profile.locations),
        functions=tuple(out.functions.values()),
        warnings=tuple(dict.fromkeys(out.warnings)),
        symbolized=True,
    )


@dataclass
class _Symbolized:
    """What symbolization adds to a profile, mapping by mapping."""
    warnings: list[str]
    functions: dict[tuple[str, str], Function]
    next_function_id: int
    locations: dict[int, Location] = field(default_factory=dict)

    def function(self, name: str, file: str) -> Function:
        full = demangle(name)
        fn = self.functions.get((full, file))
        if fn is None:
            fn = Function(self.next_function_id, full, name if full != name else "", file, 0)
            self.functions[(full, file)] = fn
            self.next_function_id += 1
        return fn


def _symbolize_mapping(m: Mapping, path: str, recorded: bool, locs: list[Location], profile_time_ns: int,
                       tool: str, out: _Symbolized) -> None:
    try:
        info = elf_info(path)
    except NotAnElf as exc:
        out.warnings.append(f"cannot symbolize {len(locs)} addresses: {exc}")
        return
    mismatch, soft = _mismatch(m, path, info, recorded, profile_time_ns)
    if soft:
        out.warnings.append(soft)
    vaddrs = [_to_vaddr(m, loc.address, info) for loc in locs]
    outside = sum(1 for v in vaddrs if v is None or not in_code(v, info))
    if not mismatch and outside * 2 > len(vaddrs):
        mismatch = (f"{outside} of the profile's {len(vaddrs)} addresses in it fall outside its code "
                    "(another program?)")
    if not mismatch:
        mismatch = call_site_mismatch([v for v in vaddrs if v is not None and in_code(v, info)], info)
    if mismatch:
        out.warnings.append(f"{path} does not match the profile's {m.filename}: {mismatch}; "
                            f"{len(locs)} addresses left unsymbolized (rebuilt since? pass the profiled binary "
                            "with --binary)")
        return
    if outside:
        out.warnings.append(f"{outside} of {len(vaddrs)} addresses fall outside the code of {path}: "
                            "left unsymbolized")
        vaddrs = [v if v is not None and in_code(v, info) else None for v in vaddrs]
    results = _lookup(path, [v for v in vaddrs if v is not None], tool)
    for loc, vaddr in zip(locs, vaddrs, strict=True):
        chain = results.get(vaddr) if vaddr is not None else None
        if chain:
            lines = tuple(Line(out.function(name, file).id, line) for name, file, line in chain)
            out.locations[loc.id] = replace(loc, lines=lines)


def _mismatch(m: Mapping, path: str, info: ElfInfo, recorded: bool, profile_time_ns: int) -> tuple[str, str]:
    """(why `path` is not the mapped file, softer doubt) — see `binmatch`."""
    reason = build_id_mismatch(m, info) or layout_mismatch(m, info)
    if reason:
        return reason, ""
    if recorded:
        return replaced_since(m, path, profile_time_ns)
    if (not m.build_id and path != m.filename and os.path.isfile(m.filename)
            and not replaced_since(m, m.filename, profile_time_ns)[0]):
        # No build id recorded: compare with the file still at the recorded path (unless it changed since
        # the profile); when that file is provably the one mapped (same inode, unchanged), a different
        # build id is a mismatch.
        other = _build_id_of(m.filename)
        if other and info.build_id and other.lower() != info.build_id.lower():
            if still_the_mapped_file(m, m.filename, profile_time_ns):
                return f"build id {info.build_id} differs from {other} of {m.filename}, the file mapped", ""
            return "", (f"{path}: build id {info.build_id} does not match that of {other} for {m.filename}; "
                        "symbols may be wrong")
    return "", ""


def _build_id_of(path: str) -> str:
    try:
        return elf_info(path).build_id
    except NotAnElf:
        return ""


def _main_mapping(mappings: Sequence[Mapping]) -> Mapping | None:
    """The executable: the first file-backed mapping that is not a shared object."""
    for m in mappings:
        base = os.path.basename(m.filename)
        if m.filename and not m.filename.startswith("[") and ".so" not in base:
            return m
    return None


def _resolve(m: Mapping, is_main: bool, opts: SymbolizeOptions) -> tuple[str | None, str, bool]:
    """Local path for the mapping's file, a warning when it is not obviously the same file, and whether
    the path is the one recorded in the profile (taken as is, rather than named by the user)."""
    base = os.path.basename(m.filename)
    if is_main and opts.binary:
        note = ""
        if os.path.basename(opts.binary) != base:
            note = f"binary {opts.binary} is not the one named in the profile ({m.filename})"
        return (opts.binary if os.path.exists(opts.binary) else None), note, False
    for d in opts.search_path:
        cand = os.path.join(d, base)
        if os.path.isfile(cand):
            return cand, "", False
    if opts.use_recorded_paths and os.path.isfile(m.filename):
        return m.filename, "", True
    return None, "", False


def _to_vaddr(m: Mapping, address: int, info: ElfInfo) -> int | None:
    """Runtime address → ELF virtual address of the file backing `m`.

    A non-PIE executable runs at its link address. For PIE and shared objects, a mapping with
    file offset 0 starts at the load bias (also how LSan/valgrind-derived mappings are built);
    otherwise the file offset is converted with the PT_LOAD header that contains it.
    """
    if not info.is_pie_or_shared:
        return address
    if m.offset == 0:
        return address - m.start
    return info.offset_to_vaddr(address - m.start + m.offset)


# ---- backends -------------------------------------------------------------------------

def _lookup(path: str, vaddrs: list[int], tool: str) -> dict[int, list[RawFrame]]:
    uniq = sorted(set(vaddrs))
    if not uniq:
        return {}
    if tool in ("auto", "addr2line") and shutil.which("addr2line"):
        res = _addr2line(path, uniq)
    elif tool in ("auto", "llvm-symbolizer") and shutil.which("llvm-symbolizer"):
        res = _llvm_symbolizer(path, uniq)
    else:
        res = {}
    unresolved = [v for v in uniq if not res.get(v) or res[v][-1][0] == "??"]
    if unresolved:
        res.update(_pyelftools(path, unresolved, res))
    return res


def _addr2line(path: str, vaddrs: list[int]) -> dict[int, list[RawFrame]]:
    """One `addr2line -a -f -i` process for all addresses; `-a` delimits the inline chains.

    Names stay mangled (no `-C`) so that both the mangled and demangled forms are kept.
    """
    stdin = "".join(f"0x{v:x}\n" for v in vaddrs)
    proc = subprocess.run(["addr2line", "-a", "-f", "-i", "-e", path], input=stdin,
                          capture_output=True, text=True, check=False)
    out: dict[int, list[RawFrame]] = {}
    cur: list[RawFrame] | None = None
    lines = proc.stdout.splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        if _HEX_RE.fullmatch(ln):
            cur = out.setdefault(int(ln, 16), [])
            i += 1
            continue
        if cur is not None and i + 1 < len(lines):
            cur.append((ln, *_file_line(lines[i + 1])))
        i += 2
    return out


def _llvm_symbolizer(path: str, vaddrs: list[int]) -> dict[int, list[RawFrame]]:
    stdin = "".join(f"0x{v:x}\n" for v in vaddrs)
    proc = subprocess.run(
        ["llvm-symbolizer", f"--obj={path}", "--inlining", "--functions=linkage", "--no-demangle"],
        input=stdin, capture_output=True, text=True, check=False)
    out: dict[int, list[RawFrame]] = {}
    groups = proc.stdout.strip("\n").split("\n\n")
    for v, grp in zip(vaddrs, groups, strict=False):
        lines = grp.splitlines()
        out[v] = [(lines[k], *_file_line(lines[k + 1].rsplit(":", 1)[0]))
                  for k in range(0, len(lines) - 1, 2)]
    return out


def _pyelftools(path: str, vaddrs: list[int],
                partial: dict[int, list[RawFrame]]) -> dict[int, list[RawFrame]]:
    """Pure-Python fallback: function from the ELF symbol table, file:line from DWARF."""
    try:
        syms = SymbolTable(path)
    except (OSError, ValueError):
        return {}
    lines: LineTable | None = None
    out: dict[int, list[RawFrame]] = {}
    for v in vaddrs:
        prev = partial.get(v)
        file, line = (prev[-1][1], prev[-1][2]) if prev else ("", 0)
        if not file:
            if lines is None:
                try:
                    lines = LineTable(path)
                except Exception:
                    lines = None
            hit = lines.lookup(v) if lines else None
            if hit:
                file, line = hit
        sym = syms.lookup(v)
        if sym or file:
            out[v] = [(sym[0] if sym else "??", file, line)]
    return out


def _file_line(s: str) -> tuple[str, int]:
    """Parse addr2line's `file:line` (or `??:0`, or `file:line (discriminator N)`)."""
    s = s.split(" (discriminator", 1)[0].strip()
    file, _, line = s.rpartition(":")
    if file in ("??", "") or not line.isdigit():
        return "", 0
    return file, int(line)
