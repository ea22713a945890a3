"""Parse /proc/self/maps text (MAPPED_LIBRARIES) into executable `Mapping`s and look addresses up."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence

from analyzer.profiles.model import Mapping

# start-end perms offset dev inode [path]; the path may contain spaces or be absent.
_MAPS_RE = re.compile(
    r"^\s*([0-9a-fA-F]+)-([0-9a-fA-F]+)\s+(\S+)\s+([0-9a-fA-F]+)\s+(\S+)\s+(\d+)\s*(.*?)\s*$"
)

# Allocator libraries whose frames are never the allocation site.
ALLOCATOR_LIBRARY_RE = re.compile(
    r"(^|/)lib(tcmalloc|jemalloc|asan|lsan|hwasan|msan|tsan|ubsan)[\w.+-]*\.so"
    r"|vgpreload_memcheck"
)


def parse_maps(lines: Iterable[str], first_id: int = 1) -> list[Mapping]:
    """Executable mappings (as pprof keeps them), in address order; unparsable lines are skipped."""
    out: list[Mapping] = []
    next_id = first_id
    for line in lines:
        m = _MAPS_RE.match(line)
        if not m or "x" not in m.group(3):
            continue
        out.append(Mapping(
            id=next_id,
            start=int(m.group(1), 16),
            limit=int(m.group(2), 16),
            offset=int(m.group(4), 16),
            filename=m.group(7),
            device=m.group(5) if int(m.group(6)) else "",
            inode=int(m.group(6)),
        ))
        next_id += 1
    out.sort(key=lambda mp: mp.start)
    return out


class MappingIndex:
    """Address → mapping lookup by binary search over non-overlapping ranges."""

    def __init__(self, mappings: Sequence[Mapping]) -> None:
        self._maps = sorted(mappings, key=lambda mp: mp.start)
        self._starts = [mp.start for mp in self._maps]

    def find(self, address: int) -> Mapping | None:
        i = bisect.bisect_right(self._starts, address) - 1
        if i >= 0 and address < self._maps[i].limit:
            return self._maps[i]
        return None


def is_allocator_mapping(m: Mapping | None) -> bool:
    return m is not None and bool(ALLOCATOR_LIBRARY_RE.search(m.filename))
