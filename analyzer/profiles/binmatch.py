"""Is this binary the one the profile's process mapped? Evidence by format, strongest first.

* Build ids (pprof protobuf mappings, LSan `BuildId:`) against the ELF's NT_GNU_BUILD_ID note.
* Memory-map layout (gperftools and jemalloc `MAPPED_LIBRARIES`): an executable mapping covers
  its PT_LOAD segment rounded to pages, so its file offset and length must be those of one of the
  binary's executable segments; a rebuild that moved code by a page or more changes them.
* Addresses (any format, including those that record neither build ids nor maps, such as LSan without
  BuildId): a profiled return address lies in an executable segment of the binary that ran; when most of a
  mapping's addresses fall outside the given binary's code, it is another program.
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
