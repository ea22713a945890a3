"""Parser for pprof `--collapsed` (flame-graph folded) stacks: `root;...;leaf VALUE` per line."""

from __future__ import annotations

import re

from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import Profile, ValueType
from analyzer.profiles.names import strip_address_suffix

FORMAT = "pprof-collapsed"

_LINE_RE = re.compile(r"^(\S.*) (-?\d+)$")
SAMPLE_TYPES = (ValueType("inuse_space", "bytes"),)


def sniff(data: bytes) -> bool:
    lines = [ln for ln in data[:65536].splitlines()[:50] if ln.strip()]
    if not lines or not any(b";" in ln for ln in lines):
        return False
    return all(re.match(rb"^\S.* -?\d+$", ln) for ln in lines[:-1])


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    b = ProfileBuilder(1)
    text = data.decode("utf-8", errors="replace")
    for lineno, ln in enumerate(text.splitlines(), 1):
        if not ln.strip():
            continue
        m = _LINE_RE.match(ln)
        if m is None:
            raise MalformedProfile(path, lineno, "bad collapsed stack line "
                                   f"(want 'a;b;c VALUE'): {ln.strip()[:60]!r}")
        frames = [strip_address_suffix(f) for f in _split(m.group(1))]
        loc_ids = [b.symbolic_location([(f, "", 0)]) for f in reversed(frames)]
        b.add_sample(loc_ids, [int(m.group(2))])
    return b.build(
        sample_types=SAMPLE_TYPES,
        period=1,
        period_type=SAMPLE_TYPES[0],
        source_format=FORMAT,
        source_path=path,
        comments=("values assumed to be pprof's default metric (inuse_space)",),
        default_sample_type="inuse_space",
        symbolized=True,
    )


def _split(stack: str) -> list[str]:
    """Split on ';' outside of (), <> and [] (C++ names may contain ';' only there)."""
    out: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in stack:
        if ch in "(<[":
            depth += 1
        elif ch in ")>]":
            depth = max(0, depth - 1)
        if ch == ";" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out
