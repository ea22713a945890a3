"""Breakpad-style `.sym` symbol files: write one from an ELF binary, symbolize profiles with it.

A `.sym` file lets raw heap profiles be symbolized on a machine that has neither the profiled
binary nor binutils (the bundled example ships one instead of its binary). The format is Google
Breakpad's text symbol format (`MODULE`, `INFO CODE_ID`, `FILE`, `FUNC`, line records; addresses
are ELF virtual addresses in hex), plus one extension that Breakpad readers ignore:
`INFO LOAD <p_offset> <p_vaddr> <p_filesz>` per PT_LOAD segment, so that a `/proc/self/maps`
mapping (start, file offset) converts to a virtual address exactly as with the binary itself.

    python -m analyzer.profiles.symfile BINARY > BINARY.sym
"""
from __future__ import annotations

import bisect
import itertools
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from elftools.elf.elffile import ELFFile

from analyzer.errors import InputError
from analyzer.profiles.elfinfo import _line_rows, elf_info
from analyzer.profiles.names import demangle

from .model import Function, Line, Location, Mapping, Profile

SYM_MAGIC = "MODULE "


class SymFileError(InputError):
    """A `.sym` file that cannot be read; `str()` is a one-line message naming the file."""


@dataclass(frozen=True)
class LoadSegment:
    offset: int
    vaddr: int
    filesz: int


@dataclass(frozen=True)
class SymFile:
    """Function ranges and line ranges of one module, sorted by address."""

    path: str
    module: str  # file name of the binary the symbols came from
    build_id: str  # GNU build id, hex ("" when unknown)
    loads: tuple[LoadSegment, ...]
    funcs: tuple[tuple[int, int, str], ...]  # (address, size, name)
    lines: tuple[tuple[int, int, int, str], ...]  # (address, size, line, file)

    def to_vaddr(self, file_offset: int) -> int:
        """File offset → virtual address via the PT_LOAD segments (identity when none are known)."""
        for seg in self.loads:
            if seg.offset <= file_offset < seg.offset + max(seg.filesz, 1):
                return file_offset - seg.offset + seg.vaddr
        return file_offset

    def lookup(self, vaddr: int) -> tuple[str, str, int] | None:
        """(function, file, line) at `vaddr`; file and line are empty when only the function is known."""
        fn = _find(self.funcs, vaddr)
        if fn is None:
            return None
        ln = _find(self.lines, vaddr)
        if ln is None:
            return fn[2], "", 0
        return fn[2], ln[3], ln[2]


def _find(table: Sequence[tuple], vaddr: int) -> tuple | None:
    i = bisect.bisect_right(table, (vaddr, 1 << 64)) - 1
    if i >= 0 and table[i][0] <= vaddr < table[i][0] + max(table[i][1], 1):
        return table[i]
    return None


def is_sym_file(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SYM_MAGIC)) == SYM_MAGIC.encode()
    except OSError:
        return False


def read_sym(path: str) -> SymFile:
    """Parse a Breakpad `.sym` file (FUNC with or without the `m` flag; PUBLIC records as functions)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError as exc:
        raise SymFileError(path, 0, f"cannot read: {exc.strerror or exc}") from None
    return parse_sym_text(text, path)


def parse_sym_text(text: str, path: str) -> SymFile:
    """The records of a `.sym` file's text; SymFileError naming `path` and the line when malformed."""
    records = _SymRecords()
    for lineno, ln in enumerate(text.splitlines(), 1):
        try:
            records.add(ln)
        except (ValueError, IndexError):
            raise SymFileError(path, lineno, f"malformed symbol record {ln[:60]!r}") from None
    if not records.module and not records.funcs and not records.publics:
        raise SymFileError(path, 0, "not a Breakpad .sym file (no MODULE line)")
    return records.sym_file(path)


