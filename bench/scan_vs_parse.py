"""A cold scan against `clang -fsyntax-only`, a warm re-scan after editing one source file, and peak memory.

    python bench/scan_vs_parse.py [-j 2] [-p BUILD_DIR]...     (default: leveldb and redis from /work/debsrc)

For each compile database the source tree (the folder holding every TU) is copied to a temporary folder and the
database rewritten to point there, so that the edit never touches the original. Then, with the same number of
parallel jobs on both sides:
  * clang -fsyntax-only over every TU (bench/scan_speed.py's time_clang);
  * a cold `leakscan scan` with an empty cache folder;
  * a warm re-scan after appending a comment to one .c/.cc file (a real edit: the content changes), and one with
    nothing changed;
  * peak RSS (VmHWM, sampled every 50 ms) of leakscan's main process and of its largest worker process;
  * CPU seconds (leakscan with its workers, clang's processes): on a machine shared with other work, the CPU ratio
    says more than the wall-clock one.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_speed import children_cpu, leakscan_cmd, time_clang

DEFAULT_BUILDS = ("/work/debsrc/build-leveldb", "/work/debsrc/build-redis")


def _peak_rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakMemory:
    """Highest VmHWM seen for a process and for each of its descendants, while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        import psutil
        root = psutil.Process(self.pid)
        while not self.done.is_set():
            try:
                pids = [self.pid, *(c.pid for c in root.children(recursive=True))]
            except psutil.Error:
                pids = [self.pid]
            for pid in pids:
                self.peaks[pid] = max(self.peaks.get(pid, 0), _peak_rss_kib(pid))
            time.sleep(0.05)

    def stop(self) -> tuple[float, float]:
        """(main process MiB, largest worker MiB)."""
        self.done.set()
        self.thread.join()
        workers = [v for pid, v in self.peaks.items() if pid != self.pid]
        return self.peaks.get(self.pid, 0) / 1024, max(workers, default=0) / 1024


def scan(compdb: Path, jobs: int, cache: Path, out: Path) -> tuple[float, float, float, float, dict]:
    """(wall seconds, CPU seconds of leakscan and its workers, main MiB, worker MiB, result)."""
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen([*leakscan_cmd(), "scan", "--compile-commands", str(compdb), "-j", str(jobs),
                             "--cache-dir", str(cache), "-q", "--format", "json", "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(proc.pid)
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    cpu = children_cpu() - cpu
    main_mib, worker_mib = memory.stop()
    if proc.returncode not in (0, 1, 3):
        sys.exit(f"leakscan failed ({proc.returncode}): {err.strip()}")
    return elapsed, cpu, main_mib, worker_mib, json.loads(out.read_text())


def copy_tree(compdb: Path, tmp: Path) -> tuple[Path, list[str]]:
    """The database rewritten to a copy of the source tree (the folder holding every TU); the TU paths in the
    copy. The copy's siblings are symlinks to the originals, so that flags like `-I../deps/lua/src` still find
    them (read only)."""
    entries = json.loads(compdb.read_text())
    root = os.path.commonpath([os.path.abspath(os.path.join(e["directory"], e["file"])) for e in entries])
    root = root if os.path.isdir(root) else os.path.dirname(root)
    parent = tmp / "tree"
    parent.mkdir()
    for sibling in os.listdir(os.path.dirname(root)):
        if sibling != os.path.basename(root):
            (parent / sibling).symlink_to(os.path.join(os.path.dirname(root), sibling))
    copy = parent / os.path.basename(root)
    shutil.copytree(root, copy, symlinks=True, ignore=shutil.ignore_patterns("*.o", "*.a", "*.so", ".git"))
    text = compdb.read_text().replace(root, str(copy))
    new_db = tmp / "build" / "compile_commands.json"
    new_db.parent.mkdir()
    new_db.write_text(text)
    files = [os.path.abspath(os.path.join(e["directory"], e["file"])) for e in json.loads(text)]
    return new_db, files


def bench(build: str, jobs: int, clang: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="leakscan-bench-") as tmp_name:
        tmp = Path(tmp_name)
        compdb, files = copy_tree(Path(build) / "compile_commands.json", tmp)
        clang_s, clang_cpu, tus, clang_errors = time_clang(str(compdb), jobs, clang)
        cache = tmp / "cache"
        cold_s, cold_cpu, main_mib, worker_mib, cold = scan(compdb, jobs, cache, tmp / "cold.json")
        unchanged_s, _, _, _, _ = scan(compdb, jobs, cache, tmp / "same.json")
        edited = sorted(files, key=lambda f: os.path.getsize(f))[len(files) // 2]  # a median-sized TU
        with open(edited, "a") as fh:
            fh.write("\n/* edited by bench/scan_vs_parse.py */\n")
        warm_s, warm_cpu, warm_main_mib, _, warm = scan(compdb, jobs, cache, tmp / "warm.json")
    same = [f["fingerprint"] for f in cold["findings"]] == [f["fingerprint"] for f in warm["findings"]]
    return {"name": Path(build).name.removeprefix("build-"), "tus": tus, "clang_errors": clang_errors,
            "clang_s": clang_s, "cold_s": cold_s, "ratio": cold_s / clang_s, "unchanged_s": unchanged_s,
            "warm_s": warm_s, "warm_share": warm_s / cold_s, "edited": os.path.basename(edited),
            "cpu_ratio": cold_cpu / max(clang_cpu, 1e-9), "warm_cpu_share": warm_cpu / max(cold_cpu, 1e-9),
            "main_mib": max(main_mib, warm_main_mib), "worker_mib": worker_mib,
            "functions": cold["stats"]["functions"], "findings": len(cold["findings"]), "same_findings": same,
            "degraded": cold["stats"]["degraded_tus"] + cold["stats"]["failed_tus"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-p", "--build-dir", action="append", help="a folder holding compile_commands.json")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--clang", default=shutil.which("clang") or "clang")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; -j {args.jobs}")
    print(f"{'codebase':10} {'TUs':>4} {'clang s':>8} {'cold s':>7} {'ratio':>6} {'no-edit s':>9} {'warm s':>7} "
          f"{'warm/cold':>9} {'main MiB':>8} {'worker MiB':>10} {'CPU ratio':>9} {'warm/cold CPU':>13}")
    for build in args.build_dir or DEFAULT_BUILDS:
        r = bench(build, args.jobs, args.clang)
        print(f"{r['name']:10} {r['tus']:>4} {r['clang_s']:>8.2f} {r['cold_s']:>7.2f} {r['ratio']:>5.2f}x "
              f"{r['unchanged_s']:>9.2f} {r['warm_s']:>7.2f} {r['warm_share']:>8.1%} {r['main_mib']:>8.0f} "
              f"{r['worker_mib']:>10.0f} {r['cpu_ratio']:>8.2f}x {r['warm_cpu_share']:>13.1%}   "
              f"({r['functions']} functions, {r['findings']} findings, {r['degraded']} TUs degraded or failed, "
              f"edited {r['edited']}, "
              f"warm findings {'same' if r['same_findings'] else 'DIFFER'})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
