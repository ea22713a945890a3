"""examples/dictserver under jemalloc heap profiling, heaptrack and valgrind massif, correlated through the CLI.

Like test_correlate_realrun.py: real builds and runs (once per pytest run, shared by xdist workers under a
file lock); a part is skipped only when its tool is missing (libjemalloc-dev, heaptrack, valgrind).
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_correlate_realrun import (  # noqa: F401 - shared_tmp is a fixture
    DECOYS,
    EXAMPLE,
    by_function,
    ranked,
    scan_json,
    shared_tmp,
)

pytestmark = pytest.mark.slow

QUERIES = 20000
MASSIF_QUERIES = 2000
DBG = ["-g", "-O0", "-fno-omit-frame-pointer", "-femit-struct-debug-baseonly"]
# Sampled (one sample per 4 KiB on average, so that the un-sampling is exercised), dumps every 8 MiB allocated
# (lg_prof_interval) and at exit: what a service started with MALLOC_CONF leaves behind, no code change.
JE_CONF = "prof:true,prof_leak:true,lg_prof_sample:12,lg_prof_interval:23,prof_final:true"


def _have(*tools: str) -> bool:
    return all(shutil.which(t) for t in tools)


def _have_jemalloc() -> bool:
    if not _have("g++", "gcc") or not os.path.exists("/usr/include/jemalloc/jemalloc.h"):
        return False
    probe = subprocess.run(["g++", "-print-file-name=libjemalloc.so"], capture_output=True, text=True,
                           check=False).stdout.strip()
    return os.path.isabs(probe) and os.path.exists(probe)


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")


def _produce(base: Path, part: str) -> Path:
    """Build dictserver and run it under one profiler, once per source version (shared under a lock)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for p in sorted(EXAMPLE.glob("*")):
        if p.is_file():
            digest.update(p.name.encode() + p.read_bytes())
    d = base / f"dictserver-more-{part}-{digest.hexdigest()[:12]}"
    with open(f"{d}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (d / "DONE").exists():
            shutil.rmtree(d, ignore_errors=True)
            (d / "out").mkdir(parents=True)
            _PARTS[part](d)
            (d / "DONE").write_text("ok\n")
    return d


def _jemalloc(d: Path) -> None:
    src = [str(EXAMPLE / f) for f in ("server.cpp", "term_dict.cpp")]
    _run(["gcc", *DBG, "-c", str(EXAMPLE / "tmatch.c"), "-o", "tmatch.o"], d)
    _run(["g++", *DBG, "-std=c++17", *src, "tmatch.o", "-o", "dictserver", "-ljemalloc"], d)
    _run(["../dictserver", str(QUERIES)], d / "out", {"MALLOC_CONF": f"{JE_CONF},prof_prefix:jeprof"})


def _plain(d: Path) -> Path:
    _run(["make", "-s", "-C", str(EXAMPLE), f"BUILD={d / 'build'}", "plain"], d)
    return d / "build" / "plain" / "dictserver"


def _heaptrack(d: Path) -> None:
    _run(["heaptrack", str(_plain(d)), str(QUERIES)], d / "out")


def _massif(d: Path) -> None:
    _run(["valgrind", "--tool=massif", "--massif-out-file=massif.out.%p", str(_plain(d)), str(MASSIF_QUERIES)],
         d / "out")


_PARTS = {"jemalloc": _jemalloc, "heaptrack": _heaptrack, "massif": _massif}


@pytest.fixture(scope="session")
def jemalloc_run(shared_tmp):  # noqa: F811
    if not _have_jemalloc():
        pytest.skip("needs g++ and libjemalloc-dev")
    d = _produce(shared_tmp, "jemalloc")
    dumps = sorted((d / "out").glob("jeprof.*.heap"))
    assert len(dumps) >= 4, dumps
    return dumps, d / "dictserver"


@pytest.fixture(scope="session")
def heaptrack_recording(shared_tmp):  # noqa: F811
    if not _have("g++", "make", "heaptrack"):
        pytest.skip("needs g++, make and heaptrack")
    return next(iter((_produce(shared_tmp, "heaptrack") / "out").glob("heaptrack.dictserver.*")))


@pytest.fixture(scope="session")
def massif_file(shared_tmp):  # noqa: F811
    if not _have("g++", "make", "valgrind"):
        pytest.skip("needs g++, make and valgrind")
    return next(iter((_produce(shared_tmp, "massif") / "out").glob("massif.out.*")))


def assert_leak_first(data: dict) -> dict[str, dict]:
    """The missing tm_pack_del ranks first and confirmed; the never-run leak stays static-only; no decoy."""
    top = ranked(data)[0]
    assert (top["function"], top["rule_id"], top["acquirer"]) == (
        "dictserver::TermDictionary::search", "resource-leak", "tm_pack_create")
    assert top["evidence"]["status"] == "confirmed" and top["evidence"]["growth_bytes"] > 0
    fs = by_function(data)
    assert set(fs) == {"search", "reload", "split_queries", "load_file"}
    assert not DECOYS & set(fs)
    assert fs["load_file"]["evidence"]["status"] == "static-only"
    statuses = [f["evidence"]["status"] for f in ranked(data)]
    assert statuses == sorted(statuses, key=lambda s: s != "confirmed")
    return fs


def test_jemalloc_dumps_rank_the_missing_pack_del_first(jemalloc_run, tmp_path):
    dumps, binary = jemalloc_run
    data = scan_json(tmp_path, *[x for d in dumps for x in ("--heap", str(d))], "--binary", str(binary))
    assert_leak_first(data)
    assert {p["format"] for p in data["profiles"]} == {"jemalloc-heap"}
    assert len(data["profiles"]) == len(dumps)
    assert f"({len(dumps)} snapshots)" in ranked(data)[0]["evidence"]["summary"]
    assert not [w for p in data["profiles"] for w in p["warnings"]]


def test_heaptrack_recording_confirms_every_leak_that_ran(heaptrack_recording, tmp_path):
    data = scan_json(tmp_path, "--heap", str(heaptrack_recording))
    fs = assert_leak_first(data)
    # heaptrack saw every allocation: all three leaks that the load exercises are confirmed, exactly.
    assert [f["evidence"]["status"] for f in ranked(data)] == ["confirmed"] * 3 + ["static-only"]
    assert "leaked at exit" in fs["search"]["evidence"]["summary"]
    assert fs["split_queries"]["evidence"]["growth_objects"] == QUERIES // 16  # one per malformed query
    assert data["profiles"][0]["format"] == "heaptrack" and data["profiles"][0]["role"] == "leak report"
    # Owned by live containers until main returns: freed at exit, so not leaked.
    assert not [u for u in data["unexplained"] if "AuditLog" in u["function"] or "QueryCache" in u["function"]]


def test_massif_series_from_one_file(massif_file, tmp_path):
    data = scan_json(tmp_path, "--heap", str(massif_file))
    assert_leak_first(data)
    summary = ranked(data)[0]["evidence"]["summary"]
    assert "snapshots)" in summary and "steady growth" in summary
    assert len(data["profiles"]) == 1 and data["profiles"][0]["format"] == "massif"