@dataclass
class _SymRecords:
    """The records of a `.sym` file as read so far."""

    module: str = ""
    build_id: str = ""
    loads: list[LoadSegment] = field(default_factory=list)
    files: dict[int, str] = field(default_factory=dict)
    funcs: list[tuple[int, int, str]] = field(default_factory=list)
    publics: list[tuple[int, str]] = field(default_factory=list)
    raw_lines: list[tuple[int, int, int, int]] = field(default_factory=list)  # (address, size, line, file number)

    def add(self, ln: str) -> None:
        """Take one line; raises ValueError or IndexError when it is malformed."""
        for prefix, reader in _RECORD_READERS:
            if ln.startswith(prefix):
                reader(self, ln)
                return
        if ln and ln[0] in "0123456789abcdef":
            f_addr, f_size, f_line, f_file = ln.split()[:4]
            self.raw_lines.append((int(f_addr, 16), int(f_size, 16), int(f_line), int(f_file)))
        # STACK, INLINE, INLINE_ORIGIN and other INFO records are not needed here.

    def _module(self, ln: str) -> None:
        parts = ln.split(" ", 4)
        self.module = parts[4] if len(parts) == 5 else ""

    def _code_id(self, ln: str) -> None:
        self.build_id = ln.split()[2].lower()

    def _load(self, ln: str) -> None:
        off, vaddr, size = (int(x, 16) for x in ln.split()[2:5])
        self.loads.append(LoadSegment(off, vaddr, size))

    def _file(self, ln: str) -> None:
        _, num, name = ln.split(" ", 2)
        self.files[int(num)] = name

    def _func(self, ln: str) -> None:
        parts = _without_multiple_flag(ln.split(" "))
        self.funcs.append((int(parts[1], 16), int(parts[2], 16), " ".join(parts[4:])))

    def _public(self, ln: str) -> None:
        parts = _without_multiple_flag(ln.split(" "))
        self.publics.append((int(parts[1], 16), " ".join(parts[3:])))

    def sym_file(self, path: str) -> SymFile:
        funcs = list(self.funcs)
        # PUBLIC records (symbols without debug info) extend to the next known symbol.
        starts = sorted({a for a, _, _ in funcs} | {a for a, _ in self.publics})
        known = {a for a, _, _ in funcs}
        for p_addr, p_name in self.publics:
            if p_addr in known:
                continue
            k = bisect.bisect_right(starts, p_addr)
            funcs.append((p_addr, starts[k] - p_addr if k < len(starts) else 1, p_name))
        lines = [(a, s, line, self.files.get(fn, "")) for a, s, line, fn in self.raw_lines]
        return SymFile(path, self.module, self.build_id, tuple(self.loads), tuple(sorted(funcs)), tuple(sorted(lines)))


def _without_multiple_flag(parts: list[str]) -> list[str]:
    """FUNC/PUBLIC fields without the optional `m` (multiple symbols at this address) flag."""
    if parts[1] == "m":
        parts.pop(1)
    return parts


_RECORD_READERS: tuple[tuple[str, Callable[[_SymRecords, str], None]], ...] = (
    ("MODULE ", _SymRecords._module),
    ("INFO CODE_ID ", _SymRecords._code_id),
    ("INFO LOAD ", _SymRecords._load),
    ("FILE ", _SymRecords._file),
    ("FUNC ", _SymRecords._func),
    ("PUBLIC ", _SymRecords._public),
)


def symbolize_with_sym(profile: Profile, sym: SymFile, *, main_binary: bool = True) -> tuple[Profile, list[str]]:
    """Symbolize the address-only locations of the mapping `sym` describes; returns warnings too.

    The mapping is the one whose file name equals the `.sym` MODULE name, else (with
    `main_binary`) the profile's executable. Locations that already have lines are kept, so the
    result can still go through `analyzer.profiles.symbolize` for the other mappings.
    """
    warnings: list[str] = []
    targets = [m for m in profile.mappings if os.path.basename(m.filename) == sym.module]
    if not targets and main_binary:
        main = _main_mapping(profile.mappings)
        if main is not None:
            targets = [main]
            warnings.append(f"{sym.path}: symbols of {sym.module or '?'} used for {main.filename}")
    for t in targets:
        if t.build_id and sym.build_id and t.build_id.lower() != sym.build_id:
            warnings.append(f"{sym.path}: build id {sym.build_id} does not match the profile's {t.build_id} "
                            f"for {t.filename}; symbols may be wrong")
    target_ids = {m.id for m in targets}
    functions: dict[tuple[str, str], Function] = {(f.name, f.filename): f for f in profile.functions}
    next_id = max((f.id for f in profile.functions), default=0) + 1
    new_locs: list[Location] = []
    missed = 0
    for loc in profile.locations:
        m = profile.mapping(loc.mapping_id) if loc.mapping_id in target_ids else None
        if m is None or loc.lines:
            new_locs.append(loc)
            continue
        hit = sym.lookup(_vaddr(m, loc.address, sym))
        if hit is None:
            missed += 1
            new_locs.append(loc)
            continue
        name, file, line = hit
        fn = functions.get((name, file))
        if fn is None:
            fn = Function(next_id, name, "", file, 0)
            functions[(name, file)] = fn
            next_id += 1
        new_locs.append(replace(loc, lines=(Line(fn.id, line),)))
    if missed:
        warnings.append(f"{sym.path}: {missed} addresses of {sym.module} have no symbol")
    out = replace(profile, locations=tuple(new_locs), functions=tuple(functions.values()),
                  warnings=tuple(dict.fromkeys([*profile.warnings, *warnings])))
    return out, warnings


def _vaddr(m: Mapping, address: int, sym: SymFile) -> int:
    # A mapping at file offset 0 starts at the load bias (also how LSan/valgrind mappings are built).
    if m.offset == 0 and not sym.loads:
        return address - m.start
    return sym.to_vaddr(address - m.start + m.offset)


def _main_mapping(mappings: Sequence[Mapping]) -> Mapping | None:
    for m in mappings:
        if m.filename and not m.filename.startswith("[") and ".so" not in os.path.basename(m.filename):
            return m
    return None


# ---- writing ----------------------------------------------------------------------------------

