"""Compile a generated program with AddressSanitizer, run it on input vectors, read LeakSanitizer's reports.

Binaries and run results are cached by a hash of the source, the compiler's identity and the flags, so a second
bench run (say, after an analyzer change) only re-runs leakscan. Reports are printed unsymbolized
(`symbolize=0`: the in-process symbolizer costs ~0.4 s per leaking run) and symbolized afterwards with one
`addr2line` per binary.

LSan options: `use_stacks=0:use_registers=0`. The leak check runs at exit, after main returned, so no live stack
frame legitimately holds a pointer; stale copies left in dead stack slots or registers would only hide real leaks.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CFLAGS = ("-std=c11", "-g", "-O0", "-fno-omit-frame-pointer", "-fsanitize=address", "-w")
ASAN_OPTIONS = "detect_leaks=1:symbolize=0:halt_on_error=1:abort_on_error=0:exitcode=86:detect_odr_violation=0"
LSAN_OPTIONS = "use_stacks=0:use_registers=0:max_leaks=0:report_objects=0:exitcode=23"
RUN_TIMEOUT = 20

_LEAK_HEAD = re.compile(r"^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) object\(s\) allocated from:")
_FRAME = re.compile(r"^\s*#(\d+) 0x[0-9a-f]+\s+\((.+)\+0x([0-9a-f]+)\)")


class ToolchainError(Exception):
    pass


@dataclass(frozen=True)
class Frame:
    func: str
    file: str
    line: int


@dataclass(frozen=True)
class Leak:
    direct: bool
    frames: tuple[Frame, ...]  # frames in the program's own source, innermost first


@dataclass(frozen=True)
class RunResult:
    inputs: tuple[int, ...]
    leaks: tuple[Leak, ...]
    error: str  # an ASan report other than leaks, a crash or a timeout: the program is unusable


def compiler_identity(cc: str) -> str:
    proc = subprocess.run([cc, "--version"], capture_output=True, text=True, check=False)
    return proc.stdout.splitlines()[0] if proc.returncode == 0 and proc.stdout else ""


def toolchain_problem(cc: str = "gcc") -> str | None:
    """Why this machine cannot run the judge (None: it can): compiler, ASan runtime, a working leak check."""
    if not shutil.which(cc):
        return f"no {cc}"
    if not shutil.which("addr2line"):
        return "no addr2line (binutils)"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "probe.c")
        src.write_text("#include <stdlib.h>\nvoid *keep;\nint main(void) { keep = malloc(3); keep = 0; return 0; }\n")
        proc = subprocess.run([cc, *CFLAGS, str(src), "-o", str(Path(tmp, "probe"))], capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0:
            return f"{cc} -fsanitize=address does not link: {proc.stderr.strip()[:200]}"
        run = subprocess.run([str(Path(tmp, "probe"))], capture_output=True, text=True, check=False,
                             env=_env(), timeout=RUN_TIMEOUT)
        if "Direct leak of 3 byte(s)" not in run.stderr:
            return f"LeakSanitizer does not report leaks here: {run.stderr.strip()[:200]}"
    return None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ASAN_OPTIONS
    env["LSAN_OPTIONS"] = LSAN_OPTIONS
    return env


class Sanitizer:
    def __init__(self, cache: Path, cc: str = "gcc") -> None:
        self.cache = cache
        self.cc = cc
        self.identity = compiler_identity(cc)
        (cache / "bin").mkdir(parents=True, exist_ok=True)
        (cache / "runs").mkdir(parents=True, exist_ok=True)

    def key(self, source: str) -> str:
        h = hashlib.sha256()
        for part in (self.identity, " ".join(CFLAGS), ASAN_OPTIONS, LSAN_OPTIONS, source):
            h.update(part.encode() + b"\0")
        return h.hexdigest()[:24]

    def build(self, source_path: Path) -> Path:
        """The binary for this source (from the cache when the same source was built before)."""
        key = self.key(source_path.read_text())
        binary = self.cache / "bin" / key
        if binary.exists():
            return binary
        tmp = binary.with_suffix(f".tmp{os.getpid()}")
        proc = subprocess.run([self.cc, *CFLAGS, str(source_path), "-o", str(tmp)], capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0:
            raise ToolchainError(f"{source_path.name} does not compile: {proc.stderr.strip()[:400]}")
        os.replace(tmp, binary)
        return binary

    def run_all(self, source_path: Path, vectors: list[tuple[int, ...]], stop_when=None) -> list[RunResult]:
        """Run every input vector (cached). `stop_when(result)` ends early (the minimizer's quick answer)."""
        source = source_path.read_text()
        key = self.key(source)
        cached = self.cache / "runs" / f"{key}.json"
        if cached.exists():
            return [_result_from_json(r) for r in json.loads(cached.read_text())]
        binary = self.build(source_path)
        raw: list[tuple[tuple[int, ...], list[tuple[bool, list[tuple[str, int]]]], str]] = []
        complete = True
        for vec in vectors:
            leaks, error = self._run(binary, vec)
            raw.append((vec, leaks, error))
            if stop_when is not None and stop_when(self._symbolized(binary, source_path.name, [raw[-1]])[0]):
                complete = False
                break
        results = self._symbolized(binary, source_path.name, raw)
        if complete:
            tmp = cached.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps([_result_to_json(r) for r in results]))
            os.replace(tmp, cached)
        return results

    def _run(self, binary: Path, vec: tuple[int, ...]):
        try:
            proc = subprocess.run([str(binary), *map(str, vec)], capture_output=True, text=True, check=False,
                                  env=_env(), timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return [], "timeout"
        err = proc.stderr
        if "ERROR: AddressSanitizer" in err or proc.returncode < 0 or proc.returncode not in (0, 1, 2, 23):
            first = next((ln for ln in err.splitlines() if "ERROR" in ln), f"exit status {proc.returncode}")
            return [], first.strip()
        if "ERROR: LeakSanitizer" in err and "detected memory leaks" not in err:
            return [], next(ln for ln in err.splitlines() if "ERROR" in ln).strip()
        return _parse_leaks(err, binary.name), ""

    def _symbolized(self, binary: Path, source_name: str, raw) -> list[RunResult]:
        offsets = sorted({off for _vec, leaks, _e in raw for _d, frames in leaks for off, _i in frames})
        table = _addr2line(binary, offsets)
        results = []
        for vec, leaks, error in raw:
            out = []
            for direct, frames in leaks:
                program_frames = []
                for off, _index in frames:
                    func, file, line = table.get(off, ("??", "", 0))
                    if os.path.basename(file) == source_name:
                        program_frames.append(Frame(func, source_name, line))
                out.append(Leak(direct, tuple(program_frames)))
            results.append(RunResult(tuple(vec), tuple(out), error))
        return results


def _parse_leaks(stderr: str, binary_name: str) -> list[tuple[bool, list[tuple[int, int]]]]:
    """[(direct, [(offset in the binary, frame index)])] from an unsymbolized LSan report."""
    leaks: list[tuple[bool, list[tuple[int, int]]]] = []
    current: list[tuple[int, int]] | None = None
    for line in stderr.splitlines():
        head = _LEAK_HEAD.match(line)
        if head:
            current = []
            leaks.append((head.group(1) == "Direct", current))
            continue
        frame = _FRAME.match(line)
        if frame and current is not None:
            index, module, off = int(frame.group(1)), frame.group(2), int(frame.group(3), 16)
            if os.path.basename(module) == binary_name:
                # return addresses: the call instruction ends just before them (frame 0 is the allocator itself)
                current.append((off - 1 if index > 0 else off, index))
        elif not line.strip():
            current = None
    return leaks


def _addr2line(binary: Path, offsets: list[int]) -> dict[int, tuple[str, str, int]]:
    if not offsets:
        return {}
    proc = subprocess.run(["addr2line", "-f", "-e", str(binary)], input="\n".join(hex(o) for o in offsets) + "\n",
                          capture_output=True, text=True, check=True)
    lines = proc.stdout.splitlines()
    table = {}
    for i, off in enumerate(offsets):
        func = lines[2 * i].strip()
        loc = lines[2 * i + 1].split(" (discriminator")[0].strip()
        file, _, line = loc.rpartition(":")
        table[off] = (func, file, int(line) if line.isdigit() else 0)
    return table


def _result_to_json(r: RunResult) -> dict:
    return {"inputs": list(r.inputs), "error": r.error,
            "leaks": [{"direct": lk.direct, "frames": [[f.func, f.file, f.line] for f in lk.frames]} for lk in r.leaks]}


def _result_from_json(d: dict) -> RunResult:
    return RunResult(tuple(d["inputs"]), tuple(Leak(lk["direct"], tuple(Frame(*f) for f in lk["frames"]))
                                               for lk in d["leaks"]), d["error"])
