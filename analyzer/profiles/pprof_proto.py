"""Reader and writer for pprof's `profile.proto` (the gzip is handled by sniff.py on reading)."""

from __future__ import annotations

import gzip
from typing import Any

from google.protobuf.message import DecodeError

from analyzer.profiles.errors import MalformedProfile, NotMyFormat
from analyzer.profiles.model import (
    Function,
    InvalidProfile,
    Line,
    Location,
    Mapping,
    Profile,
    Sample,
    ValueType,
)
from analyzer.profiles.proto_schema import profile_class

FORMAT = "pprof-proto"


def sniff(data: bytes) -> bool:
    """Binary data starting with field 1 (tag 0x0a, as pprof writes sample_type first).

    Text reports may also start with a newline (LSan does), so control bytes are required too.
    """
    return data[:1] == b"\x0a" and any(b < 9 or 13 < b < 32 for b in data[1:64])


def parse(data: bytes, path: str) -> Profile:
    if not sniff(data):
        raise NotMyFormat(path)
    msg = profile_class()()
    try:
        msg.ParseFromString(data)
    except DecodeError as exc:
        raise MalformedProfile(path, 0, f"invalid profile.proto data: {exc}") from None
    strings = list(msg.string_table)
    if msg.sample_type and (not strings or strings[0] != ""):
        raise MalformedProfile(path, 0, "invalid profile.proto data: string_table[0] must be ''")

    def s(i: int) -> str:
        if not 0 <= i < len(strings):
            raise MalformedProfile(path, 0, f"string index {i} out of range ({len(strings)} strings)")
        return str(strings[i])

    types = tuple(ValueType(s(vt.type), s(vt.unit)) for vt in msg.sample_type)
    samples = []
    for smp in msg.sample:
        labels = tuple((s(lb.key), s(lb.str)) for lb in smp.label if lb.str)
        nums = tuple((s(lb.key), int(lb.num)) for lb in smp.label if not lb.str)
        samples.append(Sample(tuple(smp.location_id), tuple(smp.value), labels, nums))
    mappings = tuple(
        Mapping(m.id, m.memory_start, m.memory_limit, m.file_offset, s(m.filename), s(m.build_id))
        for m in msg.mapping)
    functions = tuple(
        Function(f.id, s(f.name), s(f.system_name), s(f.filename), f.start_line)
        for f in msg.function)
    locations = tuple(
        Location(loc.id, loc.mapping_id, loc.address,
                 tuple(Line(ln.function_id, ln.line) for ln in loc.line))
        for loc in msg.location)
    period_type = ValueType(s(msg.period_type.type), s(msg.period_type.unit)) \
        if msg.HasField("period_type") else None
    prof = Profile(
        sample_types=types,
        samples=tuple(samples),
        locations=locations,
        functions=functions,
        mappings=mappings,
        period=msg.period,
        period_type=period_type,
        time_nanos=msg.time_nanos,
        source_format=FORMAT,
        source_path=path,
        comments=tuple(s(c) for c in msg.comment),
        default_sample_type=s(msg.default_sample_type),
        symbolized=bool(locations) and all(loc.lines for loc in locations),
    )
    if not types:
        raise MalformedProfile(path, 0, "profile.proto without sample types")
    try:
        prof.validate()
    except InvalidProfile as exc:
        raise MalformedProfile(path, 0, f"inconsistent profile.proto: {exc}") from None
    return prof


def to_proto(profile: Profile, compress: bool = True) -> bytes:
    """Serialize a Profile as pprof does (values rounded to int64); gzip unless told otherwise."""
    msg: Any = profile_class()()
    strings: dict[str, int] = {"": 0}

    def idx(text: str) -> int:
        if text not in strings:
            strings[text] = len(strings)
        return strings[text]

    for vt in profile.sample_types:
        msg.sample_type.add(type=idx(vt.type), unit=idx(vt.unit))
    for smp in profile.samples:
        out = msg.sample.add(location_id=list(smp.location_ids), value=[round(v) for v in smp.values])
        for k, v in smp.labels:
            out.label.add(key=idx(k), str=idx(v))
        for k, n in smp.num_labels:
            out.label.add(key=idx(k), num=n)
    for m in profile.mappings:
        msg.mapping.add(id=m.id, memory_start=m.start, memory_limit=m.limit, file_offset=m.offset,
                        filename=idx(m.filename), build_id=idx(m.build_id),
                        has_functions=profile.symbolized)
    for loc in profile.locations:
        out = msg.location.add(id=loc.id, mapping_id=loc.mapping_id, address=loc.address)
        for ln in loc.lines:
            out.line.add(function_id=ln.function_id, line=ln.line)
    for f in profile.functions:
        msg.function.add(id=f.id, name=idx(f.name), system_name=idx(f.system_name),
                         filename=idx(f.filename), start_line=f.start_line)
    if profile.period_type:
        msg.period_type.type = idx(profile.period_type.type)
        msg.period_type.unit = idx(profile.period_type.unit)
    msg.period = int(profile.period)
    msg.time_nanos = profile.time_nanos
    for c in profile.comments:
        msg.comment.append(idx(c))
    if profile.default_sample_type:
        msg.default_sample_type = idx(profile.default_sample_type)
    msg.string_table.extend(strings)
    data: bytes = msg.SerializeToString()
    return gzip.compress(data, mtime=0) if compress else data
