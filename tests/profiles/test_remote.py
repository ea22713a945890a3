"""The pprof remote protocol client and the watch loop against a local stdlib HTTP server that serves the example's
real recorded heap snapshots (examples/dictserver/profiles), and misbehaves on purpose: refused connections,
timeouts, HTTP errors, pages that are not profiles, counters that go down. The live service is tested in
tests/e2e/test_watch_live.py."""
from __future__ import annotations

import dataclasses
import http.server
import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analyzer.profiles.remote import FetchPolicy, PprofClient, RemoteError, _parse_symbols, endpoint_candidates
from analyzer.watch import Watch, WatchOptions
from tests.conftest import leakscan_in_repo

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ROOT / "examples" / "dictserver" / "profiles"
DUMPS = sorted(PROFILES.glob("dictserver.*.heap"))
SYM = PROFILES / "dictserver.sym"
FAST = FetchPolicy(timeout=0.5, retries=1, backoff=0.01)

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@contextmanager
def serving(routes: dict[str, Handler]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering `routes` (path -> handler); others get 404."""

    class H(http.server.BaseHTTPRequestHandler):
        def _route(self) -> None:
            handler = routes.get(self.path.split("?")[0])
            if handler is None:
                self.send_error(404)
            else:
                handler(self)

        do_GET = do_POST = _route

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def send(h: http.server.BaseHTTPRequestHandler, data: bytes, content_type: str = "text/plain",
         status: int = 200) -> None:
    h.send_response(status)
    h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def files_in_turn(paths: list[Path]) -> Handler:
    queue = list(paths)

    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        send(h, queue.pop(0).read_bytes() if len(queue) > 1 else queue[0].read_bytes())
    return handler


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def static_result():  # type: ignore[no-untyped-def]
    from analyzer.pipeline import Options, run
    return run(Options(paths=(str(ROOT / "examples" / "dictserver"),)))


# ---- endpoints and answers ------------------------------------------------------------------------

def test_endpoints_from_the_url() -> None:
    assert [e.heap for e in endpoint_candidates("http://h:1")] == ["http://h:1/pprof/heap", "http://h:1/debug/pprof/heap"]
    only = endpoint_candidates("http://h:1/svc/debug/pprof/heap/")
    assert [(e.heap, e.symbol, e.cmdline) for e in only] == [
        ("http://h:1/svc/debug/pprof/heap/", "http://h:1/svc/debug/pprof/symbol", "http://h:1/svc/debug/pprof/cmdline")]
    with pytest.raises(RemoteError, match="not an http:// or https:// URL"):
        endpoint_candidates("ftp://h/pprof/heap")


def test_symbol_answers() -> None:
    text = "0x10\tfoo(int)\n0x20\t??\n0X30 bar\ngarbage\n0x40\t0x40\n  0x50   _Z3bazv  \n"
    assert _parse_symbols(text) == {0x10: "foo(int)", 0x30: "bar", 0x50: "_Z3bazv"}


# ---- errors: one line, bounded --------------------------------------------------------------------

def test_connection_refused_is_retried_then_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(RemoteError) as err:
        PprofClient(url, FAST).heap(1)
    assert time.monotonic() - started < 5
    assert str(err.value).startswith(f"{url}/pprof/heap: connection refused")
    assert "(tried 2 times" in str(err.value) and "\n" not in str(err.value)


def test_a_slow_service_times_out() -> None:
    def slow(h: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        send(h, DUMPS[0].read_bytes())
    with serving({"/pprof/heap": slow}) as url:
        with pytest.raises(RemoteError, match=r"no answer within 0.5s \(tried 2 times"):
            PprofClient(url, FAST).heap(1)


def test_server_errors_are_retried_with_backoff() -> None:
    answers = [503, 500, 200]
    sleeps: list[float] = []

    def flaky(h: http.server.BaseHTTPRequestHandler) -> None:
        status = answers.pop(0)
        send(h, DUMPS[0].read_bytes() if status == 200 else b"busy", status=status)
    with serving({"/pprof/heap": flaky}) as url:
        prof = PprofClient(url, FetchPolicy(retries=3, backoff=0.01), sleep=sleeps.append).heap(1)
    assert prof.samples and sleeps == [0.01, 0.02]
    with serving({"/pprof/heap": lambda h: send(h, b"oops", status=500)}) as url:
        with pytest.raises(RemoteError, match=r"HTTP 500 Internal Server Error: oops \(tried 2 times"):
            PprofClient(url, FAST).heap(1)


def test_no_heap_page() -> None:
    with serving({}) as url:
        with pytest.raises(RemoteError, match=r"no heap profile here \(HTTP 404 for /pprof/heap and /debug/pprof/"):
            PprofClient(url, FAST).heap(1)
    with serving({}) as url:
        with pytest.raises(RemoteError, match=r"HTTP 404 Not Found.*heap profiler on"):
            PprofClient(url + "/pprof/heap", FAST).heap(1)


def test_a_page_that_is_not_a_profile() -> None:
    page = b"<!DOCTYPE html><html><body>Welcome to the admin console</body></html>"
    with serving({"/pprof/heap": lambda h: send(h, page, "text/html; charset=utf-8")}) as url:
        with pytest.raises(RemoteError) as err:
            PprofClient(url, FAST).heap(1)
    assert str(err.value) == (f"{url}/pprof/heap: the page is not a heap profile (text/html, starts with "
                              "'<!DOCTYPE html><html><body>Welcome to the admin console</bod…')")
    cut = DUMPS[0].read_bytes()[:300]  # a heap profile cut short
    with serving({"/pprof/heap": lambda h: send(h, cut)}) as url:
        with pytest.raises(RemoteError, match=r"a broken heap profile: .*truncated"):
            PprofClient(url, FAST).heap(1)
    with serving({"/pprof/heap": lambda h: send(h, b"heap profile:    0:        0 [     0:        0] @ heap_v2/0\n"
                                                   b"\nMAPPED_LIBRARIES:\n")}) as url:
        with pytest.raises(RemoteError, match=r"heap sampling is off.*TCMALLOC_SAMPLE_PARAMETER"):
            PprofClient(url, FAST).heap(1)


# ---- the watch loop on recorded snapshots ----------------------------------------------------------

def test_watch_on_recorded_snapshots_with_symbols_from_a_sym_file(static_result) -> None:  # type: ignore[no-untyped-def]
    with serving({"/pprof/heap": files_in_turn(DUMPS[:3])}) as url:
        w = Watch(static_result, PprofClient(url, FAST), WatchOptions(binary=str(SYM), symbols="local"))
        updates = [w.take() for _ in range(3)]
    top = updates[-1].result.findings[0]
    assert top.function == "dictserver::TermDictionary::search" and top.evidence is not None
    assert top.evidence.status == "confirmed" and top.evidence.verdict == "growing"
    assert top.evidence.series == (776160, 1516680, 2277000)  # the bytes the recorded dumps hold, exactly
    sites = {s.function: s.verdict for s in updates[-1].result.timeline.sites}
    assert sites["dictserver::QueryCache::put"] == "plateaued" and sites["dictserver::AuditLog::record"] == "growing"
    assert [u.baseline for u in updates] == [1, 2, 3] and not any(u.restart for u in updates)


def test_counters_that_go_down_start_a_new_baseline(static_result) -> None:  # type: ignore[no-untyped-def]
    with serving({"/pprof/heap": files_in_turn([DUMPS[1], DUMPS[2], DUMPS[0], DUMPS[1]])}) as url:
        w = Watch(static_result, PprofClient(url, FAST), WatchOptions(binary=str(SYM), symbols="local"))
        updates = [w.take() for _ in range(4)]
    assert [u.baseline for u in updates] == [1, 2, 1, 2]
    assert updates[2].restart == "its cumulative alloc_space went down"
    last = updates[-1].result
    assert last.timeline is not None and [p.label for p in last.timeline.points] == ["heap#3", "heap#4"]
    assert last.timeline.notes == ("snapshot 3: the service restarted (its cumulative alloc_space went down); "
                                   "new baseline",)


def test_proto_snapshots_keep_their_own_time(static_result) -> None:  # type: ignore[no-untyped-def]
    """/debug/pprof/heap serving pprof protobuf: the profile's time_nanos, not the fetch time, is the time axis."""
    from analyzer.correlate import load_profiles
    from analyzer.profiles.pprof_proto import to_proto

    hour = 3600 * 10**9
    protos = [to_proto(dataclasses.replace(p, time_nanos=1_700_000_000 * 10**9 + k * hour, comments=()))
              for k, p in enumerate(load_profiles([str(d) for d in DUMPS[:3]], str(SYM)))]
    queue = list(protos)
    with serving({"/debug/pprof/heap": lambda h: send(h, queue.pop(0), "application/octet-stream")}) as url:
        w = Watch(static_result, PprofClient(url, FAST), WatchOptions())
        updates = [w.take() for _ in range(3)]
    result = updates[-1].result
    assert [p.at for p in result.timeline.points] == [0.0, 3600.0, 7200.0]
    assert w.client.endpoints is not None and w.client.endpoints.heap == f"{url}/debug/pprof/heap"
    top = result.findings[0].evidence
    assert top is not None and top.per_hour == pytest.approx((2277000 - 776160) / 2, rel=1e-6)


def test_run_keeps_going_after_a_failed_snapshot_and_gives_up_after_three(static_result) -> None:  # type: ignore[no-untyped-def]
    answers = iter([200, 500, 200, 500, 500, 500])

    def flaky(h: http.server.BaseHTTPRequestHandler) -> None:
        status = next(answers)
        send(h, DUMPS[0].read_bytes() if status == 200 else b"down", status=status)
    errors: list[RemoteError] = []
    with serving({"/pprof/heap": flaky}) as url:
        w = Watch(static_result, PprofClient(url, FetchPolicy(retries=0)),
                  WatchOptions(interval=0.01, binary=str(SYM), symbols="local"))
        with pytest.raises(RemoteError, match="HTTP 500"):
            w.run(lambda u: None, errors.append)
    assert w.number == 2 and len(errors) == 3  # 500; 200; 500, 500 and the third in a row ends it


# ---- the command line -------------------------------------------------------------------------------

def leakscan(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return leakscan_in_repo(*args, timeout=timeout)


def test_cli_watch_from_a_saved_result(tmp_path: Path, static_result) -> None:  # type: ignore[no-untyped-def]
    from reports.jsonout import render_json
    saved = tmp_path / "scan.json"
    saved.write_text(render_json(static_result))
    with serving({"/pprof/heap": files_in_turn(DUMPS[:3])}) as url:
        proc = leakscan("watch", url, "--result", str(saved), "--binary", str(SYM), "--interval", "100ms",
                        "--count", "3", "-o", str(tmp_path / "out"))
    assert proc.returncode == 1, proc.stderr
    data = json.loads((tmp_path / "out" / "leakscan.json").read_text())
    assert data["findings"][0]["function"] == "dictserver::TermDictionary::search"
    assert data["findings"][0]["evidence"]["verdict"] == "growing"
    assert "snapshot 3 at" in proc.stdout and "done, 3 snapshot(s)" in proc.stdout


def test_cli_errors(tmp_path: Path) -> None:
    port = free_port()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    proc = leakscan("watch", f"http://127.0.0.1:{port}", "examples/dictserver", "-o", str(foreign))
    assert proc.returncode == 2 and "holds files that are not part of a report" in proc.stderr
    saved = tmp_path / "r.json"
    saved.write_text('{"root": ""}')
    proc = leakscan("watch", f"http://127.0.0.1:{port}", "--result", str(saved), "--retries", "1",
                    "-o", str(tmp_path / "out"))
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"leakscan: http://127.0.0.1:{port}/pprof/heap: connection refused (is the service "
                           "running and listening there?) (tried 2 times over ")
    proc = leakscan("watch", "http://x", "--count", "2", "--duration", "1h", "-o", str(tmp_path / "o"))
    assert proc.returncode == 2 and "not allowed with argument" in proc.stderr
    proc = leakscan("watch", "http://x", "--interval", "soon", "-o", str(tmp_path / "o"))
    assert proc.returncode == 2 and "not a duration: 'soon'" in proc.stderr


def test_durations() -> None:
    from analyzer.cli.watch import duration
    assert [duration(t) for t in ("60s", "2h", "1h30m", "500ms", "90", "1.5m")] == [60, 7200, 5400, 0.5, 90, 90]
