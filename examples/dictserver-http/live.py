#!/usr/bin/env python3
"""Watch the example service live: build dictserver-http, start it on 127.0.0.1 (a free port), drive its load
in step with the heap snapshots, and run `leakscan watch` on it.

    python3 examples/dictserver-http/live.py [-o out/watch-report] [--interval 2s] [-- WATCH_OPTIONS...]

(also `python3 dev.py example --watch`). The load: 4000 queries before the first snapshot, then 4000 more
after each snapshot is served, so the snapshots see 4000, 8000, 12000... queries, as the recorded heap
profiles of ../dictserver do, whatever the machine's speed. Needs g++, make, libgoogle-perftools-dev and
libcpp-httplib-dev. The functions are used by the test too (tests/e2e/test_watch_live.py).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
QUERIES = 4000  # per step of the load


def missing_tools() -> list[str]:
    """What the build needs and this machine lacks (Debian package names)."""
    missing = [tool for tool in ("g++", "make") if shutil.which(tool) is None]
    if missing:
        return missing
    lib = subprocess.run(["g++", "-print-file-name=libtcmalloc_and_profiler.so"], capture_output=True, text=True,
                         check=False).stdout.strip()
    if not os.path.isabs(lib):
        missing.append("libgoogle-perftools-dev")
    probe = subprocess.run(["g++", "-x", "c++", "-std=c++17", "-fsyntax-only", "-"], input="#include <httplib.h>\n",
                           capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        missing.append("libcpp-httplib-dev")
    return missing


def build(build_dir: Path) -> Path:
    """Build dictserver-http into `build_dir` (make); RuntimeError with the compiler's output on failure."""
    proc = subprocess.run(["make", "-s", "-C", str(HERE), f"BUILD={build_dir}"], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"building dictserver-http failed:\n{proc.stdout}{proc.stderr}")
    return build_dir / "dictserver-http"


class Service:
    """A running dictserver-http."""

    def __init__(self, proc: subprocess.Popen[str], url: str) -> None:
        self.proc = proc
        self.url = url

    def get(self, path: str, timeout: float = 120.0) -> str:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as resp:
            return resp.read().decode()

    def stat(self, name: str) -> int:
        m = re.search(rf"^{name} (\d+)$", self.get("/stats"), re.M)
        return int(m.group(1)) if m else 0

    def replay(self, queries: int = QUERIES) -> None:
        self.get(f"/replay?queries={queries}")


@contextmanager
def running(binary: Path, port: int = 0, env: dict[str, str] | None = None,
            startup: float = 30.0) -> Iterator[Service]:
    """Start the service on 127.0.0.1 (`port` 0: a free one) and stop it (SIGTERM, then SIGKILL) at the end."""
    proc = subprocess.Popen([str(binary), "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env={**os.environ, **(env or {})})
    try:
        line = _first_line(proc, startup)
        m = re.search(r"listening on (http://\S+)", line)
        if m is None:
            raise RuntimeError(f"dictserver-http did not start: {line.strip() or 'no output'}")
        yield Service(proc, m.group(1))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _first_line(proc: subprocess.Popen[str], timeout: float) -> str:
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.readline() if proc.stdout else ""), daemon=True)
    reader.start()
    reader.join(timeout)
    return out[0] if out else ""


def drive_in_step(service: Service, steps: int, queries: int = QUERIES, timeout: float = 300.0) -> threading.Thread:
    """In the background: after the k-th heap snapshot from now is served (k = 1..steps), replay `queries` more.

    Snapshots and replays take the service's one lock, so each snapshot sees whole steps of the load."""
    served = service.stat("snapshots")

    def loop() -> None:
        deadline = time.monotonic() + timeout
        try:
            for k in range(1, steps + 1):
                while service.stat("snapshots") < served + k:
                    if time.monotonic() > deadline or service.proc.poll() is not None:
                        return
                    time.sleep(0.05)
                service.replay(queries)
        except OSError:  # the service went away: the watch says so
            return

    thread = threading.Thread(target=loop, daemon=True, name="dictserver-http load")
    thread.start()
    return thread


def watch_command(url: str, out: Path, interval: str, count: int, extra: Sequence[str] = ()) -> list[str]:
    return [sys.executable, "-m", "analyzer", "watch", url, str(ROOT / "examples" / "dictserver"),
            "--interval", interval, "--count", str(count), "-o", str(out), *extra]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="out/watch-report", help="report folder (default: %(default)s)")
    ap.add_argument("--interval", default="2s", help="between snapshots (default: %(default)s)")
    ap.add_argument("--count", type=int, default=3, help="snapshots (default: %(default)s)")
    args = ap.parse_args(argv)
    missing = missing_tools()
    if missing:
        print(f"live.py: the live example needs {', '.join(missing)} (Debian packages); not run", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="dictserver-http-") as tmp:
        binary = build(Path(tmp))
        with running(binary) as service:
            service.replay()  # the first snapshot sees 4000 queries
            driver = drive_in_step(service, args.count - 1)
            cmd = watch_command(service.url, Path(args.output), args.interval, args.count, extra)
            print("$ leakscan " + " ".join(cmd[3:]), flush=True)
            rc = subprocess.call(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
            driver.join(timeout=5)
    return 0 if rc in (0, 1) else rc


if __name__ == "__main__":
    sys.exit(main())
