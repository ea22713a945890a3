"""Parser for valgrind memcheck `--xml=yes` output (leak records only), via defusedxml."""

from __future__ import annotations

import os
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import Profile
from analyzer.profiles.valgrind_common import KIND_BY_XML, LossRecord, VgFrame, build_profile

FORMAT = "valgrind-xml"

_INDIRECT_RE = re.compile(r"\(([\d,]+) direct, ([\d,]+) indirect\)")


def sniff(data: bytes) -> bool:
    return b"<valgrindoutput" in data[:4096]


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    try:
        root = SafeET.fromstring(data)
    except ParseError as exc:
        line = exc.position[0] if exc.position else 0
        raise MalformedProfile(path, line, f"invalid valgrind XML (truncated?): {exc.msg}") from None
    except DefusedXmlException as exc:
        raise MalformedProfile(path, 0, f"refusing unsafe XML: {exc}") from None
    if root.tag != "valgrindoutput":
        raise NotMyFormat(path)
    tool = root.findtext("tool", "")
    warnings: list[str] = []
    if tool and tool != "memcheck":
        warnings.append(f"valgrind tool is {tool}, not memcheck: no leak records expected")
    records = []
    for err in root.iter("error"):
        kind = KIND_BY_XML.get(err.findtext("kind", ""))
        if kind is None:
            continue
        records.append(_record(err, kind, path))
    comments = [f"pid {root.findtext('pid', '?')}"]
    exe = root.findtext("args/argv/exe")
    if exe:
        comments.append(f"command: {exe}")
    return build_profile(records, path, FORMAT, warnings, comments)


def _record(err: Element, kind: str, path: str) -> LossRecord:
    xwhat = err.find("xwhat")
    if xwhat is None:
        raise MalformedProfile(path, 0, "leak <error> without <xwhat>")
    try:
        total = int(xwhat.findtext("leakedbytes", "0"))
        blocks = int(xwhat.findtext("leakedblocks", "0"))
    except ValueError:
        raise MalformedProfile(path, 0, "non-numeric <leakedbytes>/<leakedblocks>") from None
    indirect = 0
    m = _INDIRECT_RE.search(xwhat.findtext("text", ""))
    if m:
        indirect = int(m.group(2).replace(",", ""))
    rec = LossRecord(kind, blocks, total - indirect, indirect)
    stack = err.find("stack")
    for fr in (stack.findall("frame") if stack is not None else []):
        file = fr.findtext("file", "")
        d = fr.findtext("dir", "")
        if file and d:
            file = os.path.join(d, file)
        try:
            ip = int(fr.findtext("ip", "0"), 16)
            line = int(fr.findtext("line", "0"))
        except ValueError:
            raise MalformedProfile(path, 0, "bad <ip> or <line> in a stack frame") from None
        rec.frames.append(VgFrame(ip, fr.findtext("fn", ""), file, line, fr.findtext("obj", "")))
    return rec
