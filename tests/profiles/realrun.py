"""Build and run tests/data/profiles/src/leaky.cpp under every profiler; cache the outputs by source hash."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "profiles"
SRC = DATA / "src" / "leaky.cpp"
DBG = ["-g", "-O0", "-fno-omit-frame-pointer", "-std=c++17"]

# Run sizes: the heap-profiler run dumps every 400 requests (10 dumps + the exit dump); the
# sampled run is larger so that 1-in-512 KiB sampling catches enough leaked 4 KiB bodies.
HEAP_N, HEAP_EVERY = 4000, 400
SAMPLE_N, SAMPLE_EVERY = 40000, 10000
SMALL_N = 200  # LSan and valgrind


@dataclass(frozen=True)
class RealRun:
    dir: Path
    tc_binary: Path  # tcmalloc + heap profiler build
    heap_dumps: tuple[Path, ...]  # HEAPPROFILE dumps, in order (the last one is at exit)
    samples: tuple[Path, ...]  # GetHeapSample() snapshots (heap_v2/524288)
    sample_off: Path  # GetHeapSample() without TCMALLOC_SAMPLE_PARAMETER
    growth: Path  # GetHeapGrowthStacks()
    other_binary: Path | None  # same program rebuilt differently: another build id
    lsan_binary: Path | None
    lsan_report: Path | None
    lsan_raw_report: Path | None  # symbolize=0
    valgrind_xml: Path | None
    valgrind_text: Path | None
    pprof: dict[str, Path]  # google-pprof outputs by name


def markers() -> dict[str, int]:
    """`@name` marker → line number in leaky.cpp."""
    out = {}
    for i, line in enumerate(SRC.read_text().splitlines(), 1):
        m = re.search(r"// @([\w-]+)", line)
        if m:
            out[m.group(1)] = i
    return out


def need(path: Path | None, what: str) -> Path:
    """Skip the calling test when an optional tool's output is missing."""
    if path is None:
        import pytest

        pytest.skip(f"needs {what}")
    return path


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def have_tcmalloc() -> bool:
    if not have("g++"):
        return False
    probe = subprocess.run(["g++", "-print-file-name=libtcmalloc_and_profiler.so"],
                           capture_output=True, text=True, check=False)
    return os.path.isabs(probe.stdout.strip()) and os.path.exists(probe.stdout.strip())


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,),
         stdout: Path | None = None, stderr: Path | None = None) -> None:
    full_env = {**os.environ, **(env or {})}
    with open(stdout or os.devnull, "wb") as out, open(stderr or os.devnull, "wb") as err:
        rc = subprocess.run(cmd, cwd=cwd, env=full_env, stdout=out, stderr=err, check=False).returncode
    if rc not in ok:
        raise RuntimeError(f"{' '.join(cmd)} exited {rc}")


