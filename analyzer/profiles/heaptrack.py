"""Parser for heaptrack recordings (`heaptrack.NAME.PID.zst|.gz`, as written by heaptrack_interpret).

The recording is a line-oriented event log, every number in hex (file format 2 and 3, heaptrack
1.1 to 1.5):

    v 10400 3                 heaptrack version, file format version
    X ./app --flag            the debuggee's command line
    s 9 /srv/app/app          a string (format 3: length-prefixed), numbered from 1
    i 564eef45719e 1 16 15 4  an instruction pointer, numbered from 1: address, module string, then
                              (function, file, line) triples: the frame, then the frames inlined there
    t 9 8                     a trace node, numbered from 1: ip, parent trace (0 = the root)
    a 1000 b                  an allocation kind, numbered from 0: size, trace
    + 2 / - 2                 one allocation / deallocation of that kind
    c 5                       time since start, in milliseconds

Leaked = allocated and never freed by the end of the recording, per trace (heaptrack_print's
"MEMORY LEAKS"); frames are symbolized already (heaptrack resolves them while recording).
"""

from __future__ import annotations

import re

from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import Profile, ValueType

FORMAT = "heaptrack"

SAMPLE_TYPES = (
    ValueType("leaked_objects", "count"),
    ValueType("leaked_space", "bytes"),
    ValueType("alloc_objects", "count"),
    ValueType("alloc_space", "bytes"),
)
SUPPORTED_FILE_VERSIONS = (2, 3)

_VERSION_RE = re.compile(rb"^v ([0-9a-fA-F]+) ([0-9a-fA-F]+)\s*$")


def sniff(data: bytes) -> bool:
    first = data[:64].split(b"\n", 1)[0]
    return _VERSION_RE.match(first) is not None


class _Recording:
    """The tables and per-allocation-kind counters of one recording."""

    def __init__(self) -> None:
        self.strings: list[str] = [""]  # index 0: none
        self.ips: list[tuple[int, int, list[tuple[int, int, int]]]] = [(0, 0, [])]
        self.traces: list[tuple[int, int]] = [(0, 0)]
        self.kinds: list[tuple[int, int]] = []  # (size, trace)
        self.allocs: list[int] = []
        self.frees: list[int] = []
        self.command = ""
        self.version = ""
        self.file_version = 0
        self.last_ms = 0
        self.attached = False
        self.truncated = False
        self.complete = False


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    rec = _read(data, path)
    return _build(rec, path)


def _read(data: bytes, path: str) -> _Recording:
    rec = _Recording()
    lines = data.decode("utf-8", errors="replace").split("\n")
    if data.endswith(b"\n"):
        lines.pop()
    else:
        lines.pop()  # cut mid-line: a partial number would count silently wrong
        rec.truncated = True
    n = len(lines)
    i = 0
    lineno = 0
    try:
        while i < n:
            ln = lines[i]
            lineno = i + 1
            i += 1
            if not ln:
                continue
            op = ln[0]
            if op == "+":
                rec.allocs[int(ln[2:], 16)] += 1
            elif op == "-":
                rec.frees[int(ln[2:], 16)] += 1
            elif op == "a":
                size, trace = ln[2:].split()
                rec.kinds.append((int(size, 16), int(trace, 16)))
                rec.allocs.append(0)
                rec.frees.append(0)
            elif op == "t":
                ip, parent = ln[2:].split()
                rec.traces.append((int(ip, 16), int(parent, 16)))
            elif op == "i":
                rec.ips.append(_ip(ln[2:].split()))
            elif op == "s":
                i = _string(rec, lines, i, ln)
            elif op == "c":
                rec.last_ms = int(ln[2:], 16)
            elif op == "v":
                version, file_version = ln[2:].split()[:2]
                rec.version, rec.file_version = version, int(file_version, 16)
                if rec.file_version not in SUPPORTED_FILE_VERSIONS:
                    raise MalformedProfile(path, lineno, f"unsupported heaptrack file format version "
                                           f"{rec.file_version} (supported: 2 and 3, heaptrack 1.1 to 1.5)")
            elif op == "X":
                rec.command = ln[2:]
            elif op == "A":
                rec.attached = True
            elif op == "#" and ln.startswith("# strings:"):
                rec.complete = True  # heaptrack_interpret's closing statistics
            # I (system info), R (RSS), # (comments) and record kinds of later versions are not needed.
    except (ValueError, IndexError):
        raise MalformedProfile(path, lineno, f"bad heaptrack record: {lines[lineno - 1].strip()[:60]!r}") from None
    if rec.file_version == 0:
        raise MalformedProfile(path, 1, "heaptrack recording without a version line")
    _check_references(rec, path)
    return rec


