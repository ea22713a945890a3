"""The incremental cache through the real pipeline and CLI (real libclang, real files in tmp dirs): what an edit
re-parses, that rules never cause a re-parse, that damaged, foreign or forged entries are never trusted, that two
scans at once leave it whole, and that a warm scan's reports equal a cold scan's."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import ir
from analyzer.cache import MAGIC, TUCache, analyzer_fingerprint
from analyzer.frontend.resource_dir import libclang
from analyzer.pipeline import Options, Timings, run

REPO = Path(__file__).resolve().parents[2]

SHARED_H = """#include <stdlib.h>
static inline char *make_buf(int n) { return malloc(n); }
"""
OTHER_H = "#define OTHER 1\n"
USES_SHARED = """#include "shared.h"
int {name}(int n) {{
    char *p = make_buf(n);
    if (n > 3) return -1;
    free(p);
    return 0;
}}
"""
USES_OTHER = """#include <stdio.h>
#include "other.h"
int c_fn(void) { FILE *f = fopen("x", "r"); if (!f) return OTHER; return 0; }
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "shared.h").write_text(SHARED_H)
    (src / "other.h").write_text(OTHER_H)
    for name in ("a", "b", "d"):
        (src / f"{name}.c").write_text(USES_SHARED.format(name=f"{name}_fn"))
    (src / "c.c").write_text(USES_OTHER)
    return src


def scan(src: Path, cache_dir: Path | None, jobs: int = 2, rules: tuple[str, ...] = (),
         paths: tuple[str, ...] = ()) -> tuple[dict, Timings]:
    timings = Timings()
    result = run(Options(paths=paths or (str(src),), jobs=jobs, cache=cache_dir is not None,
                         cache_dir=str(cache_dir) if cache_dir else None, rule_files=rules, root=str(src)),
                 timings=timings)
    return comparable(result), timings


def comparable(result) -> dict:
    from analyzer.codec import to_plain
    data = to_plain(result)
    data["stats"].pop("seconds")
    return data


def parsed(timings: Timings) -> set[str]:
    return {os.path.basename(f) for f in timings.phase1.parsed}


def leaks(data: dict) -> set[tuple[str, str]]:
    return {(f["function"], f["rule_id"]) for f in data["findings"]}


