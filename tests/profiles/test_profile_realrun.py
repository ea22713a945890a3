"""Exact facts about real profiles of tests/data/profiles/src/leaky.cpp, checked against google-pprof."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.profiles import (
    SymbolizeOptions,
    diff_profiles,
    function_rows,
    load_profile,
    open_profile,
    pick_metric,
    score_growth,
    stack_totals,
)
from analyzer.profiles.aggregate import allocation_site, site_totals
from analyzer.profiles.gperf_heap import SAMPLING_DISABLED
from analyzer.profiles.model import Frame, Profile
from tests.profiles.realrun import HEAP_EVERY, HEAP_N, SMALL_N, RealRun, need

pytestmark = pytest.mark.slow

PROJECT = re.compile(r"^(svc::|main\b)")
BODY, REQ, CACHE, SCRATCH = 4096, 24, 8192, 65536


def opened(real: RealRun, path: Path) -> Profile:
    return open_profile(str(path), SymbolizeOptions(binary=str(real.tc_binary)))


def site(lines: dict[str, int], fn: str, marker: str) -> Frame:
    return Frame(fn, "leaky.cpp", lines[marker])


MAKE = "svc::make_request(int, unsigned long)"
REMEMBER = "svc::Handler::remember(int)"
CHURN = "svc::Handler::churn(int)"
HANDLE = ("svc::Handler::handle(int, std::__cxx11::basic_string<char, std::char_traits<char>, "
          "std::allocator<char> > const&)")


def pprof_rows(path: Path) -> tuple[int, dict[str, tuple[int, int]]]:
    """google-pprof --text output → (Total, {entry: (flat, cum)})."""
    total = 0
    rows = {}
    for ln in path.read_text().splitlines():
        m = re.match(r"^Total: (-?\d+) B", ln)
        if m:
            total = int(m.group(1))
            continue
        m = re.match(r"^\s*(-?\d+)\s+\S+%\s+\S+%\s+(-?\d+)\s+\S+%\s+(.*)$", ln)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return total, rows


def pprof_project_rows(path: Path) -> dict[str, tuple[int, int]]:
    return {k: v for k, v in pprof_rows(path)[1].items() if PROJECT.match(k)}


def our_project_rows(stacks: dict, lines: bool = False) -> dict[str, tuple[int, int]]:
    out = {}
    for r in function_rows(stacks.items(), lines):
        if PROJECT.match(r.name) and (r.flat or r.cum):
            key = f"{r.name} {r.file}:{r.line}" if lines else r.name
            out[key] = (int(r.flat), int(r.cum))
    return out


def pprof_file(real: RealRun, name: str) -> Path:
    if name not in real.pprof:
        pytest.skip("needs google-pprof (google-perftools)")
    return real.pprof[name]


# ---- heap profiler dumps (heapprofile) ------------------------------------------------------

def test_heap_dumps_are_parsed_and_symbolized(real: RealRun, lines: dict[str, int]) -> None:
    assert len(real.heap_dumps) == HEAP_N // HEAP_EVERY + 1  # + the dump at exit
    p = opened(real, real.heap_dumps[2])
    assert [vt.type for vt in p.sample_types] == [
        "alloc_objects", "alloc_space", "inuse_objects", "inuse_space"]
    assert not p.warnings
    sites = site_totals(stack_totals(p, p.value_index("inuse_space")).items())
    assert sites[site(lines, MAKE, "alloc-body")] == 300 * BODY
    assert sites[site(lines, MAKE, "alloc-request")] == 300 * REQ
    assert sites[site(lines, REMEMBER, "plateau-alloc")] == 256 * CACHE


def test_leak_is_top_growth_with_its_call_path(real: RealRun, lines: dict[str, int]) -> None:
    scores = score_growth([opened(real, d) for d in real.heap_dumps])
    top = scores[0]
    assert top.site == site(lines, MAKE, "alloc-body")
    assert top.stack[:3] == (site(lines, MAKE, "alloc-body"), site(lines, HANDLE, "leak-call"),
                             Frame("main", "leaky.cpp", lines["main-handle"]))
    assert top.values == (*tuple(float(k * 100 * BODY) for k in range(1, 11)), 4096000.0)
    assert top.r2 > 0.95
    ranked = [g.site for g in scores if g.score > 0]
    assert ranked.index(site(lines, MAKE, "alloc-body")) < ranked.index(
        site(lines, REMEMBER, "plateau-alloc"))


def test_decoy_has_alloc_but_no_inuse_growth(real: RealRun, lines: dict[str, int]) -> None:
    decoy = site(lines, CHURN, "decoy-alloc")
    for d in real.heap_dumps:
        p = opened(real, d)
        assert site_totals(stack_totals(p, p.value_index("inuse_space")).items()).get(decoy, 0) == 0
    last = opened(real, real.heap_dumps[-1])
    alloc = site_totals(stack_totals(last, last.value_index("alloc_space")).items())
    assert alloc[decoy] == HEAP_N * SCRATCH
    scores = {g.site: g for g in score_growth([opened(real, d) for d in real.heap_dumps])}
    assert decoy not in scores or scores[decoy].score == 0


def test_plateau_scores_below_steady_leak(real: RealRun, lines: dict[str, int]) -> None:
    scores = {g.site: g for g in score_growth([opened(real, d) for d in real.heap_dumps])}
    plateau = scores[site(lines, REMEMBER, "plateau-alloc")]
    assert plateau.values[0] == 200 * CACHE and plateau.values[-1] == 256 * CACHE
    assert plateau.r2 < 0.9
    assert plateau.score < scores[site(lines, MAKE, "alloc-body")].score


def test_inuse_matches_pprof_text(real: RealRun) -> None:
    path = pprof_file(real, "text")
    total, _ = pprof_rows(path)
    p = opened(real, real.heap_dumps[-1])
    stacks = stack_totals(p, p.value_index("inuse_space"))
    assert sum(stacks.values()) == total
    assert our_project_rows(stacks) == pprof_project_rows(path)


def test_alloc_space_matches_pprof_text(real: RealRun) -> None:
    path = pprof_file(real, "text-alloc")
    total, _ = pprof_rows(path)
    p = opened(real, real.heap_dumps[-1])
    stacks = stack_totals(p, p.value_index("alloc_space"))
    assert sum(stacks.values()) == total
    assert our_project_rows(stacks) == pprof_project_rows(path)


def test_diff_matches_pprof_base(real: RealRun) -> None:
    path = pprof_file(real, "text-base")
    total, _ = pprof_rows(path)
    d = diff_profiles(opened(real, real.heap_dumps[1]), opened(real, real.heap_dumps[-2]))
    assert d.delta_total == total
    rows = {r.name: (int(r.flat), int(r.cum)) for r in d.function_rows() if PROJECT.match(r.name)}
    assert rows == pprof_project_rows(path)


def test_diff_by_line_matches_pprof_base_lines(real: RealRun) -> None:
    path = pprof_file(real, "text-base-lines")
    want = {re.sub(r" (\S+/)?(\S+):", r" \2:", k): v for k, v in pprof_project_rows(path).items()}
    d = diff_profiles(opened(real, real.heap_dumps[1]), opened(real, real.heap_dumps[-2]))
    got = {f"{r.name} {r.file}:{r.line}": (int(r.flat), int(r.cum))
           for r in d.function_rows(lines=True) if PROJECT.match(r.name) and (r.flat or r.cum)}
    assert got == want


def test_diff_is_keyed_by_symbols_not_addresses(real: RealRun, lines: dict[str, int]) -> None:
    """A heap dump and a sampled snapshot come from different processes (different ASLR bases)."""
    d = diff_profiles(opened(real, real.heap_dumps[-1]), opened(real, real.samples[-1]))
    leak = next(s for s in d.sites if s.site == site(lines, MAKE, "alloc-body"))
    assert leak.base == HEAP_N // 4 * BODY and leak.new > leak.base


# ---- tcmalloc sampled heap (heap_v2) ---------------------------------------------------------

def test_unsampling_total_matches_pprof_exactly(real: RealRun) -> None:
    path = pprof_file(real, "sample-text")
    total, _ = pprof_rows(path)
    p = opened(real, real.samples[-1])
    assert p.sampling_rate == 524288
    assert int(p.total(p.value_index("inuse_space"))) == total
    ours = dict(our_project_rows(stack_totals(p, 1)).items())
    assert ours == pprof_project_rows(path)


def test_sampled_diff_matches_pprof_base(real: RealRun) -> None:
    path = pprof_file(real, "sample-base")
    total, _ = pprof_rows(path)
    d = diff_profiles(opened(real, real.samples[0]), opened(real, real.samples[-1]))
    assert int(d.delta_total) == total


def test_sampled_leak_site_after_folding_tcmalloc(real: RealRun, lines: dict[str, int]) -> None:
    p = opened(real, real.samples[-1])
    stacks = stack_totals(p, pick_metric(p))
    top = max(stacks.items(), key=lambda kv: kv[1])[0]
    assert top[0] == site(lines, MAKE, "alloc-body")  # libtcmalloc frames are folded away
    scores = score_growth([opened(real, s) for s in real.samples])
    assert scores[0].site == site(lines, MAKE, "alloc-body")


def test_sampling_disabled_is_a_warning_not_an_empty_result(real: RealRun) -> None:
    p = load_profile(str(real.sample_off))
    assert p.samples == ()
    assert SAMPLING_DISABLED in p.warnings


def test_growth_stacks(real: RealRun, lines: dict[str, int]) -> None:
    p = opened(real, real.growth)
    assert [vt.type for vt in p.sample_types] == ["growth_events", "growth_space"]
    sites = {allocation_site(k) for k in stack_totals(p, 1)}
    # The page heap grows for the decoy's 64 KiB buffers and the cache; tcmalloc frames are folded.
    assert {site(lines, CHURN, "decoy-alloc"), site(lines, REMEMBER, "plateau-alloc")} <= sites
    assert not [s for s in sites if "tcmalloc" in s.function]


# ---- pprof's own text outputs ---------------------------------------------------------------

def test_pprof_text_outputs_parse(real: RealRun) -> None:
    total, rows = pprof_rows(pprof_file(real, "text"))
    text = load_profile(str(real.pprof["text"]))
    assert text.source_format == "pprof-text"
    assert text.total(0) == total
    assert len(text.samples) == len(rows)
    collapsed = load_profile(str(real.pprof["collapsed"]))
    assert collapsed.total(0) == total
    stacks = load_profile(str(real.pprof["stacks"]))
    assert stacks.total(0) == total
    lines_ = load_profile(str(real.pprof["text-base-lines"]))
    assert any(f.file.endswith("leaky.cpp") and f.line for f, _ in
               [(lines_.frames(s)[0], s) for s in lines_.samples])


# ---- LeakSanitizer ---------------------------------------------------------------------------

def _leak_sites(p: Profile) -> dict[tuple[str, Frame], tuple[int, int]]:
    out = {}
    for frames, s in p.stacks():
        fr = allocation_site(tuple(Frame(f.function, Path(f.file).name, f.line) for f in frames))
        out[(s.label("leak_kind"), fr)] = (int(s.values[0]), int(s.values[1]))
    return out


def test_lsan_report_direct_and_indirect(real: RealRun, lines: dict[str, int]) -> None:
    report = need(real.lsan_report, "g++ -fsanitize=leak (liblsan)")
    p = open_profile(str(report))
    assert p.source_format == "lsan" and not p.warnings
    assert _leak_sites(p) == {
        ("direct", site(lines, MAKE, "alloc-request")): (SMALL_N // 4, SMALL_N // 4 * REQ),
        ("indirect", site(lines, MAKE, "alloc-body")): (SMALL_N // 4, SMALL_N // 4 * BODY),
    }


def test_lsan_unsymbolized_report_symbolizes_like_the_symbolized_one(real: RealRun) -> None:
    raw = need(real.lsan_raw_report, "g++ -fsanitize=leak (liblsan)")
    p = open_profile(str(raw), SymbolizeOptions(search_path=(str(real.dir),)))
    sym = open_profile(str(need(real.lsan_report, "liblsan")))
    assert _leak_sites(p) == _leak_sites(sym)
    assert not [w for w in p.warnings if "leaky_lsan" in w]


def test_lsan_other_binary_is_one_clear_warning(real: RealRun) -> None:
    raw = need(real.lsan_raw_report, "g++ -fsanitize=leak (liblsan)")
    p = open_profile(str(raw), SymbolizeOptions(binary=str(real.tc_binary)))
    other = [w for w in p.warnings if "is not the one named in the profile" in w]
    assert len(other) == 1 and "leaky_lsan" in other[0] and "\n" not in other[0]


def test_addresses_outside_the_given_binary_are_reported_not_misnamed(real: RealRun, tmp_path: Path) -> None:
    """Another program under the profiled binary's name, for a report that records no build id and no memory map
    (LSan with symbolize=0): its addresses fall outside that program's code, so they stay module+offset and one
    warning says why (before, they came out named `_fini` and libc, silently)."""
    import subprocess

    raw = need(real.lsan_raw_report, "g++ -fsanitize=leak (liblsan)")
    impostor = tmp_path / "leaky_lsan"  # the same file name as the profiled binary
    subprocess.run(["g++", "-g", "-O0", "-o", str(impostor), "-x", "c++", "-"], input="int main() { return 0; }\n",
                   text=True, check=True)
    p = open_profile(str(raw), SymbolizeOptions(binary=str(impostor)))
    warns = [w for w in p.warnings if "does not match" in w]
    assert len(warns) == 1 and "fall outside its code" in warns[0] and "\n" not in warns[0]
    frames = [f for s in p.samples for f in p.frames(s)]
    in_binary = [f.function for f in frames if not f.file]  # libc's frames keep their file
    assert in_binary and all(name.startswith("leaky_lsan+0x") for name in in_binary), in_binary
    good = open_profile(str(raw), SymbolizeOptions(binary=str(need(real.lsan_binary, "liblsan"))))
    assert not [w for w in good.warnings if "does not match" in w or "outside" in w]
    assert any(f.file.endswith("leaky.cpp") for s in good.samples for f in good.frames(s))


def test_another_build_of_the_program_is_reported_not_misnamed(real: RealRun, tmp_path: Path) -> None:
    """The same program rebuilt with code moved (a function added at the top), under the same name, for a report
    with no build id and no memory map: its addresses are not right after call instructions there, so it is
    refused in one warning. A rebuild of the unchanged source is accepted and names the frames as before."""
    import subprocess

    from tests.profiles.realrun import DBG, SRC

    raw = need(real.lsan_raw_report, "g++ -fsanitize=leak (liblsan)")
    moved, same = tmp_path / "moved" / "leaky_lsan", tmp_path / "same" / "leaky_lsan"
    for binary, prefix in ((moved, "static volatile int sink;\nvoid pad(int n) { for (int i = 0; i < n; i++) "
                                   "sink += i * 3; if (sink > 7) sink -= 2; }\n"), (same, "")):
        binary.parent.mkdir()
        (binary.parent / "leaky.cpp").write_text(prefix + SRC.read_text())
        subprocess.run(["g++", *DBG, "-fsanitize=leak", "leaky.cpp", "-o", "leaky_lsan"], cwd=binary.parent,
                       check=True)
    bad = open_profile(str(raw), SymbolizeOptions(binary=str(moved)))
    warns = [w for w in bad.warnings if "does not match" in w]
    assert len(warns) == 1 and "follow a call instruction" in warns[0] and "\n" not in warns[0]
    assert not [f for s in bad.samples for f in bad.frames(s) if f.file.endswith("leaky.cpp")]
    good = open_profile(str(raw), SymbolizeOptions(binary=str(same)))
    assert not [w for w in good.warnings if "does not match" in w]
    reference = open_profile(str(raw), SymbolizeOptions(binary=str(need(real.lsan_binary, "liblsan"))))
    assert _leak_sites(good) == _leak_sites(reference)


def test_build_id_mismatch_is_one_clear_warning(real: RealRun, tmp_path: Path,
                                                lines: dict[str, int]) -> None:
    """A profile.proto whose mapping records the build id, symbolized with a rebuilt binary."""
    from dataclasses import replace

    from analyzer.profiles.elfinfo import elf_info
    from analyzer.profiles.pprof_proto import to_proto

    other = need(real.other_binary, "a second build")
    p = load_profile(str(real.heap_dumps[-1]))
    bid = elf_info(str(real.tc_binary)).build_id
    assert bid and bid != elf_info(str(other)).build_id
    maps = tuple(replace(m, build_id=bid) if m.filename.endswith("/leaky_tc") else m
                 for m in p.mappings)
    pb = tmp_path / "leaky.pb.gz"
    pb.write_bytes(to_proto(replace(p, mappings=maps)))
    good = open_profile(str(pb), SymbolizeOptions(binary=str(real.tc_binary)))
    assert not [w for w in good.warnings if "build id" in w]
    bad = open_profile(str(pb), SymbolizeOptions(binary=str(other)))
    warns = [w for w in bad.warnings if "build id" in w]
    assert len(warns) == 1 and "does not match" in warns[0] and bid in warns[0]
    assert "\n" not in warns[0]
    # Reported instead of mis-symbolized: the executable's frames keep their module+offset names.
    assert not [f for s in bad.samples for f in bad.frames(s) if f.file.endswith("leaky.cpp")]
    assert any(f.function.startswith("leaky_tc+0x") for s in bad.samples for f in bad.frames(s))
    assert any(f.file.endswith("leaky.cpp") for s in good.samples for f in good.frames(s))


# ---- valgrind --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["valgrind_xml", "valgrind_text"])
def test_valgrind_loss_records(real: RealRun, lines: dict[str, int], kind: str) -> None:
    report = need(getattr(real, kind), "valgrind")
    p = open_profile(str(report))
    assert _leak_sites(p) == {
        ("definite", site(lines, MAKE, "alloc-request")): (SMALL_N // 4, SMALL_N // 4 * REQ),
        ("indirect", site(lines, MAKE, "alloc-body")): (SMALL_N // 4, SMALL_N // 4 * BODY),
        ("reachable", site(lines, REMEMBER, "plateau-alloc")): (SMALL_N // 2, SMALL_N // 2 * CACHE),
    }
    definite = next(s for s in p.samples if s.label("leak_kind") == "definite")
    assert dict(definite.num_labels) == {"indirect_bytes": SMALL_N // 4 * BODY}


# ---- CLI on real files -----------------------------------------------------------------------

def test_cli_show_and_diff_real(real: RealRun, lines: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    from analyzer.cli import main

    assert main(["profile", "show", str(real.heap_dumps[-1]), "--binary", str(real.tc_binary),
                 "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert f"{MAKE} leaky.cpp:{lines['alloc-body']}" in out
    dumps = [str(d) for d in real.heap_dumps[:4]]
    assert main(["profile", "diff", *dumps, "--binary", str(real.tc_binary)]) == 0
    out = capsys.readouterr().out
    growth = out.split("growing allocation sites", 1)[1].splitlines()
    assert growth[2].endswith(f"{MAKE} leaky.cpp:{lines['alloc-body']}")


# ---- symbolizer backends ---------------------------------------------------------------------

@pytest.mark.parametrize("tool", ["elf", "llvm-symbolizer"])
def test_symbolizer_backends_agree_with_addr2line(real: RealRun, tool: str) -> None:
    import shutil

    from analyzer.profiles.symbolize import symbolize

    if tool != "elf" and not shutil.which(tool):
        pytest.skip(f"needs {tool}")
    raw = load_profile(str(real.heap_dumps[-1]))
    want = symbolize(raw, SymbolizeOptions(binary=str(real.tc_binary)))
    got = symbolize(raw, SymbolizeOptions(binary=str(real.tc_binary), tool=tool))

    def project(p: Profile) -> list[tuple[Frame, ...]]:
        return [tuple(f for f in p.frames(s) if f.file.endswith("leaky.cpp")) for s in p.samples]

    assert project(got) == project(want)
    assert any(project(want))


def test_missing_binary_is_a_warning(real: RealRun) -> None:
    p = open_profile(str(real.heap_dumps[0]), SymbolizeOptions(binary="/nonexistent/leaky_tc"))
    warns = [w for w in p.warnings if "cannot symbolize" in w]
    assert len(warns) == 1 and "file not found" in warns[0]
    # Unsymbolized frames still have process-independent names (module+offset).
    assert any(f.function.startswith("leaky_tc+0x") for f, _ in
               [(p.frames(s)[0], s) for s in p.samples])
