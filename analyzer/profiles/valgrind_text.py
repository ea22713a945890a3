"""Parser for valgrind memcheck's text leak report (`==PID==` prefixed loss records)."""

from __future__ import annotations

import re

from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import Profile
from analyzer.profiles.valgrind_common import KIND_BY_TEXT, LossRecord, VgFrame, build_profile

FORMAT = "valgrind-text"

_PREFIX_RE = re.compile(r"^==(\d+)== ?")
_RECORD_RE = re.compile(
    r"^([\d,]+)(?: \(([\d,]+) direct, ([\d,]+) indirect\))? bytes in ([\d,]+) blocks are "
    r"(definitely lost|indirectly lost|possibly lost|still reachable) in loss record [\d,]+ of [\d,]+"
)
_FRAME_RE = re.compile(r"^\s+(?:at|by) 0x([0-9A-Fa-f]+): (.*?)(?: \((?:in )?([^()]*)\))?$")


def sniff(data: bytes) -> bool:
    head = data[:8192]
    return re.search(rb"(?m)^==\d+== (Memcheck|HEAP SUMMARY|LEAK SUMMARY)", head) is not None or (
        re.search(rb"(?m)^==\d+== ", head) is not None and b"loss record" in data)


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    records: list[LossRecord] = []
    comments: list[str] = []
    cur: LossRecord | None = None
    saw_summary = False
    for lineno, raw in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        pm = _PREFIX_RE.match(raw)
        if not pm:
            continue
        ln = raw[pm.end():]
        if ln.startswith("Command:"):
            comments.append(ln.strip())
        if ln.startswith("LEAK SUMMARY"):
            saw_summary = True
        m = _RECORD_RE.match(ln)
        if m:
            own = _num(m.group(2)) if m.group(2) else _num(m.group(1))
            indirect = _num(m.group(3)) if m.group(3) else 0
            cur = LossRecord(KIND_BY_TEXT[m.group(5)], _num(m.group(4)), own, indirect)
            records.append(cur)
            continue
        if cur is not None:
            fm = _FRAME_RE.match(ln)
            if fm:
                cur.frames.append(_frame(fm))
            elif not ln.strip():
                if not cur.frames:
                    raise MalformedProfile(path, lineno, "loss record without a stack")
                cur = None
    warnings = [] if saw_summary or not records else ["no LEAK SUMMARY: the report may be truncated"]
    return build_profile(records, path, FORMAT, warnings, comments)


def _frame(fm: re.Match[str]) -> VgFrame:
    where = fm.group(3) or ""
    file, line, obj = "", 0, ""
    fl = re.match(r"^(.*):(\d+)$", where)
    if fl:
        file, line = fl.group(1), int(fl.group(2))
    else:
        obj = where
    return VgFrame(int(fm.group(1), 16), fm.group(2), file, line, obj)


def _num(s: str) -> int:
    return int(s.replace(",", ""))
