"""Model invariants, JSON, frame views, names, folding and the proto schema."""

from __future__ import annotations

import json

import pytest
from google.protobuf import descriptor_pb2, text_format

from analyzer.profiles import Frame, parse_data
from analyzer.profiles.fold import fold_allocator_frames, is_allocator_function
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
from analyzer.profiles.names import demangle, join_key, short_name, strip_address_suffix
from analyzer.profiles.proto_compile import compile_descriptor_set
from analyzer.profiles.proto_schema import descriptor_set
from tests.profiles.realrun import DATA

VT = (ValueType("inuse_objects", "count"), ValueType("inuse_space", "bytes"))


def tiny(**kw: object) -> Profile:
    args: dict[str, object] = {
        "sample_types": VT,
        "samples": (Sample((1, 2), (1, 64)),),
        "locations": (Location(1, 1, 0x1010, (Line(2, 7), Line(1, 3))), Location(2, 1, 0x1100)),
        "functions": (Function(1, "outer"), Function(2, "inner", filename="/src/a.c")),
        "mappings": (Mapping(1, 0x1000, 0x2000, 0x1000, "/bin/app"),),
    }
    args.update(kw)
    return Profile(**args)  # type: ignore[arg-type]


def test_valid_profile_and_frames() -> None:
    p = tiny()
    p.validate()
    # Inlined callee first, its caller next, then the unsymbolized caller as module+offset.
    assert p.frames(p.samples[0]) == (
        Frame("inner", "/src/a.c", 7), Frame("outer", "", 3), Frame("app+0x1100", "", 0))


@pytest.mark.parametrize("bad, message", [
    ({"samples": (Sample((1,), (1,)),)}, "has 1 values, want 2"),
    ({"functions": (Function(1, "a"), Function(1, "b"))}, "duplicate function ids"),
    ({"mappings": (Mapping(0, 0, 1, 0, "x"),)}, "mapping id 0 is reserved"),
    ({"samples": (Sample((5,), (1, 2)),)}, "unknown location 5"),
    ({"locations": (Location(1, 9, 0), Location(2, 1, 0))}, "unknown mapping 9"),
])
def test_invalid_profiles(bad: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidProfile, match=message):
        tiny(**bad).validate()


def test_to_json_is_stable_and_complete() -> None:
    d = json.loads(tiny().to_json())
    assert d["sample_types"] == [["inuse_objects", "count"], ["inuse_space", "bytes"]]
    assert d["locations"][0]["lines"] == [[2, 7], [1, 3]]
    assert tiny().to_json() == tiny().to_json()


@pytest.mark.parametrize("full, short", [
    ("qasvc::dict::search(std::__cxx11::basic_string<char, std::char_traits<char>, "
     "std::allocator<char> > const&, std::vector<int, std::allocator<int> >*)<00000000000025d0>",
     "qasvc::dict::search"),
    ("(anonymous namespace)::make_query((anonymous namespace)::lcg*)", "::make_query"),
    ("void std::vector<int, std::allocator<int> >::_M_realloc_insert<int const&>(int const&)",
     "std::vector::_M_realloc_insert"),
    ("svc::Handler::count_hits(std::string const&) const", "svc::Handler::count_hits"),
    ("std::error_code::default_error_condition@@GLIBCXX_3.4.11", "std::error_code::default_error_condition"),
    ("operator new[](unsigned long)", "operator new[]"),
    ("dm_xalloc", "dm_xalloc"),
])
def test_short_names_like_pprof(full: str, short: str) -> None:
    assert short_name(full) == short


def test_demangle_and_keys() -> None:
    assert demangle("_ZN3svc12make_requestEim") == "svc::make_request(int, unsigned long)"
    assert demangle("_Znwm@@GLIBCXX_3.4") == "operator new(unsigned long)"
    assert demangle("malloc") == "malloc" and demangle("_Zgarbage") == "_Zgarbage"
    assert strip_address_suffix("f<int><00000000000025d0>") == "f<int>"
    assert join_key("_ZN3svc12make_requestEim") == "svc::make_request"
    assert join_key("(anonymous namespace)::f(int)") == "f"


@pytest.mark.parametrize("name", ["malloc", "operator new(unsigned long)", "tc_calloc",
                                  "__interceptor_malloc", "tcmalloc::allocate_full_malloc_oom(unsigned long)",
                                  "operator new[](unsigned long)"])
def test_allocator_functions(name: str) -> None:
    assert is_allocator_function(name)


@pytest.mark.parametrize("name", ["dm_xalloc", "svc::make_request(int)", "std::vector<int>::push_back(int const&)"])
def test_not_allocator_functions(name: str) -> None:
    assert not is_allocator_function(name)


def test_folding_drops_leading_allocator_frames_only() -> None:
    p = parse_data((DATA / "golden" / "tiny-lsan.txt").read_bytes(), "l.txt")
    folded = fold_allocator_frames(p)
    assert [p.frames(s)[0].function for s in p.samples] == ["operator new(unsigned long)", "__interceptor_malloc"]
    assert [folded.frames(s)[0].line for s in folded.samples] == [38, 41]
    wrapped = fold_allocator_frames(folded, [r"^svc::make_request$"])
    assert {wrapped.frames(s)[0].function.split("(")[0] for s in wrapped.samples} == {"svc::Handler::handle"}


def test_folding_by_allocator_mapping() -> None:
    p = parse_data((DATA / "golden" / "tiny-v2.heap").read_bytes(), "s.heap")
    folded = fold_allocator_frames(p)
    assert all(not folded.frames(s)[0].function.startswith("libtcmalloc") for s in folded.samples)
    assert folded.frames(folded.samples[0])[0] == Frame("app+0x1124", "", 0)


def test_committed_descriptor_set_is_profile_proto_compiled() -> None:
    """profile.desc is what protoc makes of profile.proto now.

    Regenerate it with `python -m analyzer.profiles.proto_compile`.
    """
    fresh = descriptor_pb2.FileDescriptorSet.FromString(compile_descriptor_set())
    assert text_format.MessageToString(descriptor_set()) == text_format.MessageToString(fresh)
