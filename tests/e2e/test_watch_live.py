"""`leakscan watch` against the real example service: dictserver-http, built and run here, serving /pprof/heap
from its own heap profiler (or tcmalloc's sampled heap) and /pprof/symbol from dladdr().

Skipped (never faked) without g++, libgoogle-perftools-dev or libcpp-httplib-dev.
"""
from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIVE = ROOT / "examples" / "dictserver-http" / "live.py"


def _live():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("dictserver_http_live", LIVE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


live = _live()
MISSING = live.missing_tools()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}")]


@pytest.fixture(scope="module")
def binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return live.build(tmp_path_factory.mktemp("dictserver-http"))


@pytest.fixture(scope="module")
def static_result():  # type: ignore[no-untyped-def]
    from analyzer.cli.output import with_fixes
    from analyzer.pipeline import Options, run
    return with_fixes(run(Options(paths=(str(ROOT / "examples" / "dictserver"),))))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def watch(url: str, out: Path, *extra: str, interval: str = "2s", count: int = 3) -> subprocess.CompletedProcess[str]:
    cmd = live.watch_command(url, out, interval, count, ("--no-cache", *extra))  # no cache inside the repository
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def by_function(findings: list[dict], name: str) -> dict:
    return next(f for f in findings if f["function"].endswith(name))


def check_story(data: dict) -> None:
    """The planted leak first, confirmed and still growing; the cache plateaued; the audit log growing."""
    top = data["findings"][0]
    assert (top["function"], top["rule_id"]) == ("dictserver::TermDictionary::search", "resource-leak")
    assert top["evidence"]["status"] == "confirmed" and top["evidence"]["verdict"] == "growing"
    assert top["evidence"]["per_hour"] > 0
    assert top["evidence"]["series"] == sorted(top["evidence"]["series"]) and len(top["evidence"]["series"]) == 3
    assert by_function(data["findings"], "load_file")["evidence"]["status"] == "static-only"
    sites = data["timeline"]["sites"]
    cache = [s for s in sites if s["function"] == "dictserver::QueryCache::put"]
    assert cache and {s["verdict"] for s in cache} == {"plateaued"} and not any(s["findings"] for s in cache)
    audit = [s for s in sites if s["function"] == "dictserver::AuditLog::record"]
    assert audit and audit[0]["verdict"] == "growing" and not audit[0]["findings"]
    leak = next(s for s in sites if s["function"] == "dictserver::TermDictionary::search")
    assert leak["findings"] == [1] and leak["verdict"] == "growing"
    points = data["timeline"]["points"]
    assert data["timeline"]["wall_clock"] and len(points) == 3
    assert points[0]["at"] == 0 and 0 < points[1]["at"] < points[2]["at"]


@pytest.mark.parametrize("symbols", ["remote", "auto"])
def test_watch_ranks_the_missing_free_first_live(binary: Path, tmp_path: Path, symbols: str) -> None:
    with live.running(binary) as service:
        service.replay()
        driver = live.drive_in_step(service, 2)
        started = time.monotonic()
        proc = watch(service.url, tmp_path / "report", "--symbols", symbols)
        elapsed = time.monotonic() - started
        driver.join(timeout=10)
        assert service.stat("queries") == 12000 and service.stat("snapshots") == 3
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = tmp_path / "report"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith("finding-")) == [
        "fixes.patch", "index.html", "leakscan.json", "leakscan.sarif"]
    data = json.loads((out / "leakscan.json").read_text())
    check_story(data)
    sarif = json.loads((out / "leakscan.sarif").read_text())
    first = sarif["runs"][0]["results"][0]
    assert first["properties"]["rank"] == 1 and first["properties"]["growthVerdict"] == "growing"
    assert first["properties"]["growthPerHour"] > 0
    assert 'class="growth-chart"' in (out / "index.html").read_text()
    assert 'class="growth-chart"' in (out / "finding-1.html").read_text()
    lines = proc.stdout.splitlines()
    snapshots = [ln.split(" at ")[0] for ln in lines if ln.startswith("snapshot ")]
    assert snapshots == ["snapshot 1", "snapshot 2", "snapshot 3"]
    assert any("plateaued" in ln and "QueryCache::put" in ln for ln in lines), proc.stdout
    if symbols == "remote":
        # names came from POST /pprof/symbol only: no file:line in the frames, and some addresses dladdr() cannot
        # name (static functions, lambdas) are said to be unresolved
        frames = [fr for s in data["findings"][0]["evidence"]["stacks"] for fr in s["frames"]]
        assert frames and all(fr["line"] == 0 for fr in frames)
        assert any("did not resolve" in d["message"] for d in data["diagnostics"])
    print(f"\nwatch --symbols {symbols}: 3 snapshots in {elapsed:.1f}s (static scan included)")