def _cache_dir() -> Path:
    h = hashlib.sha256(SRC.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
    root = os.environ.get("LEAKSCAN_PROFILE_CACHE") or tempfile.gettempdir()
    return Path(root) / f"leakscan-profiles-{h}"


def build_and_run() -> RealRun:
    """Build all variants and produce every profile kind; reuse a complete earlier run."""
    d = _cache_dir()
    if not (d / "DONE").exists():
        if d.exists():
            shutil.rmtree(d)
        tmp = Path(tempfile.mkdtemp(prefix=d.name + ".", dir=d.parent))
        _produce(tmp)
        (tmp / "DONE").write_text("ok\n")
        try:
            tmp.rename(d)
        except OSError:  # another process finished first
            shutil.rmtree(tmp, ignore_errors=True)
    return _collect(d)


def _produce(d: Path) -> None:
    src = str(SRC)
    _run(["g++", *DBG, "-DWITH_TCMALLOC", src, "-o", "leaky_tc", "-ltcmalloc_and_profiler"], d)
    (d / "other").mkdir()
    _run(["g++", *DBG, "-DWITH_TCMALLOC", "-DLEAKY_VARIANT=2", src, "-o", "other/leaky_tc",
          "-ltcmalloc_and_profiler"], d)
    (d / "hp").mkdir()
    (d / "s").mkdir()
    (d / "off").mkdir()
    # Dumps come from explicit HeapProfilerDump() calls between requests (the huge interval
    # disables size-triggered dumps, which would catch the decoy's buffer mid-request).
    _run(["./leaky_tc", str(HEAP_N), str(HEAP_EVERY)], d,
         {"HEAPPROFILE": "hp/leaky", "HEAP_PROFILE_ALLOCATION_INTERVAL": str(1 << 40),
          "HEAP_PROFILE_INUSE_INTERVAL": str(1 << 40)}, stderr=d / "hp" / "stderr.txt")
    env_sample = {"TCMALLOC_SAMPLE_PARAMETER": "524288"}
    _run(["./leaky_tc", str(SAMPLE_N), str(SAMPLE_EVERY), "s"], d, env_sample)
    off_env = {k: v for k, v in os.environ.items() if k != "TCMALLOC_SAMPLE_PARAMETER"}
    with open(os.devnull, "wb") as null:
        subprocess.run(["./leaky_tc", "20", "10", "off"], cwd=d, env=off_env, stdout=null,
                       stderr=null, check=True)
    if have("google-pprof"):
        _pprof(d)
    if have("valgrind"):
        _run(["g++", *DBG, src, "-o", "leaky_plain"], d)
        vg = ["valgrind", "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=all",
              "--num-callers=20"]
        _run([*vg, "--xml=yes", "--xml-file=valgrind.xml", "./leaky_plain", str(SMALL_N)], d)
        _run([*vg, "--log-file=valgrind.txt", "./leaky_plain", str(SMALL_N)], d)
    if _can_lsan(d):
        _run(["g++", *DBG, "-fsanitize=leak", src, "-o", "leaky_lsan"], d)
        _run(["./leaky_lsan", str(SMALL_N)], d, {"LSAN_OPTIONS": "detect_leaks=1"}, ok=(23,),
             stderr=d / "lsan.txt")
        _run(["./leaky_lsan", str(SMALL_N)], d, {"LSAN_OPTIONS": "detect_leaks=1:symbolize=0"},
             ok=(23,), stderr=d / "lsan-raw.txt")


def _can_lsan(d: Path) -> bool:
    probe = d / "probe.c"
    probe.write_text("int main(void){return 0;}\n")
    return subprocess.run(["gcc", "-fsanitize=leak", str(probe), "-o", str(d / "probe")],
                          capture_output=True, check=False).returncode == 0


def _pprof(d: Path) -> None:
    dumps = sorted((d / "hp").glob("leaky.*.heap"))
    samples = sorted((d / "s").glob("sample.*.heap"))
    p = ["google-pprof", "--show_bytes"]
    outs = {
        "text": [*p, "--text", "leaky_tc", str(dumps[-1])],
        "text-alloc": [*p, "--text", "--alloc_space", "leaky_tc", str(dumps[-1])],
        "text-base": [*p, "--text", f"--base={dumps[1]}", "leaky_tc", str(dumps[-2])],
        "text-base-lines": [*p, "--text", "--lines", f"--base={dumps[1]}", "leaky_tc", str(dumps[-2])],
        "stacks": [*p, "--text", "--stacks", "leaky_tc", str(dumps[-1])],
        "collapsed": [*p, "--collapsed", "leaky_tc", str(dumps[-1])],
        "sample-text": [*p, "--text", "leaky_tc", str(samples[-1])],
        "sample-base": [*p, "--text", f"--base={samples[0]}", "leaky_tc", str(samples[-1])],
    }
    (d / "pprof").mkdir()
    for name, cmd in outs.items():
        _run(cmd, d, stdout=d / "pprof" / f"{name}.txt", stderr=d / "pprof" / f"{name}.err")


def _opt(p: Path) -> Path | None:
    return p if p.exists() else None


def _collect(d: Path) -> RealRun:
    return RealRun(
        dir=d,
        tc_binary=d / "leaky_tc",
        heap_dumps=tuple(sorted((d / "hp").glob("leaky.*.heap"))),
        samples=tuple(sorted((d / "s").glob("sample.*.heap"))),
        sample_off=d / "off" / "sample.0001.heap",
        growth=d / "s" / "growth.prof",
        other_binary=_opt(d / "other" / "leaky_tc"),
        lsan_binary=_opt(d / "leaky_lsan"),
        lsan_report=_opt(d / "lsan.txt"),
        lsan_raw_report=_opt(d / "lsan-raw.txt"),
        valgrind_xml=_opt(d / "valgrind.xml"),
        valgrind_text=_opt(d / "valgrind.txt"),
        pprof={p.stem: p for p in sorted((d / "pprof").glob("*.txt"))} if (d / "pprof").exists() else {},
    )


# ---- jemalloc, heaptrack, valgrind massif (independent of gperftools) --------------------------

JE_N, JE_EVERY = 4000, 400  # 10 prof.dump snapshots + the final dump at exit
JE_SAMPLED_N = 20000
JE_CONF = "prof:true,prof_leak:true,prof_accum:true,lg_prof_sample:0,prof_final:true"
JE_SAMPLED_CONF = "prof:true,lg_prof_sample:16"  # one sample per 64 KiB: values are un-sampled estimates
TRACK_N = 2000  # heaptrack and massif


@dataclass(frozen=True)
class MoreRun:
    dir: Path
    je_binary: Path | None  # leaky.cpp linked with -ljemalloc
    je_dumps: tuple[Path, ...]  # prof.dump snapshots then the final dump, in dump order
    je_sampled: Path | None  # a dump at lg_prof_sample:16
    je_rebuilt: Path | None  # a dump whose binary was rebuilt (other layout) after the run
    je_rebuilt_binary: Path | None
    je_original_binary: Path | None  # a copy of the binary that made je_rebuilt
    je_static: Path | None  # a dump of a build with jemalloc linked statically (its frames in the executable)
    je_static_binary: Path | None
    jeprof: dict[str, Path]  # jeprof --text outputs by name
    plain_binary: Path | None
    heaptrack: Path | None  # heaptrack.leaky_plain.PID.zst (or .gz)
    heaptrack_print: dict[str, Path]  # heaptrack_print outputs by name
    massif: Path | None  # massif.out.PID
    ms_print: Path | None


def have_jemalloc() -> bool:
    if not have("g++") or not os.path.exists("/usr/include/jemalloc/jemalloc.h"):
        return False
    probe = subprocess.run(["g++", "-print-file-name=libjemalloc.so"], capture_output=True, text=True, check=False)
    return os.path.isabs(probe.stdout.strip()) and os.path.exists(probe.stdout.strip())


def build_and_run_more() -> MoreRun:
    """Build leaky.cpp with jemalloc and plain, run it under jemalloc profiling, heaptrack and massif (cached)."""
    d = _cache_dir().with_name(_cache_dir().name + "-more")
    if not (d / "DONE").exists():
        if d.exists():
            shutil.rmtree(d)
        tmp = Path(tempfile.mkdtemp(prefix=d.name + ".", dir=d.parent))
        _produce_more(tmp)
        (tmp / "DONE").write_text("ok\n")
        try:
            tmp.rename(d)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    return _collect_more(d)


def _produce_more(d: Path) -> None:
    src = str(SRC)
    if have_jemalloc():
        je = [*DBG, "-DWITH_JEMALLOC", src]
        _run(["g++", *je, "-o", "leaky_je", "-ljemalloc"], d)
        _run(["g++", *je, "-o", "leaky_je_static", "-Wl,-Bstatic", "-ljemalloc", "-Wl,-Bdynamic", "-lpthread",
              "-ldl"], d)
        for sub in ("je", "jes", "jst", "rebuilt"):
            (d / sub).mkdir()
        _run(["./leaky_je", str(JE_N), str(JE_EVERY)], d, {"MALLOC_CONF": f"{JE_CONF},prof_prefix:je/jeprof"},
             stderr=d / "je" / "stderr.txt")
        _run(["./leaky_je", str(JE_SAMPLED_N), str(JE_SAMPLED_N)], d,
             {"MALLOC_CONF": f"{JE_SAMPLED_CONF},prof_prefix:jes/jeprof"})
        _run(["./leaky_je_static", str(JE_EVERY), str(JE_EVERY)], d,
             {"MALLOC_CONF": f"{JE_CONF},prof_prefix:jst/jeprof"})
        # A binary rebuilt after its profile was taken: at the same path, with another code layout.
        _run(["g++", *je, "-o", "rebuilt/leaky_je", "-ljemalloc"], d)
        _run(["cp", "-p", "rebuilt/leaky_je", "rebuilt/leaky_je.orig"], d)
        _run(["./leaky_je", "400", "400"], d / "rebuilt", {"MALLOC_CONF": f"{JE_CONF},prof_prefix:jeprof"})
        _run(["g++", *je, "-DLEAKY_VARIANT=2", "-static-libstdc++", "-static-libgcc", "-o", "rebuilt/leaky_je",
              "-ljemalloc"], d)
        if have("jeprof"):
            dumps = _je_dumps(d / "je")
            sampled = _je_dumps(d / "jes")[-1]
            (d / "jeprof").mkdir()
            outs = {
                "text": [str(dumps[-2])],
                "text-alloc": ["--alloc_space", str(dumps[-2])],
                "text-base": [f"--base={dumps[1]}", str(dumps[-2])],
                "text-final": [str(dumps[-1])],
                "sampled": [str(sampled)],
            }
            for name, args in outs.items():
                _run(["jeprof", "--text", "--show_bytes", *args[:-1], "leaky_je", args[-1]], d,
                     stdout=d / "jeprof" / f"{name}.txt", stderr=d / "jeprof" / f"{name}.err")
    _run(["g++", *DBG, src, "-o", "leaky_plain"], d)
    if have("heaptrack") and have("heaptrack_print"):
        (d / "ht").mkdir()
        _run(["heaptrack", "../leaky_plain", str(TRACK_N)], d / "ht", stdout=d / "ht" / "stdout.txt")
        rec = next(iter(sorted((d / "ht").glob("heaptrack.leaky_plain.*"))))
        hp = ["heaptrack_print", "-f", str(rec)]
        _run([*hp, "--print-leaks", "1", "-p", "0", "-a", "0", "-T", "0"], d, stdout=d / "ht" / "print-leaks.txt")
        for cost in ("leaked", "allocations"):
            _run([*hp, "-p", "0", "-a", "0", "-T", "0", "--flamegraph-cost-type", cost,
                  "-F", str(d / "ht" / f"flame-{cost}.txt")], d, stdout=d / "ht" / f"flame-{cost}.out")
    if have("valgrind") and have("ms_print"):
        (d / "massif").mkdir()
        _run(["valgrind", "--tool=massif", "--massif-out-file=massif.out.%p", "../leaky_plain", str(TRACK_N)],
             d / "massif")
        out = next(iter((d / "massif").glob("massif.out.*")))
        _run(["ms_print", out.name], d / "massif", stdout=d / "massif" / "ms_print.txt")


def _je_dumps(d: Path) -> list[Path]:
    from analyzer.profiles.growth import sequence_number

    return sorted(d.glob("jeprof.*.heap"), key=lambda p: sequence_number(str(p)) or 0)


def _collect_more(d: Path) -> MoreRun:
    je = _je_dumps(d / "je") if (d / "je").exists() else []
    jes = _je_dumps(d / "jes") if (d / "jes").exists() else []
    rebuilt = sorted((d / "rebuilt").glob("jeprof.*.heap")) if (d / "rebuilt").exists() else []
    jst = _je_dumps(d / "jst") if (d / "jst").exists() else []
    ht = sorted((d / "ht").glob("heaptrack.leaky_plain.*")) if (d / "ht").exists() else []
    massif = sorted((d / "massif").glob("massif.out.*")) if (d / "massif").exists() else []
    return MoreRun(
        dir=d,
        je_binary=_opt(d / "leaky_je"),
        je_dumps=tuple(je),
        je_sampled=jes[-1] if jes else None,
        je_rebuilt=rebuilt[0] if rebuilt else None,
        je_rebuilt_binary=_opt(d / "rebuilt" / "leaky_je"),
        je_original_binary=_opt(d / "rebuilt" / "leaky_je.orig"),
        je_static=jst[0] if jst else None,
        je_static_binary=_opt(d / "leaky_je_static"),
        jeprof={p.stem: p for p in sorted((d / "jeprof").glob("*.txt"))} if (d / "jeprof").exists() else {},
        plain_binary=_opt(d / "leaky_plain"),
        heaptrack=ht[0] if ht else None,
        heaptrack_print={p.stem: p for p in sorted((d / "ht").glob("*.txt"))} if (d / "ht").exists() else {},
        massif=massif[0] if massif else None,
        ms_print=_opt(d / "massif" / "ms_print.txt"),
    )
