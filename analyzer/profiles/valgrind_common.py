"""Shared pieces of the valgrind memcheck parsers: sample types, leak kinds, profile assembly."""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.model import Profile, ValueType

SAMPLE_TYPES = (ValueType("leaked_objects", "count"), ValueType("leaked_space", "bytes"))

# memcheck's XML kinds and text phrases → the `leak_kind` label.
KIND_BY_XML = {
    "Leak_DefinitelyLost": "definite",
    "Leak_IndirectlyLost": "indirect",
    "Leak_PossiblyLost": "possible",
    "Leak_StillReachable": "reachable",
}
KIND_BY_TEXT = {
    "definitely lost": "definite",
    "indirectly lost": "indirect",
    "possibly lost": "possible",
    "still reachable": "reachable",
}


@dataclass
class VgFrame:
    ip: int
    function: str
    file: str
    line: int
    obj: str


@dataclass
class LossRecord:
    kind: str
    blocks: int
    own_bytes: int
    indirect_bytes: int
    frames: list[VgFrame] = field(default_factory=list)


def build_profile(records: list[LossRecord], path: str, fmt: str,
                  warnings: list[str], comments: list[str]) -> Profile:
    """One sample per loss record; `leaked_space` is the record's own (direct) bytes.

    A definitely-lost record's total also counts the indirect blocks it owns, which have
    records of their own; that part is kept as the `indirect_bytes` numeric label so that
    sums over samples do not count it twice.
    """
    b = ProfileBuilder(len(SAMPLE_TYPES), aggregate=False)
    for rec in records:
        loc_ids = []
        for fr in rec.frames:
            if fr.function and fr.function != "???":
                loc_ids.append(b.symbolic_location([(fr.function, fr.file, fr.line)], fr.ip))
            else:
                loc_ids.append(b.address_location(fr.ip))
        num = (("indirect_bytes", rec.indirect_bytes),) if rec.indirect_bytes else ()
        b.add_sample(loc_ids, [rec.blocks, rec.own_bytes], (("leak_kind", rec.kind),), num)
    return b.build(
        sample_types=SAMPLE_TYPES,
        period=1,
        period_type=SAMPLE_TYPES[1],
        source_format=fmt,
        source_path=path,
        warnings=tuple(warnings),
        comments=tuple(comments),
        default_sample_type="leaked_space",
    )
