"""ELF facts needed for symbolization (pyelftools): build id, load segments, symbols, line table."""

from __future__ import annotations

import bisect
import functools
import os
from dataclasses import dataclass

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile


@dataclass(frozen=True)
class LoadSegment:
    offset: int
    vaddr: int
    filesz: int
    memsz: int
    executable: bool


@dataclass(frozen=True)
class ElfInfo:
    path: str
    is_pie_or_shared: bool  # ET_DYN: addresses need the load bias removed
    build_id: str
    segments: tuple[LoadSegment, ...]
    machine: str = ""  # e_machine: 'EM_X86_64', 'EM_AARCH64'...

    def file_offset(self, vaddr: int) -> int | None:
        """The file offset holding the byte at ELF virtual address `vaddr` (None: not in the file)."""
        for seg in self.segments:
            if seg.vaddr <= vaddr < seg.vaddr + seg.filesz:
                return vaddr - seg.vaddr + seg.offset
        return None

    def offset_to_vaddr(self, file_offset: int) -> int | None:
        """Convert a file offset to an ELF virtual address via the PT_LOAD that contains it."""
        for seg in self.segments:
            if seg.offset <= file_offset < seg.offset + max(seg.filesz, 1):
                return file_offset - seg.offset + seg.vaddr
        return None


class NotAnElf(Exception):
    """The file is missing or not a readable ELF object."""


def elf_info(path: str) -> ElfInfo:
    """ELF facts of the file now at `path` (cached while the file is unchanged: a rebuild is re-read)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise NotAnElf(f"{path}: {exc.strerror or exc}") from exc
    return _elf_info(path, st.st_mtime_ns, st.st_size, st.st_ino)


@functools.lru_cache(maxsize=64)
def _elf_info(path: str, mtime_ns: int, size: int, inode: int) -> ElfInfo:
    try:
        with open(path, "rb") as fh:
            elf = ELFFile(fh)
            segs = tuple(
                LoadSegment(s["p_offset"], s["p_vaddr"], s["p_filesz"], s["p_memsz"],
                            bool(s["p_flags"] & 1))
                for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"
            )
            return ElfInfo(path, elf["e_type"] == "ET_DYN", _build_id(elf), segs, str(elf["e_machine"]))
    except (OSError, ELFError) as exc:
        raise NotAnElf(f"{path}: {exc}") from exc


def _build_id(elf: ELFFile) -> str:
    for sec in elf.iter_sections():
        if sec.header["sh_type"] != "SHT_NOTE":
            continue
        for note in sec.iter_notes():  # type: ignore[attr-defined]
            if note["n_type"] == "NT_GNU_BUILD_ID":
                return str(note["n_desc"])
    return ""


class SymbolTable:
    """Function-level symbols (address range → name) from .symtab, else .dynsym."""

    def __init__(self, path: str) -> None:
        entries: list[tuple[int, int, str]] = []
        with open(path, "rb") as fh:
            elf = ELFFile(fh)
            sec = elf.get_section_by_name(".symtab") or elf.get_section_by_name(".dynsym")
            if sec is not None:
                for sym in sec.iter_symbols():  # type: ignore[attr-defined]
                    if sym["st_info"]["type"] == "STT_FUNC" and sym["st_value"] and sym.name:
                        entries.append((sym["st_value"], sym["st_size"], sym.name))
        entries.sort()
        self._starts = [e[0] for e in entries]
        self._entries = entries

    def lookup(self, vaddr: int) -> tuple[str, int] | None:
        """(mangled name, start address) of the function containing `vaddr`."""
        i = bisect.bisect_right(self._starts, vaddr) - 1
        if i < 0:
            return None
        start, size, name = self._entries[i]
        if size and vaddr >= start + size:
            return None
        return name, start


class LineTable:
    """DWARF line table (address → file, line), decoded once; slow in pure Python, so cached."""

    def __init__(self, path: str) -> None:
        rows: list[tuple[int, str, int]] = []
        with open(path, "rb") as fh:
            elf = ELFFile(fh)
            if elf.has_dwarf_info():
                dwarf = elf.get_dwarf_info()
                for cu in dwarf.iter_CUs():
                    lp = dwarf.line_program_for_CU(cu)
                    if lp is None:
                        continue
                    rows.extend(_line_rows(lp, cu))
        rows.sort(key=lambda r: r[0])
        self._addrs = [r[0] for r in rows]
        self._rows = rows

    def lookup(self, vaddr: int) -> tuple[str, int] | None:
        i = bisect.bisect_right(self._addrs, vaddr) - 1
        if i < 0 or not self._rows[i][1]:
            return None
        _, file, line = self._rows[i]
        return file, line


def _line_rows(lp, cu) -> list[tuple[int, str, int]]:
    header = lp.header
    version = header["version"]
    files = header["file_entry"]
    dirs = header["include_directory"]
    comp_dir = ""
    top = cu.get_top_DIE()
    if "DW_AT_comp_dir" in top.attributes:
        comp_dir = _s(top.attributes["DW_AT_comp_dir"].value)

    def file_name(index: int) -> str:
        # DWARF 5 file indexes are 0-based, earlier versions 1-based.
        k = index if version >= 5 else index - 1
        if not 0 <= k < len(files):
            return ""
        entry = files[k]
        name = _s(entry.name)
        di = entry.dir_index if version >= 5 else entry.dir_index - 1
        base = comp_dir if (version < 5 and entry.dir_index == 0) else (
            _s(dirs[di]) if 0 <= di < len(dirs) else comp_dir)
        return name if os.path.isabs(name) else os.path.join(base, name)

    rows: list[tuple[int, str, int]] = []
    for entry in lp.get_entries():
        st = entry.state
        if st is None:
            continue
        if st.end_sequence:
            rows.append((st.address, "", 0))
        else:
            rows.append((st.address, file_name(st.file), st.line))
    return rows


def _s(v: object) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
