"""Bad input gives one clear line naming the file and the problem, never a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from analyzer.cli import main
from analyzer.profiles import MalformedProfile, UnknownFormat, load_profile, parse_data
from tests.profiles.realrun import DATA

GOLDEN = DATA / "golden"


def err(data: bytes, name: str = "bad.prof") -> MalformedProfile:
    with pytest.raises(MalformedProfile) as exc:
        parse_data(data, name)
    assert "\n" not in str(exc.value) and str(exc.value).startswith(name)
    return exc.value


def test_empty_file() -> None:
    assert err(b"").message == "empty file"
    assert err(b"  \n\n").message == "empty file"


def test_garbage_is_unknown_format() -> None:
    e = err(b"garbage text\x00\x01 that is no profile\n")
    assert isinstance(e, UnknownFormat) and "unrecognized profile format" in e.message


def test_truncated_gzip() -> None:
    data = gzip.compress((GOLDEN / "tiny.heap").read_bytes())
    assert err(data[: len(data) // 2]).message == "truncated gzip stream"


def test_corrupt_gzip() -> None:
    assert "corrupt gzip data" in err(b"\x1f\x8b\x08\x00garbagegarbage").message


def test_gzipped_text_profile_is_accepted() -> None:
    p = parse_data(gzip.compress((GOLDEN / "tiny.heap").read_bytes()), "x.heap.gz")
    assert p.source_format == "gperftools-heap/heapprofile"


def test_truncated_heap_profile_mid_line() -> None:
    text = (GOLDEN / "tiny.heap").read_text()
    cut = text[: text.index("0x55d0c0a01140") + 7]
    e = err(cut.encode(), "app.0001.heap")
    assert e.line == 3 and "truncated heap profile" in e.message


def test_truncated_heap_profile_missing_records() -> None:
    text = (GOLDEN / "tiny.heap").read_text()
    lines = text.splitlines(keepends=True)
    e = err("".join(lines[:2]).encode(), "app.0001.heap")
    assert "truncated heap profile: records sum to" in e.message and "header says" in e.message


def test_bad_heap_record() -> None:
    text = (GOLDEN / "tiny.heap").read_text().replace("     3:      256 [", "     3:      zz [")
    e = err(text.encode())
    assert e.line == 3 and "bad heap profile record" in e.message


def test_bad_heap_header() -> None:
    e = err(b"heap profile: lots @ heapprofile\n")
    assert e.line == 1 and "bad heap profile header" in e.message


def test_heap_profile_without_maps_is_a_warning() -> None:
    text = (GOLDEN / "tiny.heap").read_text().split("\nMAPPED_LIBRARIES")[0] + "\n"
    p = parse_data(text.encode(), "x.heap")
    assert any("no MAPPED_LIBRARIES" in w for w in p.warnings)


def test_wrong_format_file(tmp_path: Path) -> None:
    f = tmp_path / "notes.md"
    f.write_text("# release notes\n\n* nothing here\n")
    with pytest.raises(UnknownFormat):
        load_profile(str(f))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MalformedProfile) as exc:
        load_profile(str(tmp_path / "nope.heap"))
    assert "No such file" in str(exc.value)


def test_truncated_valgrind_xml() -> None:
    data = (GOLDEN / "tiny-valgrind.xml").read_bytes()
    e = err(data[: len(data) * 2 // 3], "vg.xml")
    assert "invalid valgrind XML" in e.message and e.line > 0


def test_valgrind_xml_entities_are_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY a "aaaa">]><valgrindoutput>&a;</valgrindoutput>'
    assert "unsafe XML" in err(data, "vg.xml").message


def test_truncated_proto() -> None:
    raw = gzip.decompress((GOLDEN / "tiny.pb.gz").read_bytes())
    e = err(gzip.compress(raw[:-7]), "p.pb.gz")
    assert "profile.proto" in e.message or "unrecognized" in e.message


def test_proto_with_bad_references() -> None:
    from analyzer.profiles.proto_schema import profile_class

    msg = profile_class()()
    msg.string_table.extend(["", "space", "bytes"])
    msg.sample_type.add(type=1, unit=2)
    msg.sample.add(location_id=[9], value=[1])
    assert "unknown location 9" in err(gzip.compress(msg.SerializeToString()), "p.pb.gz").message


def test_lsan_record_without_stack() -> None:
    data = (b"==1==ERROR: LeakSanitizer: detected memory leaks\n\n"
            b"Direct leak of 8 byte(s) in 1 object(s) allocated from:\n")
    e = err(data, "lsan.txt")
    assert e.line == 3 and "without a stack" in e.message


def test_cli_reports_errors_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "empty.heap"
    f.write_bytes(b"")
    assert main(["profile", "show", str(f)]) == 2
    assert capsys.readouterr().err == f"leakscan: {f}: empty file\n"
    g = tmp_path / "g.heap"
    g.write_bytes(b"heap profile:   1:  8 [  1:  8] @ heapprofile\n   1:  8 [  1:  8] @ 0x1")
    assert main(["profile", "diff", str(GOLDEN / "tiny.heap"), str(g)]) == 2
    err_ = capsys.readouterr().err
    assert err_.count("\n") == 1 and "truncated heap profile" in err_


def test_cli_diff_without_common_metric(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "diff", str(GOLDEN / "tiny.heap"), str(GOLDEN / "tiny-lsan.txt"),
                 "--metric", "alloc_space"]) == 2
    assert "no alloc_space values" in capsys.readouterr().err


# ---- jemalloc, heaptrack, massif ----------------------------------------------------------------

def test_jemalloc_stack_without_counts() -> None:
    text = (GOLDEN / "tiny-jemalloc.heap").read_text()
    cut = text[: text.index("  t*: 2: 262144")]
    e = err(cut.encode(), "jeprof.1.0.m0.heap")
    assert e.line == 8 and "stack without counts" in e.message


def test_jemalloc_bad_counts_line() -> None:
    text = (GOLDEN / "tiny-jemalloc.heap").read_text().replace("  t*: 1: 4096 [0: 0]", "  t*: one: 4096 [0: 0]")
    e = err(text.encode(), "jeprof.1.0.m0.heap")
    assert e.line == 6 and "bad jemalloc heap profile line" in e.message


def test_jemalloc_bad_header() -> None:
    e = err(b"heap_v2/524288\n  t*: lots\n", "jeprof.1.0.f.heap")
    assert e.line == 2 and "bad jemalloc heap profile header" in e.message


def test_jemalloc_cut_before_maps() -> None:
    text = (GOLDEN / "tiny-jemalloc.heap").read_text().split("\nMAPPED_LIBRARIES")[0]
    e = err(text[:-3].encode(), "jeprof.1.0.m0.heap")
    assert "truncated jemalloc heap profile" in e.message
    p = parse_data((text + "\n").encode(), "j.heap")
    assert any("no MAPPED_LIBRARIES" in w for w in p.warnings)


def test_heaptrack_unsupported_version() -> None:
    e = err(b"v 10000 1\nX ./app\n", "heaptrack.app.1")
    assert e.line == 1 and "unsupported heaptrack file format version 1" in e.message


def test_heaptrack_bad_record() -> None:
    text = (GOLDEN / "tiny-heaptrack.txt").read_text().replace("\n+ 2\n", "\n+ 9\n")
    e = err(text.encode(), "heaptrack.app.1")
    assert "bad heaptrack record: '+ 9'" in e.message and e.line > 0


def test_heaptrack_dangling_trace() -> None:
    text = (GOLDEN / "tiny-heaptrack.txt").read_text().replace("\na 20 4\n", "\na 20 7\n")
    assert "allocation 2 refers to unknown trace 7" in err(text.encode(), "heaptrack.app.1").message


def test_heaptrack_cut_short_is_a_warning() -> None:
    text = (GOLDEN / "tiny-heaptrack.txt").read_text()
    p = parse_data(text[: text.index("c a")].encode() + b"+ 1", "heaptrack.app.1")  # cut mid-record
    assert any("ends early" in w for w in p.warnings)
    assert p.total(2) == 6  # the last, partial "+ 1..." is not counted


def test_truncated_zstd() -> None:
    data = (GOLDEN / "tiny-heaptrack.zst").read_bytes()
    assert err(data[:-6], "heaptrack.app.1.zst").message == "truncated zstd stream"


def test_corrupt_zstd() -> None:
    assert "corrupt zstd data" in err(b"\x28\xb5\x2f\xfdgarbage-garbage-garbage", "h.zst").message


def test_massif_truncated_tree() -> None:
    text = (GOLDEN / "tiny-massif.out").read_text()
    e = err(text[: text.index("  n0: 4096")].encode(), "massif.out.1")
    assert "truncated massif heap tree" in e.message


def test_massif_tree_disagrees_with_heap_total() -> None:
    text = (GOLDEN / "tiny-massif.out").read_text().replace("mem_heap_B=12744", "mem_heap_B=12745")
    e = err(text.encode(), "massif.out.1")
    assert "heap tree holds 12744 bytes but mem_heap_B=12745" in e.message and e.line == 32


def test_massif_children_larger_than_parent() -> None:
    text = (GOLDEN / "tiny-massif.out").read_text().replace("  n0: 8192 0x10A86D: main (app.cpp:142)",
                                                            "  n0: 9000 0x10A86D: main (app.cpp:142)", 1)
    assert "smaller than its children" in err(text.encode(), "massif.out.1").message


def test_massif_detailed_snapshot_without_tree() -> None:
    text = (GOLDEN / "tiny-massif.out").read_text()
    cut = text[: text.index("n3: 12744")]
    e = err(cut.encode(), "massif.out.1")
    assert "snapshot 2 has no heap tree" in e.message
