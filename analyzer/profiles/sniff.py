"""Format detection by content: gunzip if needed, then try each registered parser in order."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable
from dataclasses import replace

from analyzer.profiles import (
    gperf_heap,
    lsan,
    pprof_collapsed,
    pprof_proto,
    pprof_stacks,
    pprof_text,
    valgrind_text,
    valgrind_xml,
)
from analyzer.profiles.errors import MalformedProfile, NotMyFormat, UnknownFormat
from analyzer.profiles.model import InvalidProfile, Profile

Parser = Callable[[bytes, str], Profile]

# Order matters only where formats overlap: `--stacks` output also has a `Total:` line.
PARSERS: dict[str, Parser] = {
    pprof_proto.FORMAT: pprof_proto.parse,
    gperf_heap.FORMAT: gperf_heap.parse,
    lsan.FORMAT: lsan.parse,
    valgrind_xml.FORMAT: valgrind_xml.parse,
    valgrind_text.FORMAT: valgrind_text.parse,
    pprof_stacks.FORMAT: pprof_stacks.parse,
    pprof_text.FORMAT: pprof_text.parse,
    pprof_collapsed.FORMAT: pprof_collapsed.parse,
}

_GZIP_MAGIC = b"\x1f\x8b"
_MAX_GUNZIP = 4 << 30


def parse_data(data: bytes, path: str = "<data>") -> Profile:
    """Parse profile bytes of any supported format; raise `MalformedProfile` on bad input."""
    if not data.strip():
        raise MalformedProfile(path, 0, "empty file")
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(data, path)
        if not data.strip():
            raise MalformedProfile(path, 0, "empty file (after gunzip)")
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
    raise UnknownFormat(path, 0, "unrecognized profile format (expected a gperftools/tcmalloc "
                        "heap profile, pprof text/proto, LeakSanitizer or valgrind report)")


def load_profile(path: str) -> Profile:
    """Read and parse the profile at `path`; time_nanos defaults to the file's mtime."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        mtime_ns = os.stat(path).st_mtime_ns
    except OSError as exc:
        raise MalformedProfile(path, 0, exc.strerror or str(exc)) from None
    prof = parse_data(data, path)
    if not prof.time_nanos:
        prof = replace(prof, time_nanos=mtime_ns, comments=(*prof.comments, "time: file mtime"))
    return prof


def _gunzip(data: bytes, path: str) -> bytes:
    try:
        d = zlib.decompressobj(wbits=31)
        out = d.decompress(data, _MAX_GUNZIP)
        if not d.eof:
            raise MalformedProfile(path, 0, "truncated gzip stream")
        return out
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        raise MalformedProfile(path, 0, f"corrupt gzip data: {exc}") from None