def _ip(fields: list[str]) -> tuple[int, int, list[tuple[int, int, int]]]:
    """`address module [function file line]...`; the last triple may be cut short (no file)."""
    address, module = int(fields[0], 16), int(fields[1], 16)
    frames = []
    rest = fields[2:]
    for k in range(0, len(rest), 3):
        triple = rest[k:k + 3]
        function = int(triple[0], 16)
        file = int(triple[1], 16) if len(triple) > 1 else 0
        line = int(triple[2], 16) if len(triple) > 2 else 0
        frames.append((function, file, line))
    return address, module, frames


def _string(rec: _Recording, lines: list[str], i: int, ln: str) -> int:
    """Format 3 strings carry their length (and may then span lines); format 2 strings do not."""
    if rec.file_version >= 3:
        length_hex, _, text = ln[2:].partition(" ")
        length = int(length_hex, 16)
        while len(text) < length and i < len(lines):
            text += "\n" + lines[i]
            i += 1
        rec.strings.append(text[:length])
    else:
        rec.strings.append(ln[2:])
    return i


def _check_references(rec: _Recording, path: str) -> None:
    n_strings, n_ips, n_traces = len(rec.strings), len(rec.ips), len(rec.traces)
    for k, (ip, parent) in enumerate(rec.traces[1:], 1):
        if not 0 < ip < n_ips or not 0 <= parent < n_traces:
            raise MalformedProfile(path, 0, f"trace {k} refers to an unknown instruction pointer or parent")
    for k, (_, module, frames) in enumerate(rec.ips[1:], 1):
        if not 0 <= module < n_strings or any(not (0 <= f < n_strings and 0 <= fl < n_strings)
                                              for f, fl, _ in frames):
            raise MalformedProfile(path, 0, f"instruction pointer {k} refers to an unknown string")
    for k, (_, trace) in enumerate(rec.kinds):
        if not 0 <= trace < n_traces:
            raise MalformedProfile(path, 0, f"allocation {k} refers to unknown trace {trace}")


def _build(rec: _Recording, path: str) -> Profile:
    b = ProfileBuilder(len(SAMPLE_TYPES))
    modules: dict[int, int] = {}
    ip_locations: dict[int, int] = {}

    def location(ip_index: int) -> int:
        lid = ip_locations.get(ip_index)
        if lid is None:
            address, module, frames = rec.ips[ip_index]
            named = [(rec.strings[f], rec.strings[fl], ln) for f, fl, ln in frames if f]
            if not named:
                lid = b.address_location(address)
            else:
                mid = modules.get(module)
                if mid is None and rec.strings[module]:
                    mid = modules[module] = b.add_mapping(rec.strings[module])
                lid = b.symbolic_location(named, address, mid or 0)
            ip_locations[ip_index] = lid
        return lid

    stacks: dict[int, list[int]] = {0: []}

    def stack(trace: int) -> list[int]:
        chain = []
        t = trace
        while t not in stacks:
            chain.append(t)
            t = rec.traces[t][1]
            if len(chain) > len(rec.traces):
                raise MalformedProfile(path, 0, f"trace {trace} has a cycle")
        out = stacks[t]
        for t in reversed(chain):
            out = [location(rec.traces[t][0]), *out]
            stacks[t] = out
        return out

    warnings = []
    for k, (size, trace) in enumerate(rec.kinds):
        allocs, frees = rec.allocs[k], rec.frees[k]
        if not allocs and not frees:
            continue
        leaked = max(allocs - frees, 0)
        b.add_sample(stack(trace), [leaked, leaked * size, allocs, allocs * size])
    if rec.truncated or not rec.complete:
        warnings.append("the recording ends early (the process was killed, or the file is truncated): "
                        "allocations still live then count as leaked")
    if rec.attached:
        warnings.append("heaptrack attached to a running process: allocations made before are not known")
    if any(f > a for a, f in zip(rec.allocs, rec.frees, strict=True)):
        warnings.append("more frees than allocations for some stacks (attached late, or a corrupt recording)")
    comments = [f"heaptrack {_version(rec.version)}, file format {rec.file_version}, {rec.last_ms} ms recorded"]
    if rec.command:
        comments.append(f"command: {rec.command}")
    return b.build(
        sample_types=SAMPLE_TYPES,
        period=1,
        period_type=SAMPLE_TYPES[1],
        source_format=FORMAT,
        source_path=path,
        warnings=tuple(warnings),
        comments=tuple(comments),
        default_sample_type="leaked_space",
        symbolized=True,
    )


def _version(hex_version: str) -> str:
    """heaptrack writes its version as hex 0xMMmmpp (10400 = 1.4.0)."""
    try:
        v = int(hex_version, 16)
    except ValueError:
        return hex_version
    return f"{v >> 16}.{(v >> 8) & 0xFF}.{v & 0xFF}"