def breakpad_module_id(build_id: str) -> str:
    """Breakpad's MODULE id for an ELF build id: the first 16 bytes as a GUID (3 fields byte-swapped) + age 0."""
    raw = bytes.fromhex(build_id)[:16].ljust(16, b"\0")
    d1 = int.from_bytes(raw[0:4], "little")
    d2 = int.from_bytes(raw[4:6], "little")
    d3 = int.from_bytes(raw[6:8], "little")
    return f"{d1:08X}{d2:04X}{d3:04X}{raw[8:].hex().upper()}0"


def write_sym(binary: str) -> str:
    """The `.sym` text of an ELF binary: ELF symbols for functions, DWARF line tables for lines."""
    try:
        info = elf_info(binary)
        arch, funcs, rows = _read_elf_symbols(binary)
    except Exception as exc:  # pyelftools raises many kinds of errors on bad input: one message
        raise SymFileError(binary, 0, f"cannot read symbols: {exc}") from None
    rows.sort(key=lambda r: r[0])
    out = [f"MODULE Linux {arch} {breakpad_module_id(info.build_id or '00')} {os.path.basename(binary)}"]
    if info.build_id:
        out.append(f"INFO CODE_ID {info.build_id.upper()}")
    out.append("INFO GENERATOR leakscan analyzer.profiles.symfile")
    out.extend(f"INFO LOAD {seg.offset:x} {seg.vaddr:x} {seg.filesz:x}" for seg in info.segments)
    file_ids: dict[str, int] = {}
    for _, file, _ in rows:
        if file and file not in file_ids:
            file_ids[file] = len(file_ids)
    out.extend(f"FILE {n} {name}" for name, n in file_ids.items())
    out.extend(_func_records(funcs, _line_ranges(rows, file_ids)))
    return "\n".join(out) + "\n"


def _read_elf_symbols(binary: str) -> tuple[str, dict[int, tuple[int, str]], list[tuple[int, str, int]]]:
    """(Breakpad architecture name, {address: (size, demangled name)} of the functions, DWARF line rows)."""
    with open(binary, "rb") as fh:
        elf = ELFFile(fh)
        arch = {"EM_X86_64": "x86_64", "EM_386": "x86", "EM_AARCH64": "arm64",
                "EM_ARM": "arm"}.get(elf["e_machine"], elf["e_machine"])
        return arch, _function_symbols(elf), _dwarf_line_rows(elf)


def _function_symbols(elf: ELFFile) -> dict[int, tuple[int, str]]:
    funcs: dict[int, tuple[int, str]] = {}
    for name in (".dynsym", ".symtab"):  # .symtab wins (it also has local symbols)
        sec = elf.get_section_by_name(name)
        for s in sec.iter_symbols() if sec is not None else ():  # type: ignore[attr-defined]
            if s["st_info"]["type"] == "STT_FUNC" and s["st_value"] and s["st_size"] and s.name:
                funcs[s["st_value"]] = (s["st_size"], demangle(s.name.split("@", 1)[0]))
    return funcs


def _dwarf_line_rows(elf: ELFFile) -> list[tuple[int, str, int]]:
    rows: list[tuple[int, str, int]] = []
    if elf.has_dwarf_info():
        dwarf = elf.get_dwarf_info()
        for cu in dwarf.iter_CUs():
            lp = dwarf.line_program_for_CU(cu)
            if lp is not None:
                rows.extend(_line_rows(lp, cu))
    return rows


def _line_ranges(rows: list[tuple[int, str, int]], file_ids: dict[str, int]) -> list[tuple[int, int, int, int]]:
    """(address, size, line, file id) ranges: each row runs to the next row's address; end-of-sequence rows
    carry no file."""
    ranges: list[tuple[int, int, int, int]] = []
    for (a, file, line), nxt in itertools.pairwise(rows):
        if not file or nxt[0] <= a:
            continue
        fid = file_ids[file]
        if ranges and ranges[-1][0] + ranges[-1][1] == a and ranges[-1][2:] == (line, fid):
            prev = ranges.pop()  # consecutive rows of one line (statements, is_stmt changes): one range
            a = prev[0]
        ranges.append((a, nxt[0] - a, line, fid))
    return ranges


def _func_records(funcs: dict[int, tuple[int, str]], ranges: list[tuple[int, int, int, int]]) -> list[str]:
    """FUNC records by address, each followed by its line records (clipped to the function)."""
    out: list[str] = []
    starts = [r[0] for r in ranges]
    for addr in sorted(funcs):
        size, name = funcs[addr]
        out.append(f"FUNC {addr:x} {size:x} 0 {name}")
        k = bisect.bisect_left(starts, addr)
        while k < len(ranges) and ranges[k][0] < addr + size:
            a, s, line, fid = ranges[k]
            out.append(f"{a:x} {min(s, addr + size - a):x} {line} {fid}")
            k += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m analyzer.profiles.symfile BINARY > BINARY.sym", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(write_sym(args[0]))
    except SymFileError as exc:
        print(f"leakscan: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
