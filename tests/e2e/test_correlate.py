"""Correlation without building anything: the committed example profiles, bad profiles, and small hand-made profiles."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.correlate import correlate, correlate_with_files
from analyzer.errors import InputError
from analyzer.model import AnalysisResult, Finding, SourceLoc
from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.model import ValueType
from analyzer.profiles.symfile import read_sym
from tests.conftest import leakscan_in_repo

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ROOT / "examples" / "dictserver" / "profiles"
DUMPS = sorted(PROFILES.glob("dictserver.*.heap"))
SYM = PROFILES / "dictserver.sym"


def leakscan(*args: str) -> subprocess.CompletedProcess[str]:
    return leakscan_in_repo(*args)


@pytest.fixture(scope="module")
def static_result(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("static") / "static.json"
    proc = leakscan("scan", "examples/dictserver", "--format", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    return out


def correlate_json(static: Path, tmp_path: Path, *profiles: Path) -> dict:
    out = tmp_path / "corr.json"
    proc = leakscan("correlate", str(static), *map(str, profiles), "--binary", str(SYM), "--format", "json",
                    "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    return json.loads(out.read_text())


def summary(data: dict) -> list[tuple[int, str, str]]:
    return sorted((f["rank"], f["function"].rsplit("::", 1)[-1], f["evidence"]["status"]) for f in data["findings"])


STORY = [(1, "search", "confirmed"), (2, "reload", "confirmed"), (3, "split_queries", "confirmed"),
         (4, "load_file", "static-only")]


# ---- the committed example profiles ----------------------------------------------------------------

def test_recorded_heap_snapshots(static_result, tmp_path):
    data = correlate_json(static_result, tmp_path, *DUMPS)
    assert summary(data) == STORY
    assert [u["function"] for u in data["unexplained"]] == ["dictserver::AuditLog::record"]
    assert "steady growth" in data["findings"][0]["evidence"]["summary"]


@pytest.mark.parametrize("name", ["lsan-report.txt", "valgrind-memcheck.xml"])
def test_recorded_leak_reports(static_result, tmp_path, name):
    data = correlate_json(static_result, tmp_path, PROFILES / name)
    assert summary(data) == STORY
    assert data["unexplained"] == []


def test_symbol_file_decodes_every_project_frame():
    sym = read_sym(str(SYM))
    assert sym.module == "dictserver" and sym.build_id
    names = {name for _, _, name in sym.funcs}
    assert {"tm_pack_create", "tm_xalloc", "main"} <= names
    assert any(n.startswith("dictserver::TermDictionary::search(") for n in names)
    from analyzer.correlate import load_profiles
    prof = load_profiles([str(DUMPS[-1])], str(SYM))[0]
    frames = [fr for s in prof.samples for fr in prof.frames(s)]
    assert not [fr for fr in frames if fr.function.startswith("dictserver+0x")]
    assert any(fr.function == "tm_pack_create" and fr.file.endswith("tmatch.c") and fr.line for fr in frames)


def test_run_example(tmp_path):
    proc = subprocess.run([sys.executable, "examples/run_example.py", "-o", str(tmp_path / "report")],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    first = next(ln for ln in lines if ln.strip().startswith("1."))
    assert "confirmed" in first and "TermDictionary::search" in first
    assert any("unexplained" in ln and "AuditLog::record" in ln for ln in lines)
    assert (tmp_path / "report" / "index.html").exists()
    sarif = json.loads((tmp_path / "report.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["properties"]["rank"] == 1


# ---- bad profiles: exit 2, one line naming the file, no traceback ------------------------------------

def _truncated(src: Path, size: int):
    def make(d: Path) -> Path:
        p = d / f"truncated-{src.name}"
        p.write_bytes(src.read_bytes()[:size])
        return p
    return make


def _text(name: str, data: bytes):
    def make(d: Path) -> Path:
        p = d / name
        p.write_bytes(data)
        return p
    return make


BAD = {
    "truncated-heap": _truncated(DUMPS[0], 3000),
    "truncated-valgrind-xml": _truncated(PROFILES / "valgrind-memcheck.xml", 4000),
    "wrong-format-text": _text("notes.txt", b"these are not the profiles you are looking for\n"),
    "wrong-format-binary": _text("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    "empty": _text("empty.heap", b""),
    "truncated-gzip": _text("profile.pb.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00"),
    "missing": lambda d: d / "no-such.heap",
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_profile_is_one_line_exit_2(static_result, tmp_path, kind):
    bad = BAD[kind](tmp_path)
    proc = leakscan("correlate", str(static_result), str(DUMPS[0]), str(bad), "--binary", str(SYM))
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert err[0].startswith(f"leakscan: {bad}"), err[0]
    assert "Traceback" not in proc.stderr


def test_bad_profile_through_scan(tmp_path):
    bad = BAD["truncated-heap"](tmp_path)
    proc = leakscan("scan", "examples/dictserver", "--heap", str(bad), "--binary", str(SYM))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith(f"leakscan: {bad}:")


def test_bad_symbol_file(static_result, tmp_path):
    sym = tmp_path / "broken.sym"
    sym.write_text("MODULE Linux x86_64 0 dictserver\nFUNC zz 10 0 f\n")
    proc = leakscan("correlate", str(static_result), str(DUMPS[0]), "--binary", str(sym))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"leakscan: {sym}:2: malformed symbol record 'FUNC zz 10 0 f'"


def test_correlate_with_files_raises_user_error(tmp_path):
    bad = BAD["wrong-format-text"](tmp_path)
    with pytest.raises(InputError, match=str(bad)):
        correlate_with_files(AnalysisResult(root=str(tmp_path)), [str(bad)])


# ---- hand-made profiles: the matching and ranking rules -------------------------------------------

HEAP_TYPES = (ValueType("inuse_objects", "count"), ValueType("inuse_space", "bytes"))
LEAK_TYPES = (ValueType("leaked_objects", "count"), ValueType("leaked_space", "bytes"))


def snapshot(path: str, stacks: dict[tuple[tuple[str, str, int], ...], int], fmt: str = "test-heap"):
    b = ProfileBuilder(2)
    for frames, nbytes in stacks.items():
        b.add_sample([b.symbolic_location([fr]) for fr in frames], [max(nbytes // 64, 1), nbytes])
    return b.build(sample_types=HEAP_TYPES, source_format=fmt, source_path=path, symbolized=True)


def leak_report(path: str, records: list[tuple[str, tuple[tuple[str, str, int], ...], int]]):
    b = ProfileBuilder(2, aggregate=False)
    for kind, frames, nbytes in records:
        b.add_sample([b.symbolic_location([fr]) for fr in frames], [1, nbytes], (("leak_kind", kind),))
    return b.build(sample_types=LEAK_TYPES, source_format="lsan", source_path=path, symbolized=True)


def finding(function: str, line: int, acquirer: str, acquire_line: int, span: tuple[int, int],
            rule: str = "resource-leak", var: str = "p", source: str = "") -> Finding:
    return Finding(rule, "malloc", function, SourceLoc("/src/svc.cpp", line), SourceLoc("/src/svc.cpp", acquire_line),
                   acquirer, var=var, function_span=span, rule_source=source)


LEAK = (("pk_create", "lib.c", 10), ("Svc::query", "svc.cpp", 21), ("main", "main.cpp", 5))
CACHE = (("Svc::remember", "svc.cpp", 41), ("main", "main.cpp", 6))
OTHER = (("Svc::other", "svc.cpp", 61), ("main", "main.cpp", 7))


def series(values: dict[tuple, list[int]]):
    n = len(next(iter(values.values())))
    return [snapshot(f"/p/svc.{i + 1:04d}.heap", {st: v[i] for st, v in values.items()}) for i in range(n)]


def test_steady_growth_outranks_a_plateau_of_more_bytes():
    result = AnalysisResult("/src", findings=(
        finding("Svc::remember", 45, "malloc", 41, (40, 50)),
        finding("Svc::query", 25, "pk_create", 21, (20, 30)),
    ))
    profiles = series({LEAK: [0, 1000, 2000, 3000, 4000], CACHE: [0, 9000, 9000, 9000, 9000]})
    out = correlate(result, profiles)
    assert [(f.function, f.rank, f.evidence.status) for f in out.findings] == [
        ("Svc::query", 1, "confirmed"), ("Svc::remember", 2, "confirmed")]
    assert out.findings[0].evidence.growth_bytes == 4000
    # With two snapshots there is no fit: bytes decide.
    two = correlate(result, [profiles[0], profiles[-1]])
    assert [f.function for f in two.findings] == ["Svc::remember", "Svc::query"]


def test_site_needs_the_acquire_line_and_the_acquirer():
    near = finding("Svc::query", 25, "pk_create", 22, (20, 30))  # within the tolerance of line 21
    far = finding("Svc::query", 25, "pk_create", 28, (20, 30))
    other_acquirer = finding("Svc::query", 25, "pk_open", 21, (20, 30))
    prof = [snapshot("/p/one.heap", {LEAK: 5000})]
    for f, status in ((near, "confirmed"), (far, "static-only"), (other_acquirer, "static-only")):
        out = correlate(AnalysisResult("/src", findings=(f,)), prof)
        assert out.findings[0].evidence.status == status, f


def test_member_overwrite_matches_the_acquirer_called_by_any_method_of_the_class():
    # The leaked old value was created by Svc::rebuild, the overwrite is in Svc::reload, the
    # finding's acquire site is the first store (in Svc::load).
    f = finding("Svc::reload", 35, "dict_create", 12, (30, 38), rule="leak-on-overwrite", var="dict_",
                source="member:summary:dict_create")
    stack = (("dict_create", "lib.c", 3), ("Svc::rebuild", "svc.cpp", 52), ("main", "main.cpp", 9))
    outside = (("dict_create", "lib.c", 3), ("Tool::build", "tool.cpp", 8), ("main", "main.cpp", 9))
    prof = [snapshot("/p/a.0001.heap", {stack: 100, outside: 100}), snapshot("/p/a.0002.heap", {stack: 900,
                                                                                                 outside: 5000})]
    out = correlate(AnalysisResult("/src", findings=(f,)), prof)
    ev = out.findings[0].evidence
    assert ev.status == "confirmed" and ev.growth_bytes == 800
    # Outside the class: growth no finding explains, at the call of the known wrapper.
    assert [(u.function, u.loc, u.candidates) for u in out.unexplained] == [
        ("Tool::build", SourceLoc("tool.cpp", 8), ("Tool::build",))]


def test_leak_report_direct_indirect_and_reachable():
    f = finding("Svc::query", 25, "pk_create", 21, (20, 30))
    array = (("pk_alloc", "lib.c", 30), ("pk_create", "lib.c", 12), ("Svc::query", "svc.cpp", 21))
    owned = (("strdup_x", "lib.c", 70), ("Svc::fill", "svc.cpp", 80), ("Svc::query", "svc.cpp", 23))
    report = leak_report("/p/lsan.txt", [
        ("direct", LEAK, 100), ("indirect", array, 1000), ("indirect", owned, 50),
        ("direct", OTHER, 7), ("indirect", (("x", "x.c", 1),), 3), ("reachable", CACHE, 99999)])
    out = correlate(AnalysisResult("/src", findings=(f,)), [report])
    ev = out.findings[0].evidence
    # Direct + its own indirect arrays + the indirect block reachable only through it.
    assert (ev.status, ev.growth_bytes) == ("confirmed", 1150)
    # Unmatched direct leaks are unexplained; unmatched indirect ones and reachable blocks are not.
    assert [(u.function, u.stack.bytes) for u in out.unexplained] == [("Svc::other", 7)]
    assert out.unexplained[0].loc == SourceLoc("/src/svc.cpp", 61)  # the scanned file


def test_non_leak_findings_stay_static_only_and_keep_their_order():
    a = Finding("double-release", "malloc", "Svc::query", SourceLoc("/src/svc.cpp", 27),
                SourceLoc("/src/svc.cpp", 21), "pk_create")
    b = finding("Svc::idle", 90, "malloc", 88, (85, 95))
    c = finding("Svc::query", 25, "pk_create", 21, (20, 30))
    out = correlate(AnalysisResult("/src", findings=(a, b, c)), [snapshot("/p/x.heap", {LEAK: 10})])
    assert [(f.function, f.rule_id, f.rank, f.evidence.status) for f in out.findings] == [
        ("Svc::query", "resource-leak", 1, "confirmed"),
        ("Svc::query", "double-release", 2, "static-only"),
        ("Svc::idle", "resource-leak", 3, "static-only")]
    assert out.findings[0].evidence.stacks[0].frames[1].function == "Svc::query"
