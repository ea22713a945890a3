"""Is this binary the one the profile's process mapped? Evidence by format, strongest first.

* Build ids (pprof protobuf mappings, LSan `BuildId:`) against the ELF's NT_GNU_BUILD_ID note.
* Memory-map layout (gperftools and jemalloc `MAPPED_LIBRARIES`): an executable mapping covers
  its PT_LOAD segment rounded to pages, so its file offset and length must be those of one of the
  binary's executable segments; a rebuild that moved code by a page or more changes them.
* Addresses (any format, including those that record neither build ids nor maps, such as LSan without
  BuildId): a profiled return address lies in an executable segment of the binary that ran; when most of a
  mapping's addresses fall outside the given binary's code, it is another program.
* Call sites (any format, x86-64 and AArch64): a frame's address is a return address (or one or two bytes
  before it, as LSan and the parsers count), so the instruction just before it is a call. In another build of
  the program, where code moved, most addresses land elsewhere.
* Device, inode and modification time (same): the file now at the recorded path, on the same
  device, changed after the profile was written (a rebuild or reinstall).

A mismatch is a reason not to symbolize: wrong names are worse than `module+0xOFFSET`.
"""

from __future__ import annotations

import os

from analyzer.profiles.elfinfo import ElfInfo, LoadSegment
from analyzer.profiles.model import Mapping

_PAGE_SIZES = (4096, 16384, 65536)


def build_id_mismatch(m: Mapping, info: ElfInfo) -> str:
    if m.build_id and info.build_id and m.build_id.lower() != info.build_id.lower():
        return f"build id {info.build_id} does not match the profile's {m.build_id}"
    return ""


def layout_mismatch(m: Mapping, info: ElfInfo) -> str:
    """For a /proc/self/maps executable mapping: no executable PT_LOAD maps to this offset and length."""
    if not m.inode or m.limit <= m.start:
        return ""  # not from /proc/self/maps (LSan, valgrind and proto mappings are reconstructed)
    segments = [s for s in info.segments if s.executable]
    mapped = (m.offset, m.limit - m.start)
    if not segments or any(_span(s, page) == mapped for page in _PAGE_SIZES for s in segments):
        return ""
    have = ", ".join("0x{:x}+0x{:x}".format(*_span(s, _PAGE_SIZES[0])) for s in segments)
    return (f"its code is mapped at file offset+size {have}, "
            f"the profile's process mapped 0x{mapped[0]:x}+0x{mapped[1]:x}")


def in_code(vaddr: int, info: ElfInfo) -> bool:
    """`vaddr` (an ELF virtual address) lies in one of the binary's executable PT_LOAD segments."""
    return any(s.executable and s.vaddr <= vaddr < s.vaddr + s.memsz for s in info.segments)


def _span(seg: LoadSegment, page: int) -> tuple[int, int]:
    """File offset and length of the pages the kernel maps for a PT_LOAD segment."""
    first = seg.vaddr - seg.vaddr % page
    end = -(-(seg.vaddr + seg.memsz) // page) * page
    return seg.offset - seg.offset % page, end - first


def replaced_since(m: Mapping, path: str, profile_time_ns: int) -> tuple[str, str]:
    """(reason to refuse, softer note) for the file at the recorded path, judged by device, inode and mtime."""
    if not m.device or not m.inode or not profile_time_ns:
        return "", ""
    try:
        major, minor = (int(x, 16) for x in m.device.split(":"))
        st = os.stat(path)
    except (ValueError, OSError):
        return "", ""
    if (os.major(st.st_dev), os.minor(st.st_dev)) != (major, minor):
        return "", ""  # another machine or filesystem view: inodes say nothing
    if st.st_mtime_ns > profile_time_ns:
        what = "replaced" if st.st_ino != m.inode else "modified"
        return f"it was {what} after the profile was written", ""
    if st.st_ino != m.inode:
        return "", f"{path} is another file than the one mapped (inode {st.st_ino}, profile: {m.inode})"
    return "", ""


def still_the_mapped_file(m: Mapping, path: str, profile_time_ns: int) -> bool:
    """The file at `path` is the one the process mapped: same device and inode, unchanged since the profile."""
    if not m.device or not m.inode or not profile_time_ns:
        return False
    try:
        major, minor = (int(x, 16) for x in m.device.split(":"))
        st = os.stat(path)
    except (ValueError, OSError):
        return False
    return ((os.major(st.st_dev), os.minor(st.st_dev)) == (major, minor) and st.st_ino == m.inode
            and st.st_mtime_ns <= profile_time_ns)


def call_site_mismatch(vaddrs: list[int], info: ElfInfo) -> str:
    """Why these return addresses cannot be from this binary's code: most are not right after a call. "" when
    they are, when there are too few to tell, or for an architecture not checked here."""
    follows = _CALL_CHECKS.get(info.machine)
    if follows is None:
        return ""
    checked = hits = 0
    try:
        with open(info.path, "rb") as fh:
            for v in sorted(set(vaddrs)):
                found = []
                for r in (v, v + 1, v + 2):  # the return address, or what LSan prints (-1), or that minus 1
                    off = info.file_offset(r - 1)
                    if off is None or off < 7:
                        continue
                    fh.seek(off - 7)
                    found.append(follows(fh.read(8)))
                if found:
                    checked += 1
                    hits += any(found)
    except OSError:
        return ""
    if checked >= 3 and hits * 2 < checked:
        return f"only {hits} of {checked} profiled return addresses follow a call instruction in it (another build?)"
    return ""


def _x86_64_call_before(b: bytes) -> bool:
    """`b` are the 8 bytes before a return address: do they end with a call (E8 rel32, or FF /2 with any ModRM)?"""
    if len(b) < 8:
        return False
    if b[-5] == 0xE8:
        return True
    for k in range(2, 8):
        if b[-k] != 0xFF or (b[-k + 1] >> 3) & 7 != 2:
            continue
        modrm = b[-k + 1]
        mod, rm = modrm >> 6, modrm & 7
        size = 2
        if mod != 3 and rm == 4:  # a SIB byte follows
            size += 1
            if mod == 0 and k >= 3 and b[-k + 2] & 7 == 5:
                size += 4
        size += {1: 1, 2: 4}.get(mod, 4 if mod == 0 and rm == 5 else 0)
        if size == k:
            return True
    return False


def _aarch64_call_before(b: bytes) -> bool:
    """The instruction before the return address is BL, BLR or a pointer-authenticating BLRA*."""
    if len(b) < 4:
        return False
    insn = int.from_bytes(b[-4:], "little")
    return (insn & 0xFC000000) == 0x94000000 or (insn & 0xFFFFFC1F) == 0xD63F0000 or \
        (insn & 0xFEFFF800) == 0xD63F0800


_CALL_CHECKS = {"EM_X86_64": _x86_64_call_before, "EM_AARCH64": _aarch64_call_before}