def test_header_edit_reparses_exactly_the_tus_that_include_it(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold, t = scan(project, cache)
    assert parsed(t) == {"a.c", "b.c", "c.c", "d.c"}
    assert ("a_fn", "resource-leak") in leaks(cold)
    _, t = scan(project, cache)
    assert parsed(t) == set() and t.phase1.cache and t.phase1.cache.hits == 4
    (project / "shared.h").write_text(SHARED_H + "static inline int unused_helper(void) { return 2; }\n")
    warm, t = scan(project, cache)
    assert parsed(t) == {"a.c", "b.c", "d.c"}
    assert warm == scan(project, None)[0]


def test_edit_of_one_source_reparses_only_it(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scan(project, cache)
    (project / "c.c").write_text(USES_OTHER.replace("return 0;", "fclose(f); return 0;"))
    (project / "unrelated.txt").write_text("not a source\n")
    warm, t = scan(project, cache)
    assert parsed(t) == {"c.c"}
    assert ("c_fn", "resource-leak") not in leaks(warm)
    assert warm == scan(project, None)[0]


def test_rules_change_reruns_the_analysis_without_parsing(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    rules = tmp_path / "rules.toml"
    rules.write_text('[[resource]]\nkind = "thing"\nacquire = ["other_get"]\nrelease = ["other_put"]\n')
    scan(project, cache, rules=(str(rules),))
    (project / "e.c").write_text('#include <stdlib.h>\nvoid my_free(void *p);\n'
                                 'void *my_get(void);\nint e_fn(void) { void *p = my_get(); return p != 0; }\n')
    scan(project, cache, rules=(str(rules),))
    rules.write_text('[[resource]]\nkind = "thing"\nacquire = ["my_get"]\nrelease = ["my_free"]\n')
    warm, t = scan(project, cache, rules=(str(rules),))
    assert parsed(t) == set(), "no TU re-parsed for a rules change"
    assert ("e_fn", "resource-leak") in leaks(warm), "the new rule is applied"
    assert warm == scan(project, None, rules=(str(rules),))[0]


def test_entries_hold_the_header_functions_a_worker_lowered_before(project: Path, tmp_path: Path) -> None:
    """With two workers, the third TU including shared.h goes to a worker that already lowered make_buf: without a
    self-contained entry, a later scan of that TU alone would not know make_buf allocates."""
    cache = tmp_path / "cache"
    scan(project, cache, jobs=2)
    store = TUCache(cache, analyzer_fingerprint(libclang().banner))
    entries = [p for p in (cache / "tu").rglob("*") if p.is_file()]
    assert len(entries) == 4
    with_shared = 0
    for entry in entries:
        header = json.loads(entry.read_bytes()[len(MAGIC):].split(b"\n", 1)[0])
        module = store.load(header["key"])
        assert module is not None
        if module.tu.endswith(("a.c", "b.c", "d.c")):
            with_shared += 1
            assert any(f.name == "make_buf" for f in module.functions), module.tu
    assert with_shared == 3
    for name in ("a", "b", "d"):
        alone, t = scan(project, cache, paths=(str(project / f"{name}.c"),))
        assert parsed(t) == set()
        assert (f"{name}_fn", "resource-leak") in leaks(alone)
        assert alone == scan(project, None, paths=(str(project / f"{name}.c"),))[0]


def _entry(cache: Path, tu: str) -> Path:
    for entry in (cache / "tu").rglob("*"):
        if entry.is_file() and f'"tu": "{tu}"'.encode() in entry.read_bytes().split(b"\n", 2)[1]:
            return entry
    raise AssertionError(f"no entry for {tu}")


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "foreign-version", "flipped-byte", "forged-class"])
def test_damaged_or_foreign_entries_are_never_trusted(project: Path, tmp_path: Path, damage: str) -> None:
    cache = tmp_path / "cache"
    cold, _ = scan(project, cache)
    entry = _entry(cache, str(project / "a.c"))
    data = entry.read_bytes()
    magic, header, payload = data[:len(MAGIC)], data[len(MAGIC):].split(b"\n", 1)[0], data.split(b"\n", 2)[2]
    if damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        entry.write_bytes(os.urandom(len(data)))
    elif damage == "foreign-version":
        fields = json.loads(header)
        fields["fingerprint"] = "0" * 32
        entry.write_bytes(magic + json.dumps(fields).encode() + b"\n" + payload)
    elif damage == "flipped-byte":
        entry.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    else:  # a well-formed entry whose payload names a callable: must not run it
        import hashlib

        import zstandard
        forged = zstandard.compress(pickle.dumps(ir.Module("x", functions=(_Boom(),))))  # type: ignore[arg-type]
        fields = json.loads(header)
        fields["payload"] = hashlib.blake2b(forged, digest_size=16).hexdigest()
        entry.write_bytes(magic + json.dumps(fields).encode() + b"\n" + forged)
    warm, t = scan(project, cache)
    assert parsed(t) == {"a.c"}
    assert t.phase1.cache is not None and t.phase1.cache.written == 1
    assert warm == cold
    assert not (project / "pwned").exists() and not Path("pwned").exists()
    _, t = scan(project, cache)
    assert parsed(t) == set(), "the entry was rewritten"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def _without_times(path: Path) -> dict:
    data = json.loads(path.read_text())
    data.get("stats", {}).pop("seconds", None)
    data.pop("timestamp", None)
    return data


def test_two_scans_at_once_leave_the_cache_whole_and_warm_equals_cold(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-m", "analyzer", "scan", str(project), "-j", "2", "--cache-dir",
                               str(cache), "--format", "json", "-o", str(tmp_path / f"r{i}.json"), "--timestamp", "t"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
    for p in procs:
        p.communicate(timeout=300)
        assert p.returncode == 1
    assert not list(cache.rglob("*.tmp")), "no temporary file left behind"
    cold = cli("scan", str(project), "--no-cache", "--format", "sarif", "-o", str(tmp_path / "cold.sarif"),
               "--timestamp", "t")
    assert cold.returncode == 1, cold.stderr
    warm = cli("scan", str(project), "--cache-dir", str(cache), "--stats", "--format", "sarif", "-o",
               str(tmp_path / "warm.sarif"), "--timestamp", "t")
    assert warm.returncode == 1, warm.stderr
    assert "cache: 4 hit(s), 0 miss(es), 0 entry(ies) not trusted" in warm.stderr
    assert (tmp_path / "warm.sarif").read_text() == (tmp_path / "cold.sarif").read_text()
    assert _without_times(tmp_path / "r0.json") == _without_times(tmp_path / "r1.json")


def test_default_location_no_cache_and_config(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = cli("scan", str(project), "--no-cache", "--format", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert not (project / ".leakscan-cache").exists()
    proc = cli("scan", str(project), "--format", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert (project / ".leakscan-cache" / "CACHEDIR.TAG").is_file()
    assert (project / ".leakscan-cache" / ".gitignore").read_text() == "*\n"
    # beside the compile database
    build = tmp_path / "build"
    build.mkdir()
    (build / "compile_commands.json").write_text(json.dumps(
        [{"directory": str(project), "file": str(project / "c.c"), "arguments": ["cc", "-c", "c.c"]}]))
    proc = cli("scan", "-p", str(build), "--format", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert (build / ".leakscan-cache" / "tu").is_dir()
    # configuration keys
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / ".leakscan.toml").write_text('cache-dir = "mycache"\nexecutor = "local"\n')
    proc = cli("scan", str(project), "--config", str(tmp_path / "conf" / ".leakscan.toml"), "--stats",
               "--format", "json", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "conf" / "mycache" / "tu").is_dir()
    (tmp_path / "conf" / ".leakscan.toml").write_text("cache = false\n")
    proc = cli("config", str(project), "--config", str(tmp_path / "conf" / ".leakscan.toml"))
    assert "cache = false" in proc.stdout, proc.stdout
    (tmp_path / "conf" / ".leakscan.toml").write_text('executor = "spark"\n')
    proc = cli("scan", str(project), "--config", str(tmp_path / "conf" / ".leakscan.toml"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "executor" in proc.stderr and "Traceback" not in proc.stderr


def test_progress_lines_and_quiet(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = cli("scan", str(project), "--no-cache", "--format", "json", "-o", str(out))
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert any(ln.startswith("leakscan: 4/4 translation units parsed in ") for ln in lines), proc.stderr
    assert any(ln.startswith("leakscan: 5/5 functions analyzed in ") for ln in lines), proc.stderr
    assert len(lines) == 2, proc.stderr
    proc = cli("scan", str(project), "-q", "--format", "json", "-o", str(out))
    assert proc.stderr == ""
    proc = cli("scan", str(project), "--stats", "--format", "json", "-o", str(out))
    for stage in ("parse+lower", "summaries+dataflow", "checks", "fixes", "report", "cache: 4 hit(s)"):
        assert stage in proc.stderr, proc.stderr
