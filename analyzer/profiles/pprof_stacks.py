"""Parser for pprof `--text --stacks`: one block per stack, `(addr) file:line:function` frames."""

from __future__ import annotations

import re

from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import Profile, ValueType

FORMAT = "pprof-stacks"

_VALUE_RE = re.compile(r"^(-?[\d.]+)\s+\(([0-9a-fA-F]+)\)\s+(.*)$")
_CONT_RE = re.compile(r"^\s+\(([0-9a-fA-F]+)\)\s+(.*)$")
_WHERE_RE = re.compile(r"^(.*?):(\d+):(.*)$")
_TOTAL_RE = re.compile(r"^Total: -?[\d.]+ (B|MB|objects)")


def sniff(data: bytes) -> bool:
    return re.search(rb"(?m)^Stacks:\s*$", data[:65536]) is not None


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    lines = data.decode("utf-8", errors="replace").splitlines()
    unit = "B"
    for ln in lines:
        tm = _TOTAL_RE.match(ln)
        if tm:
            unit = tm.group(1)
            break
    vt = ValueType("inuse_objects", "count") if unit == "objects" else ValueType("inuse_space", "bytes")
    mult = 1048576 if unit == "MB" else 1
    b = ProfileBuilder(1)
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "Stacks:")
    value = None
    locs: list[int] = []
    for lineno, ln in enumerate(lines[start + 1:], start + 2):
        m = _VALUE_RE.match(ln)
        c = None if m else _CONT_RE.match(ln)
        if m:
            if value is not None:
                b.add_sample(locs, [value])
            value = round(float(m.group(1)) * mult)
            locs = [_location(b, m.group(2), m.group(3))]
        elif c and value is not None:
            locs.append(_location(b, c.group(1), c.group(2)))
        elif ln.strip():
            if value is None:
                raise MalformedProfile(path, lineno, f"bad --stacks line: {ln.strip()[:60]!r}")
            break  # pprof follows the stacks with a "Leak of ..." view and the text table
    if value is not None:
        b.add_sample(locs, [value])
    return b.build(sample_types=(vt,), period=1, period_type=vt, source_format=FORMAT,
                   source_path=path, default_sample_type=vt.type, symbolized=True)


def _location(b: ProfileBuilder, addr: str, where: str) -> int:
    wm = _WHERE_RE.match(where)
    file, line, func = (wm.group(1), int(wm.group(2)), wm.group(3)) if wm else ("", 0, where)
    if file == "??":
        file = ""
    return b.symbolic_location([(func, file, line)], int(addr, 16))
