"""Parser for LeakSanitizer/AddressSanitizer leak reports, symbolized or with `symbolize=0`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import Profile, ValueType

FORMAT = "lsan"

SAMPLE_TYPES = (ValueType("leaked_objects", "count"), ValueType("leaked_space", "bytes"))

_HEADER_RE = re.compile(r"==\d+==ERROR: LeakSanitizer: detected memory leaks")
_BLOCK_RE = re.compile(
    r"^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) object\(s\) allocated from:\s*$")
# Matched against lines without trailing blanks, and with no leading `\s*` in a search: either makes a long run of
# blanks cost its square.
_FRAME_RE = re.compile(r"^\s+#(\d+)\s+0x([0-9a-fA-F]+)\s*(?:in\s+)?(.*)$")
_BUILD_ID_RE = re.compile(r"\(BuildId: ([0-9a-fA-F]+)\)$")
_MODULE_RE = re.compile(r"\(([^()]+)\+0x([0-9a-fA-F]+)\)$")
_FILELINE_RE = re.compile(r"\s(\S+?):(\d+)(?::\d+)?$")
_FUNC_OFFSET_RE = re.compile(r"\+0x[0-9a-fA-F]+$")
_SUMMARY_RE = re.compile(r"^SUMMARY: \w+Sanitizer: (\d+) byte\(s\) leaked in (\d+) allocation\(s\)")


@dataclass
class _Frame:
    pc: int
    function: str
    file: str
    line: int
    module: str
    offset: int
    build_id: str


def sniff(data: bytes) -> bool:
    head = data[:65536]
    return b"LeakSanitizer" in head or re.search(
        rb"(?m)^(Direct|Indirect) leak of \d+ byte\(s\)", head) is not None


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    lines = data.decode("utf-8", errors="replace").splitlines()
    blocks: list[tuple[str, int, int, list[_Frame], int]] = []
    warnings: list[str] = []
    comments: list[str] = []
    reports = 0
    summary: tuple[int, int] | None = None
    cur: list[_Frame] | None = None
    for lineno, ln in enumerate(lines, 1):
        if _HEADER_RE.search(ln):
            reports += 1
            continue
        m = _BLOCK_RE.match(ln)
        if m:
            cur = []
            blocks.append((m.group(1).lower(), int(m.group(2)), int(m.group(3)), cur, lineno))
            continue
        if cur is not None:
            fm = _FRAME_RE.match(ln.rstrip())
            if fm:
                cur.append(_parse_frame(fm))
                continue
            if ln.strip():
                cur = None
        sm = _SUMMARY_RE.match(ln)
        if sm:
            summary = (int(sm.group(1)), int(sm.group(2)))
            comments.append(ln.strip())
    if not blocks:
        if reports:
            raise MalformedProfile(path, 0, "LeakSanitizer report without any leak record (truncated?)")
        raise NotMyFormat(path)
    for kind, _, _, frames, lineno in blocks:
        if not frames:
            raise MalformedProfile(path, lineno, f"{kind} leak record without a stack (truncated?)")
    if reports > 1:
        warnings.append(f"{reports} LeakSanitizer reports in one file; their leaks are merged")
    total = sum(b[1] for b in blocks)
    if summary is None:
        warnings.append("no SUMMARY line: the report may be truncated")
    elif summary[0] != total and reports == 1:
        warnings.append(f"leak records sum to {total} bytes but SUMMARY says {summary[0]}")
    return _build(blocks, path, warnings, comments)


def _parse_frame(fm: re.Match[str]) -> _Frame:
    rest = fm.group(3)
    build_id = module = file = ""
    offset = line = 0
    bm = _BUILD_ID_RE.search(rest)
    if bm:
        build_id = bm.group(1)
        rest = rest[:bm.start()].rstrip()
    mm = _MODULE_RE.search(rest)
    if mm:
        module, offset = mm.group(1), int(mm.group(2), 16)
        rest = rest[:mm.start()].rstrip()
    else:
        lm = _FILELINE_RE.search(rest)
        if lm:
            file, line = lm.group(1), int(lm.group(2))
            rest = rest[:lm.start()]
    func = _FUNC_OFFSET_RE.sub("", rest.strip())
    return _Frame(int(fm.group(2), 16), func, file, line, module, offset, build_id)


def _build(blocks: list[tuple[str, int, int, list[_Frame], int]], path: str,
           warnings: list[str], comments: list[str]) -> Profile:
    b = ProfileBuilder(len(SAMPLE_TYPES))
    # A module's load bias is pc - offset (the offset printed by LSan is the ELF vaddr).
    bias: dict[tuple[str, str], tuple[int, int]] = {}
    for _, _, _, frames, _ in blocks:
        for fr in frames:
            if fr.module:
                key = (fr.module, fr.build_id)
                start, top = bias.get(key, (fr.pc - fr.offset, 0))
                bias[key] = (start, max(top, fr.offset + 1))
    mapping_ids = {
        key: b.add_mapping(key[0], start, start + top, 0, key[1])
        for key, (start, top) in sorted(bias.items())
    }
    for kind, nbytes, nobjs, frames, _ in blocks:
        loc_ids = []
        for pos, fr in enumerate(frames):
            mid = mapping_ids.get((fr.module, fr.build_id), 0) if fr.module else 0
            # Caller frames hold return addresses; step back into the call (as pprof does).
            addr = fr.pc - 1 if pos > 0 and fr.pc else fr.pc
            if fr.function:
                loc_ids.append(b.symbolic_location([(fr.function, fr.file, fr.line)], addr, mid))
            else:
                loc_ids.append(b.address_location(addr, mid))
        b.add_sample(loc_ids, [nobjs, nbytes], (("leak_kind", kind),))
    return b.build(
        sample_types=SAMPLE_TYPES,
        period=1,
        period_type=SAMPLE_TYPES[1],
        source_format=FORMAT,
        source_path=path,
        warnings=tuple(warnings),
        comments=tuple(comments),
        default_sample_type="leaked_space",
    )
