"""Format detection by content: gunzip if needed, then try each registered parser in order."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable
from dataclasses import replace

from analyzer.profiles import (
    gperf_heap,
    heaptrack,
    jemalloc_heap,
    lsan,
    massif,
    pprof_collapsed,
    pprof_proto,
    pprof_stacks,
    pprof_text,
    valgrind_text,
    valgrind_xml,
)
from analyzer.profiles.errors import MalformedProfile, NotMyFormat, UnknownFormat
from analyzer.profiles.model import TIME_FROM_MTIME, InvalidProfile, Profile

Parser = Callable[[bytes, str], Profile]

# Order matters only where formats overlap: `--stacks` output also has a `Total:` line.
PARSERS: dict[str, Parser] = {
    pprof_proto.FORMAT: pprof_proto.parse,
    gperf_heap.FORMAT: gperf_heap.parse,
    jemalloc_heap.FORMAT: jemalloc_heap.parse,
    heaptrack.FORMAT: heaptrack.parse,
    massif.FORMAT: massif.parse,
    lsan.FORMAT: lsan.parse,
    valgrind_xml.FORMAT: valgrind_xml.parse,
    valgrind_text.FORMAT: valgrind_text.parse,
    pprof_stacks.FORMAT: pprof_stacks.parse,
    pprof_text.FORMAT: pprof_text.parse,
    pprof_collapsed.FORMAT: pprof_collapsed.parse,
}

# Formats whose one file holds several snapshots over time: all of them, oldest first.
SERIES_PARSERS: dict[str, Callable[[bytes, str], list[Profile]]] = {
    massif.FORMAT: massif.parse_series,
}
SERIES_SNIFFERS: dict[str, Callable[[bytes], bool]] = {
    massif.FORMAT: massif.sniff,
}

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_MAX_GUNZIP = 4 << 30


def decompress(data: bytes, path: str) -> bytes:
    """The plain bytes of a gzip- or zstd-compressed file (others as they are); raise on empty or broken data."""
    if not data.strip():
        raise MalformedProfile(path, 0, "empty file")
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(data, path)
        if not data.strip():
            raise MalformedProfile(path, 0, "empty file (after gunzip)")
    elif data[:4] == _ZSTD_MAGIC:
        data = _unzstd(data, path)
        if not data.strip():
            raise MalformedProfile(path, 0, "empty file (after zstd decompression)")
    return data


def parse_data(data: bytes, path: str = "<data>") -> Profile:
    """Parse profile bytes of any supported format; raise `MalformedProfile` on bad input."""
    data = decompress(data, path)
    for parse in PARSERS.values():
        try:
            prof = parse(data, path)
        except NotMyFormat:
            continue
        try:
            prof.validate()
        except InvalidProfile as exc:  # a parser bug, but still no traceback for the user
            raise MalformedProfile(path, 0, f"internal inconsistency: {exc}") from None
        return prof
    raise UnknownFormat(path, 0, "unrecognized profile format (expected a gperftools/tcmalloc/jemalloc "
                        "heap profile, pprof text/proto, heaptrack or massif recording, LeakSanitizer or "
                        "valgrind report)")


def parse_series_data(data: bytes, path: str = "<data>") -> list[Profile]:
    """Every snapshot of a file that records several over time (massif); one profile for other formats."""
    data = decompress(data, path)
    for name, sniff in SERIES_SNIFFERS.items():
        if sniff(data):
            return SERIES_PARSERS[name](data, path)
    return [parse_data(data, path)]


def _read(path: str) -> tuple[bytes, int]:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        return data, os.stat(path).st_mtime_ns
    except OSError as exc:
        raise MalformedProfile(path, 0, exc.strerror or str(exc)) from None


def _with_time(prof: Profile, mtime_ns: int) -> Profile:
    if prof.time_nanos:
        return prof
    return replace(prof, time_nanos=mtime_ns, comments=(*prof.comments, TIME_FROM_MTIME))


def load_profile(path: str) -> Profile:
    """Read and parse the profile at `path`; time_nanos defaults to the file's mtime."""
    data, mtime_ns = _read(path)
    return _with_time(parse_data(data, path), mtime_ns)


def load_series(path: str) -> list[Profile]:
    """Read every snapshot in the file at `path` (one profile unless the format records a series)."""
    data, mtime_ns = _read(path)
    return [_with_time(p, mtime_ns) for p in parse_series_data(data, path)]


def _gunzip(data: bytes, path: str) -> bytes:
    try:
        d = zlib.decompressobj(wbits=31)
        out = d.decompress(data, _MAX_GUNZIP)
        if not d.eof:
            raise MalformedProfile(path, 0, "truncated gzip stream")
        return out
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        raise MalformedProfile(path, 0, f"corrupt gzip data: {exc}") from None


def _unzstd(data: bytes, path: str) -> bytes:
    try:
        import zstandard
    except ImportError:
        raise MalformedProfile(path, 0, "zstd-compressed: needs the 'zstandard' Python package") from None
    parts: list[bytes] = []
    size = 0
    try:
        while data:  # one frame after the other (zstd files may hold several)
            d = zstandard.ZstdDecompressor().decompressobj()
            parts.append(d.decompress(data))
            if not d.eof:
                raise MalformedProfile(path, 0, "truncated zstd stream")
            size += len(parts[-1])
            if size > _MAX_GUNZIP:
                raise MalformedProfile(path, 0, "zstd data too large (over 4 GiB decompressed)")
            data = d.unused_data
    except zstandard.ZstdError as exc:
        raise MalformedProfile(path, 0, f"corrupt zstd data: {exc}") from None
    return b"".join(parts)