def test_watch_with_tcmalloc_sampling(binary: Path, tmp_path: Path) -> None:
    """brpc's way: tcmalloc's sampled heap (heap_v2/524288), un-sampled like pprof; larger steps of load so the
    1-in-512-KiB samples see the leak."""
    with live.running(binary, env={"TCMALLOC_SAMPLE_PARAMETER": "524288"}) as service:
        assert service.get("/pprof/heap").splitlines()[0].endswith("@ heap_v2/524288")
        service.replay(20000)
        driver = live.drive_in_step(service, 2, queries=20000)
        proc = watch(service.url, tmp_path / "report", "--symbols", "remote")
        driver.join(timeout=10)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "report" / "leakscan.json").read_text())
    top = data["findings"][0]
    assert top["function"] == "dictserver::TermDictionary::search" and top["evidence"]["status"] == "confirmed"


def test_a_restarted_service_starts_a_new_baseline(binary: Path, static_result) -> None:  # type: ignore[no-untyped-def]
    from analyzer.profiles.remote import PprofClient
    from analyzer.watch import Watch, WatchOptions

    port = free_port()  # the same command line both times: the restart is told by the process, not its arguments
    with live.running(binary, port=port) as first:
        client = PprofClient(first.url)
        w = Watch(static_result, client, WatchOptions(interval=0))
        first.replay()
        assert w.take().baseline == 1
        first.replay()
        second = w.take()
        assert (second.baseline, second.restart) == (2, "")
        assert second.result.findings[0].evidence.status == "confirmed"
    with live.running(binary, port=port) as again:
        again.replay(2000)
        u = w.take()
        assert u.restart and u.baseline == 1 and u.number == 3
        assert "new process" in u.restart or "went down" in u.restart
        assert any("restarted" in d.message for d in u.result.diagnostics)
        assert u.result.timeline is None  # one snapshot in the new baseline: no series yet
        again.replay(2000)
        u = w.take()
        assert (u.baseline, u.restart) == (2, "") and len(u.result.timeline.points) == 2
        assert any("restarted" in n for n in u.result.timeline.notes)


def test_a_binary_that_is_not_the_services_is_not_used(binary: Path, static_result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--symbols local with a binary that is not the service's: nothing resolves, and the report says why."""
    from analyzer.profiles.remote import PprofClient
    from analyzer.watch import Watch, WatchOptions

    other = tmp_path / "dictserver-http"
    other.write_bytes(b"\x7fELF" + b"\0" * 60)  # not the binary: refused, frames stay module+0xOFFSET
    with live.running(binary) as service:
        service.replay()
        w = Watch(static_result, PprofClient(service.url),
                  WatchOptions(symbols="local", binary=str(other)))
        u = w.take()
    assert all(f.evidence is not None and f.evidence.status == "static-only" for f in u.result.findings)
    assert any("cannot symbolize" in d.message or "does not match" in d.message for d in u.result.diagnostics), \
        [d.message for d in u.result.diagnostics]
    assert u.result.findings[0].rank == 1
