"""Exact facts about jemalloc, heaptrack and massif profiles of leaky.cpp, checked against jeprof,
heaptrack_print and ms_print on the same files."""

from __future__ import annotations

import gzip
import re
import subprocess
from pathlib import Path

import pytest

from analyzer.profiles import (
    SymbolizeOptions,
    diff_profiles,
    function_rows,
    load_profile,
    open_profile,
    open_series,
    score_growth,
    stack_totals,
)
from analyzer.profiles.aggregate import site_totals
from analyzer.profiles.model import Frame, Profile
from analyzer.profiles.names import short_name
from tests.profiles.realrun import DBG, JE_CONF, JE_EVERY, JE_N, SRC, TRACK_N, MoreRun, have_jemalloc, need

pytestmark = pytest.mark.slow

BODY, CACHE = 4096, 8192
JE_REQ = 32  # `new Request` (24 bytes) lands in jemalloc's 32-byte size class
MAKE = "svc::make_request(int, unsigned long)"
REMEMBER = "svc::Handler::remember(int)"
CHURN = "svc::Handler::churn(int)"
PROJECT = re.compile(r"^(svc::|main$)")


def site(lines: dict[str, int], fn: str, marker: str) -> Frame:
    return Frame(fn, "leaky.cpp", lines[marker])


def text_report(path: Path) -> tuple[int, dict[str, tuple[int, int]]]:
    """jeprof/pprof --text → (Total, {function: (flat, cum)})."""
    total = 0
    rows = {}
    for ln in path.read_text().splitlines():
        m = re.match(r"^Total: (-?\d+) B", ln)
        if m:
            total = int(m.group(1))
        m = re.match(r"^\s*(-?\d+)\s+\S+%\s+\S+%\s+(-?\d+)\s+\S+%\s+(.*)$", ln)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return total, rows


# ---- jemalloc -------------------------------------------------------------------------------

def je_open(more: MoreRun, path: Path) -> Profile:
    return open_profile(str(path), SymbolizeOptions(binary=str(need(more.je_binary, "libjemalloc-dev"))))


def jeprof_file(more: MoreRun, name: str) -> Path:
    need(more.je_binary, "libjemalloc-dev")
    if name not in more.jeprof:
        pytest.skip("needs jeprof (libjemalloc-dev)")
    return more.jeprof[name]


