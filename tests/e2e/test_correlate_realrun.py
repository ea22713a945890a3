"""Build examples/dictserver for real (tcmalloc, -fsanitize=leak, plain), profile it, and correlate through the CLI.

The builds and runs come from examples/dictserver/gen_profiles.sh, the script that made the committed
profiles, once per part and per pytest run (shared by xdist workers under a file lock). A part is skipped
only when its tool is missing: g++ and make, libtcmalloc_and_profiler (libgoogle-perftools-dev), a
working -fsanitize=leak, valgrind.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import leakscan_in_repo

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "dictserver"
GEN = EXAMPLE / "gen_profiles.sh"
# Functions that allocate a lot and release it (or keep it owned): never a finding.
DECOYS = {"count_hits", "best_hit", "rebuild", "load", "fill", "put", "find", "record"}

pytestmark = pytest.mark.slow


# ---- tools and the real runs ---------------------------------------------------------------------

def _have_build_tools() -> bool:
    return all(shutil.which(t) for t in ("g++", "gcc", "make", "bash"))


def _have_tcmalloc() -> bool:
    if not _have_build_tools():
        return False
    probe = subprocess.run(["g++", "-print-file-name=libtcmalloc_and_profiler.so"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return os.path.isabs(probe) and os.path.exists(probe) and \
        os.path.exists("/usr/include/gperftools/heap-profiler.h")


def _have_lsan(tmp: Path) -> bool:
    if not _have_build_tools():
        return False
    src = tmp / "lsan_probe.c"
    src.write_text("int main(void) { return 0; }\n")
    proc = subprocess.run(["gcc", "-fsanitize=leak", str(src), "-o", str(tmp / "lsan_probe")],
                          capture_output=True, check=False)
    return proc.returncode == 0


def _produce(base: Path, part: str) -> Path:
    """Output folder of `gen_profiles.sh OUT PART` (built once per run and source version)."""
    digest = hashlib.sha256()
    for p in sorted(EXAMPLE.glob("*")):
        if p.is_file():
            digest.update(p.name.encode() + p.read_bytes())
    d = base / f"dictserver-{part}-{digest.hexdigest()[:12]}"
    with open(f"{d}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (d / "DONE").exists():
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
            env = {**os.environ, "BUILD_DIR": str(d / "build"), "PYTHON": sys.executable}
            proc = subprocess.run(["bash", str(GEN), str(d / "out"), part], env=env, cwd=ROOT,
                                  capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RuntimeError(f"gen_profiles.sh {part} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
            (d / "DONE").write_text("ok\n")
    return d


@pytest.fixture(scope="session")
def shared_tmp(tmp_path_factory) -> Path:
    # The parent of the per-worker base temp is shared by all xdist workers of this run.
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def heap_run(shared_tmp):
    if not _have_tcmalloc():
        pytest.skip("needs g++, make and libtcmalloc_and_profiler (libgoogle-perftools-dev)")
    d = _produce(shared_tmp, "heap")
    dumps = sorted((d / "out").glob("dictserver.*.heap"))
    assert len(dumps) == 5, dumps
    return dumps, d / "build" / "tc" / "dictserver"


@pytest.fixture(scope="session")
def lsan_report(shared_tmp, tmp_path_factory):
    if not _have_lsan(tmp_path_factory.mktemp("probe")):
        pytest.skip("needs g++, make and a working -fsanitize=leak (liblsan)")
    return _produce(shared_tmp, "lsan") / "out" / "lsan-report.txt"


@pytest.fixture(scope="session")
def valgrind_xml(shared_tmp):
    if not (_have_build_tools() and shutil.which("valgrind")):
        pytest.skip("needs g++, make and valgrind")
    return _produce(shared_tmp, "valgrind") / "out" / "valgrind-memcheck.xml"


# ---- the CLI ---------------------------------------------------------------------------------------

def leakscan(*args: str) -> subprocess.CompletedProcess[str]:
    return leakscan_in_repo(*args)


def scan_json(tmp_path: Path, *profile_args: str) -> dict:
    out = tmp_path / "result.json"
    proc = leakscan("scan", "examples/dictserver", *profile_args, "--format", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr  # findings
    assert "Traceback" not in proc.stderr
    return json.loads(out.read_text())


def heap_args(dumps, binary) -> list[str]:
    return [x for d in dumps for x in ("--heap", str(d))] + ["--binary", str(binary)]


def ranked(data: dict) -> list[dict]:
    return sorted(data["findings"], key=lambda f: f["rank"])


def by_function(data: dict) -> dict[str, dict]:
    return {f["function"].rsplit("::", 1)[-1]: f for f in data["findings"]}


def assert_story(data: dict, *, split_queries: str = "confirmed") -> None:
    """The true missing free first and confirmed; the other leaks as expected; no decoy flagged."""
    top = ranked(data)[0]
    assert top["function"] == "dictserver::TermDictionary::search"
    assert top["rule_id"] == "resource-leak"
    assert top["acquirer"] == "tm_pack_create"
    assert top["evidence"]["status"] == "confirmed"
    assert top["evidence"]["growth_bytes"] > 0 and top["evidence"]["growth_objects"] > 0
    assert [f["rank"] for f in ranked(data)] == list(range(1, len(data["findings"]) + 1))
    fs = by_function(data)
    # Member overwrite on reload: the old dictionary leaks (its memory was allocated by rebuild()/load()).
    assert fs["reload"]["rule_id"] == "leak-on-overwrite"
    assert fs["reload"]["evidence"]["status"] == "confirmed"
    assert fs["split_queries"]["rule_id"] == "resource-leak"
    assert fs["split_queries"]["acquirer"] == "malloc"
    assert fs["split_queries"]["evidence"]["status"] == split_queries
    # Never called by the demo: a real leak, but nothing behind it at run time.
    assert fs["load_file"]["evidence"]["status"] == "static-only"
    assert fs["load_file"]["rank"] == len(data["findings"])
    # Confirmed first, by growth.
    statuses = [f["evidence"]["status"] for f in ranked(data)]
    assert statuses == sorted(statuses, key=lambda s: s != "confirmed")
    assert not DECOYS & set(fs)
    assert set(fs) == {"search", "reload", "split_queries", "load_file"}
    assert len(data["findings"]) == 4


# ---- heap profiler snapshots ----------------------------------------------------------------------

def test_heap_snapshots_rank_the_missing_pack_del_first(heap_run, tmp_path):
    dumps, binary = heap_run
    data = scan_json(tmp_path, *heap_args(dumps, binary))
    assert_story(data)
    unexplained = [u["function"] for u in data["unexplained"]]
    # The audit log grows without bounds but is owned by a vector: growth no finding explains.
    assert "dictserver::AuditLog::record" in unexplained
    # The bounded cache fills up and plateaus: steady-growth scoring does not list it.
    assert not any("QueryCache" in u for u in unexplained)
    audit = next(u for u in data["unexplained"] if u["function"] == "dictserver::AuditLog::record")
    assert audit["loc"]["file"].endswith("term_dict.cpp") and audit["loc"]["line"] > 0
    assert "dictserver::AuditLog::record" in audit["candidates"]
    assert len(data["profiles"]) == 5


def test_two_snapshots_diff_last_against_first(heap_run, tmp_path):
    dumps, binary = heap_run
    data = scan_json(tmp_path, *heap_args([dumps[0], dumps[-1]], binary))
    assert_story(data)
    top = ranked(data)[0]
    assert "2 snapshots" in top["evidence"]["summary"]


def test_one_snapshot_uses_bytes_in_use(heap_run, tmp_path):
    dumps, binary = heap_run
    data = scan_json(tmp_path, *heap_args(dumps[-1:], binary))
    assert_story(data)


def test_snapshot_order_comes_from_dump_numbers(heap_run, tmp_path):
    dumps, binary = heap_run
    data = scan_json(tmp_path, *heap_args(list(reversed(dumps)), binary))
    top = ranked(data)[0]
    assert top["function"] == "dictserver::TermDictionary::search"
    assert top["evidence"]["status"] == "confirmed"


def test_sarif_contract_with_heap_snapshots(heap_run, tmp_path):
    dumps, binary = heap_run
    out = tmp_path / "r.sarif"
    proc = leakscan("scan", "examples/dictserver", *heap_args(dumps, binary), "--format", "sarif", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    results = json.loads(out.read_text())["runs"][0]["results"]
    findings = [r for r in results if r["ruleId"] != "unexplained-growth"]
    assert [r["properties"]["rank"] for r in findings] == list(range(1, len(findings) + 1))
    assert results[: len(findings)] == findings  # findings first, in rank order
    first = findings[0]
    assert first["ruleId"] == "resource-leak"
    assert "TermDictionary::search" in first["properties"]["function"]
    for r in findings:
        props = r["properties"]
        assert props["evidence"] in ("confirmed", "static-only")
        assert isinstance(props["growthBytes"], int) and isinstance(props["growthObjects"], int)
        if props["evidence"] == "static-only":
            assert props["growthBytes"] == 0 and props["growthObjects"] == 0
    related = [loc["physicalLocation"] for loc in first["relatedLocations"]]
    sites = {(p["artifactLocation"]["uri"], p["region"]["startLine"]) for p in related}
    assert any(uri.endswith("tmatch.c") for uri, _ in sites)  # tm_pack_create's allocations
    assert any(uri.endswith("term_dict.cpp") for uri, _ in sites)
    growth = [r for r in results if r["ruleId"] == "unexplained-growth"]
    assert growth and all(r["level"] == "note" for r in growth)
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 0 for r in growth)


def test_correlate_a_saved_result(heap_run, tmp_path):
    dumps, binary = heap_run
    static = tmp_path / "static.json"
    proc = leakscan("scan", "examples/dictserver", "--format", "json", "-o", str(static))
    assert proc.returncode == 1, proc.stderr
    assert all(f["evidence"] is None for f in json.loads(static.read_text())["findings"])
    out = tmp_path / "corr.json"
    proc = leakscan("correlate", str(static), *map(str, dumps), "--binary", str(binary),
                    "--format", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert_story(json.loads(out.read_text()))


# ---- leak reports ----------------------------------------------------------------------------------

def test_lsan_report_ranks_the_missing_pack_del_first(lsan_report, tmp_path):
    data = scan_json(tmp_path, "--heap", str(lsan_report))
    assert_story(data)
    # Every direct leak at exit is explained by a finding.
    assert data["unexplained"] == []
    top = ranked(data)[0]
    assert "leaked at exit" in top["evidence"]["summary"]


def test_valgrind_xml_ranks_the_missing_pack_del_first(valgrind_xml, tmp_path):
    data = scan_json(tmp_path, "--heap", str(valgrind_xml))
    assert_story(data)
    assert data["unexplained"] == []


def test_all_kinds_together(heap_run, lsan_report, valgrind_xml, tmp_path):
    dumps, binary = heap_run
    data = scan_json(tmp_path, *heap_args(dumps, binary), "--heap", str(lsan_report), "--heap", str(valgrind_xml))
    assert_story(data)
    assert len(data["profiles"]) == 7
