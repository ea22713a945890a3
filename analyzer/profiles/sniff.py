"""Format detection by content: gunzip if needed, then try each registered parser in order."""

from __future__ import annotations

import contextlib
import gzip
import os
import zlib
from collections.abc import Callable, Iterator
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

# ---- what no real profile needs: past these, a clear error instead of exhausting memory or time ----------------
MAX_BYTES = 1 << 30  # a profile file, before or after decompression (a gzip bomb stops here)
MAX_SAMPLES = 5_000_000  # distinct stacks
MAX_STACK_DEPTH = 10_000  # frames in one stack
MAX_VALUE = 1 << 63  # a count or size beyond 64 bits is corruption


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


def run_parser(parse: Parser, data: bytes, path: str) -> Profile:
    """One parser on (decompressed) data: its Profile, checked, or NotMyFormat / MalformedProfile.

    Arithmetic on absurd numbers (a count of 5,000 digits, a zero sampling rate) ends in a MalformedProfile here,
    whichever parser met it."""
    with _absurd_numbers(path):
        prof = parse(data, path)
    check_bounds(prof, path)
    try:
        prof.validate()
    except InvalidProfile as exc:  # a parser bug, but still no traceback for the user
        raise MalformedProfile(path, 0, f"internal inconsistency: {exc}") from None
    return prof


@contextlib.contextmanager
def _absurd_numbers(path: str) -> Iterator[None]:
    try:
        yield
    except (NotMyFormat, MalformedProfile, InvalidProfile):  # InvalidProfile: a parser bug, reported as such
        raise
    except (ArithmeticError, ValueError) as exc:
        raise MalformedProfile(path, 0, f"absurd number in the data ({_one_line(exc)})") from None


def _one_line(exc: BaseException) -> str:
    text = str(exc).split(";")[0].strip()  # the int-size limit's message goes on with Python advice
    return f"{type(exc).__name__}: {text[:80]}"


def check_bounds(prof: Profile, path: str) -> None:
    """MalformedProfile when the profile holds more stacks, deeper stacks or larger values than any real one."""
    if len(prof.samples) > MAX_SAMPLES:
        raise MalformedProfile(path, 0, f"{len(prof.samples):,} stacks: more than the {MAX_SAMPLES:,} leakscan "
                                        "reads")
    for s in prof.samples:
        if len(s.location_ids) > MAX_STACK_DEPTH:
            raise MalformedProfile(path, 0, f"a stack of {len(s.location_ids):,} frames: more than the "
                                            f"{MAX_STACK_DEPTH:,} leakscan reads")
        for v in s.values:
            if not -MAX_VALUE < v < MAX_VALUE:  # NaN fails too
                raise MalformedProfile(path, 0, "a sample value beyond 64 bits: the file is corrupt")


def parse_data(data: bytes, path: str = "<data>") -> Profile:
    """Parse profile bytes of any supported format; raise `MalformedProfile` on bad input."""
    data = decompress(data, path)
    for parse in PARSERS.values():
        try:
            return run_parser(parse, data, path)
        except NotMyFormat:
            continue
    raise UnknownFormat(path, 0, "unrecognized profile format (expected a gperftools/tcmalloc/jemalloc "
                        "heap profile, pprof text/proto, heaptrack or massif recording, LeakSanitizer or "
                        "valgrind report)")


def parse_series_data(data: bytes, path: str = "<data>") -> list[Profile]:
    """Every snapshot of a file that records several over time (massif); one profile for other formats."""
    data = decompress(data, path)
    for name, sniff in SERIES_SNIFFERS.items():
        if sniff(data):
            with _absurd_numbers(path):
                series = SERIES_PARSERS[name](data, path)
            for prof in series:
                check_bounds(prof, path)
            return series
    return [parse_data(data, path)]


def _read(path: str) -> tuple[bytes, int]:
    try:
        st = os.stat(path)
        if st.st_size > MAX_BYTES:
            raise MalformedProfile(path, 0, f"{st.st_size / (1 << 30):.1f} GiB: larger than the "
                                            f"{MAX_BYTES >> 30} GiB leakscan reads")
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
        return data, st.st_mtime_ns
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


def _too_big(path: str, how: str) -> MalformedProfile:
    return MalformedProfile(path, 0, f"{how} data decompresses to more than {MAX_BYTES >> 30} GiB (a compression "
                                     "bomb, or a profile too large to read)")


def _gunzip(data: bytes, path: str) -> bytes:
    """Every member of the gzip file (as gzip -d does), at most MAX_BYTES in all."""
    parts: list[bytes] = []
    room = MAX_BYTES
    try:
        while data:
            d = zlib.decompressobj(wbits=31)
            parts.append(d.decompress(data, room))
            room -= len(parts[-1])
            if d.unconsumed_tail:
                raise _too_big(path, "gzip")
            if not d.eof:
                raise MalformedProfile(path, 0, "truncated gzip stream")
            data = d.unused_data if d.unused_data[:2] == _GZIP_MAGIC else b""  # trailing zeros end the file
        return b"".join(parts)
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        raise MalformedProfile(path, 0, f"corrupt gzip data: {exc}") from None


def _unzstd(data: bytes, path: str) -> bytes:
    try:
        import zstandard
    except ImportError:
        raise MalformedProfile(path, 0, "zstd-compressed: needs the 'zstandard' Python package") from None
    parts: list[bytes] = []
    size = pos = 0
    try:
        while pos < len(data):  # one frame after the other (zstd files may hold several)
            d = zstandard.ZstdDecompressor().decompressobj()
            while not d.eof and pos < len(data):
                # fed 1 KiB at a time: one call then yields at most ~32 MiB, so a bomb stops near the limit
                chunk = data[pos:pos + 1024]
                pos += len(chunk)
                parts.append(d.decompress(chunk))
                size += len(parts[-1])
                if size > MAX_BYTES:
                    raise _too_big(path, "zstd")
            if not d.eof:
                raise MalformedProfile(path, 0, "truncated zstd stream")
            pos -= len(d.unused_data)
    except zstandard.ZstdError as exc:
        raise MalformedProfile(path, 0, f"corrupt zstd data: {exc}") from None
    return b"".join(parts)