def test_jemalloc_dumps_in_dump_order(more: MoreRun, lines: dict[str, int]) -> None:
    need(more.je_binary, "libjemalloc-dev")
    assert len(more.je_dumps) == JE_N // JE_EVERY + 1
    assert more.je_dumps[-1].name.endswith(".f.heap")
    for k, dump in enumerate(more.je_dumps[:-1], 1):
        p = je_open(more, dump)
        assert p.source_format == "jemalloc-heap" and p.sampling_rate == 1
        assert [vt.type for vt in p.sample_types] == ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]
        assert not p.warnings
        sites = site_totals(stack_totals(p, p.value_index("inuse_space")).items())
        # Every 4th request leaks its body and its Request. Every allocation is sampled (lg_prof_sample:0),
        # and jeprof's un-sampling still scales a 32-byte object by 1/(1 - e^-32): exact up to that.
        assert sites[site(lines, MAKE, "alloc-body")] == k * JE_EVERY // 4 * BODY
        assert sites[site(lines, MAKE, "alloc-request")] == pytest.approx(k * JE_EVERY // 4 * JE_REQ, rel=1e-12)
        assert sites[site(lines, REMEMBER, "plateau-alloc")] == min(k * JE_EVERY // 2, 256) * CACHE


@pytest.mark.parametrize(("name", "metric", "dump"), [
    ("text", "inuse_space", -2), ("text-alloc", "alloc_space", -2), ("text-final", "inuse_space", -1)])
def test_jemalloc_totals_match_jeprof(more: MoreRun, name: str, metric: str, dump: int) -> None:
    total, rows = text_report(jeprof_file(more, name))
    p = je_open(more, more.je_dumps[dump])
    stacks = stack_totals(p, p.value_index(metric))
    assert int(sum(stacks.values())) == total
    # Cumulative bytes per project function as jeprof counts them (flat differs only where jeprof
    # keeps a libstdc++ frame of `operator new` that leakscan folds into the caller).
    ours = {r.name: int(r.cum) for r in function_rows(stacks.items()) if PROJECT.match(r.name)}
    theirs = {k: v[1] for k, v in rows.items() if PROJECT.match(k)}
    assert ours == theirs


def test_jemalloc_unsampling_matches_jeprof(more: MoreRun) -> None:
    total, rows = text_report(jeprof_file(more, "sampled"))
    p = je_open(more, need(more.je_sampled, "libjemalloc-dev"))
    assert p.sampling_rate == 1 << 16
    stacks = stack_totals(p, p.value_index("inuse_space"))
    assert int(sum(stacks.values())) == total
    cum = {r.name: int(r.cum) for r in function_rows(stacks.items()) if PROJECT.match(r.name)}
    assert cum == {k: v[1] for k, v in rows.items() if PROJECT.match(k)}


def test_jemalloc_diff_matches_jeprof_base(more: MoreRun) -> None:
    total, rows = text_report(jeprof_file(more, "text-base"))
    d = diff_profiles(je_open(more, more.je_dumps[1]), je_open(more, more.je_dumps[-2]))
    assert int(d.delta_total) == total
    cum = {r.name: int(r.cum) for r in d.function_rows() if PROJECT.match(r.name) and r.cum}
    assert cum == {k: v[1] for k, v in rows.items() if PROJECT.match(k) and v[1]}


def test_jemalloc_growth_ranks_the_leak_first(more: MoreRun, lines: dict[str, int]) -> None:
    need(more.je_binary, "libjemalloc-dev")
    shuffled = [more.je_dumps[k] for k in (3, 0, 10, 5, 1, 9, 2, 8, 4, 7, 6)]  # ordered by dump number
    scores = score_growth([je_open(more, d) for d in shuffled])
    assert scores[0].site == site(lines, MAKE, "alloc-body")
    assert scores[0].values[:3] == (100.0 * BODY, 200.0 * BODY, 300.0 * BODY)
    assert scores[0].r2 > 0.8  # x = dump file times: the spacing of the dumps jitters with the machine's load
    plateau = next(g for g in scores if g.site == site(lines, REMEMBER, "plateau-alloc"))
    assert plateau.score < scores[0].score / 3
    assert all(g.site != site(lines, CHURN, "decoy-alloc") or g.score == 0 for g in scores)


def test_jemalloc_linked_statically_folds_its_frames(more: MoreRun, lines: dict[str, int]) -> None:
    """With libjemalloc.a its frames (prof_backtrace_impl, je_malloc_default, ...) are in the executable."""
    dump = need(more.je_static, "libjemalloc-dev")
    p = open_profile(str(dump), SymbolizeOptions(binary=str(need(more.je_static_binary, "libjemalloc-dev"))))
    sites = site_totals(stack_totals(p, p.value_index("inuse_space")).items())
    assert sites[site(lines, MAKE, "alloc-body")] == JE_EVERY // 4 * BODY
    assert sites[site(lines, MAKE, "alloc-request")] == pytest.approx(JE_EVERY // 4 * JE_REQ, rel=1e-12)
    assert not [s for s in sites if "je_" in s.function or "prof_" in s.function or "fallback_impl" in s.function]


def test_jemalloc_rebuilt_binary_is_reported_not_misused(tmp_path: Path) -> None:
    """The profiled binary rebuilt at its path after the run: detected from the memory map, not used."""
    if not have_jemalloc():
        pytest.skip("needs g++ and libjemalloc-dev")
    app, keep, other = tmp_path / "app", tmp_path / "keep", tmp_path / "other"
    for d in (app, keep, other):
        d.mkdir()

    def build(out: Path, *flags: str) -> None:
        subprocess.run(["g++", *DBG, "-DWITH_JEMALLOC", *flags, str(SRC), "-o", str(out), "-ljemalloc"],
                       check=True, capture_output=True)

    build(app / "leaky")
    subprocess.run(["cp", "-p", str(app / "leaky"), str(keep / "leaky")], check=True)
    subprocess.run([str(app / "leaky"), "40", "40"], cwd=app, check=True, capture_output=True,
                   env={"MALLOC_CONF": f"{JE_CONF},prof_prefix:{app}/jeprof"})
    dump = next(iter(sorted(app.glob("jeprof.*.m0.heap"))))
    good = open_profile(str(dump))
    assert not good.warnings
    assert any(f.function == MAKE for s in good.samples for f in good.frames(s))
    # Another build named explicitly, while the mapped file is still there unchanged: build ids differ.
    build(other / "leaky", "-DLEAKY_VARIANT=2")
    wrong = open_profile(str(dump), SymbolizeOptions(binary=str(other / "leaky")))
    assert [w for w in wrong.warnings if "does not match" in w and "the file mapped" in w]
    # Rebuilt in place with a one-constant change (same code layout): its mtime gives it away.
    build(app / "leaky", "-DLEAKY_VARIANT=2")
    stale = open_profile(str(dump))
    warns = [w for w in stale.warnings if "does not match" in w]
    assert len(warns) == 1 and "after the profile was written" in warns[0] and "\n" not in warns[0]
    project = [f for s in stale.samples for f in stale.frames(s) if "leaky" in f.function]
    assert project and all(f.function.startswith("leaky+0x") for f in project)  # not mis-symbolized
    # A build with another code layout named explicitly: the memory map gives it away.
    build(other / "leaky", "-static-libstdc++", "-static-libgcc")
    moved = open_profile(str(dump), SymbolizeOptions(binary=str(other / "leaky")))
    assert [w for w in moved.warnings if "its code is mapped at file offset+size" in w]
    # The kept original still symbolizes it.
    kept = open_profile(str(dump), SymbolizeOptions(binary=str(keep / "leaky")))
    assert not [w for w in kept.warnings if "does not match" in w]
    assert any(f.function == MAKE for s in kept.samples for f in kept.frames(s))


# ---- heaptrack ------------------------------------------------------------------------------

def flame(path: Path) -> dict[str, int]:
    """heaptrack_print -F output: `main (file);...;leaf (file); VALUE`, root first."""
    out: dict[str, int] = {}
    for ln in path.read_text().splitlines():
        stack, _, value = ln.rpartition(" ")
        key = _shorten(stack.rstrip(";"))
        out[key] = out.get(key, 0) + int(value)
    return {k: v for k, v in out.items() if v}


def _shorten(name: str) -> str:
    """heaptrack_print shortens template arguments to `<>`."""
    prev = None
    while prev != name:
        prev = name
        name = re.sub(r"<[^<>]*>", "\x00", name)
    return name.replace("\x00", "<>")


def _project(stacks: dict[str, int]) -> dict[str, int]:
    """Stacks of leaky.cpp frames only. (heaptrack_print's flame graph lists a libc frame's inlined
    callers in leaf-first order although the line is root first; its text report and leakscan do not.)"""
    return {k: v for k, v in stacks.items() if all(f.endswith(" (leaky.cpp)") for f in k.split(";"))}


def our_flame(p: Profile, index: int) -> dict[str, int]:
    """The same view of our profile: frames from `main` down to the allocating function."""
    out: dict[str, int] = {}
    for frames, s in p.stacks():
        names = [f"{f.function} ({Path(f.file).name})" if f.file else f.function for f in frames]
        cut = next((i for i, f in enumerate(frames) if f.function == "main"), len(frames) - 1)
        key = _shorten(";".join(reversed(names[: cut + 1])))
        out[key] = out.get(key, 0) + int(s.values[index])
    return {k: v for k, v in out.items() if v}


def test_heaptrack_leaks_per_stack_match_heaptrack_print(more: MoreRun, lines: dict[str, int]) -> None:
    rec = need(more.heaptrack, "heaptrack")
    p = open_profile(str(rec))
    assert p.source_format == "heaptrack" and not p.warnings
    leaked = p.value_index("leaked_space")
    ours = our_flame(p, leaked)
    theirs = flame(more.heaptrack_print["flame-leaked"])
    project = _project(theirs)
    assert project and {k: v for k, v in ours.items() if k in project} == project
    assert sum(ours.values()) == sum(theirs.values())
    sites = site_totals(stack_totals(p, leaked).items())
    assert sites[site(lines, MAKE, "alloc-body")] == TRACK_N // 4 * BODY
    assert sites[site(lines, MAKE, "alloc-request")] == TRACK_N // 4 * 24
    assert sites[site(lines, REMEMBER, "plateau-alloc")] == 256 * CACHE  # never freed: heaptrack calls it leaked
    assert site(lines, CHURN, "decoy-alloc") not in sites or sites[site(lines, CHURN, "decoy-alloc")] == 0


def test_heaptrack_allocation_counts_match_heaptrack_print(more: MoreRun) -> None:
    p = open_profile(str(need(more.heaptrack, "heaptrack")))
    ours = our_flame(p, p.value_index("alloc_objects"))
    theirs = flame(more.heaptrack_print["flame-allocations"])
    project = _project(theirs)
    assert project and {k: v for k, v in ours.items() if k in project} == project


def test_heaptrack_total_leaked_matches_heaptrack_print(more: MoreRun) -> None:
    p = open_profile(str(need(more.heaptrack, "heaptrack")))
    text = more.heaptrack_print["print-leaks"].read_text()
    m = re.search(r"total memory leaked: ([\d.]+)([KMG]?)", text)
    assert m is not None
    total = p.total(p.value_index("leaked_space"))
    scale = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m.group(2)]
    assert f"{total / scale:.2f}" == m.group(1)  # heaptrack_print rounds to 3 significant digits


def test_heaptrack_gzip_recording_reads_the_same(more: MoreRun, tmp_path: Path) -> None:
    """heaptrack writes .gz where zstd is missing: the same events, another container."""
    from analyzer.profiles.sniff import decompress

    rec = need(more.heaptrack, "heaptrack")
    plain = decompress(rec.read_bytes(), str(rec))
    gz = tmp_path / "heaptrack.leaky_plain.1.gz"
    gz.write_bytes(gzip.compress(plain))
    a, b = load_profile(str(rec)), load_profile(str(gz))
    assert stack_totals(a, 1) == stack_totals(b, 1)


# ---- valgrind massif ------------------------------------------------------------------------

def ms_print_table(path: Path) -> dict[int, int]:
    """Snapshot number → useful-heap bytes, from every ms_print table row."""
    out = {}
    for ln in path.read_text().splitlines():
        m = re.match(r"^\s*(\d+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s*$", ln)
        if m:
            out[int(m.group(1))] = int(m.group(4).replace(",", ""))
    return out


def ms_print_sites(path: Path) -> dict[int, dict[str, int]]:
    """Snapshot number → {first-level tree entry (an allocation site): bytes}, for detailed snapshots."""
    out: dict[int, dict[str, int]] = {}
    current = None
    for ln in path.read_text().splitlines():
        m = re.match(r"^\s*(\d+)\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+[\d,]+\s*$", ln)
        if m:
            current = int(m.group(1))
            continue
        m = re.match(r"^->[\d.]+% \(([\d,]+)B\) 0x[0-9A-F]+: (.*)$", ln)
        if m and current is not None:
            sites = out.setdefault(current, {})
            sites[m.group(2)] = sites.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
    return out


def test_massif_series_matches_ms_print(more: MoreRun) -> None:
    path = need(more.massif, "valgrind")
    report = need(more.ms_print, "ms_print (valgrind)")
    series = open_series(str(path))
    table = ms_print_table(report)
    assert len(series) >= 3 and len(table) > len(series)
    sites = ms_print_sites(report)
    assert set(sites) == {p.series_point.index for p in series if p.series_point}  # every detailed one
    for p in series:
        assert p.series_point is not None and p.series_point.unit == "i"
        n = p.series_point.index
        assert p.total(0) == table[n]
        # First-level tree entries are the allocation sites: bytes per site as ms_print shows them.
        ours: dict[str, int] = {}
        for frames, s in p.stacks():
            leaf = frames[0]
            key = f"{leaf.function} ({leaf.file}:{leaf.line})" if leaf.file else leaf.function
            ours[key] = ours.get(key, 0) + int(s.values[0])
        want = {k: v for k, v in sites[n].items() if "leaky.cpp" in k}
        assert {k: v for k, v in ours.items() if k in want} == want
    times = [p.series_point.time for p in series if p.series_point]
    assert times == sorted(times)


def test_massif_growth_from_one_file(more: MoreRun, lines: dict[str, int]) -> None:
    series = open_series(str(need(more.massif, "valgrind")))
    scores = score_growth(series)
    assert scores[0].site == site(lines, MAKE, "alloc-body")
    assert scores[0].r2 > 0.9
    assert scores[0].per_hour is None  # instructions, not wall-clock time
    plateau = next(g for g in scores if g.site == site(lines, REMEMBER, "plateau-alloc"))
    assert plateau.score < scores[0].score
    last = load_profile(str(more.massif))  # the plain parse: the last detailed snapshot
    assert last.total(0) == series[-1].total(0)
    assert short_name(MAKE) in {r.name for r in function_rows(stack_totals(last, 0).items())}


def test_cli_show_massif_prints_growth(more: MoreRun, lines: dict[str, int],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from analyzer.cli import main

    assert main(["profile", "show", str(need(more.massif, "valgrind")), "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{more.massif}: massif")
    growth = out.split("growing allocation sites", 1)[1].splitlines()
    assert "slope per instruction" in growth[1]
    assert growth[2].endswith(f"{MAKE} leaky.cpp:{lines['alloc-body']}")
