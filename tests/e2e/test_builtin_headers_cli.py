"""Issue 16 through the real CLI, in subprocesses: code that includes intrinsics headers scans cleanly (not
degraded), `leakscan doctor` says what is used, `--resource-dir` overrides it, a resource directory of another
version gives one warning line naming both versions."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.frontend.doctor import machine_arch
from analyzer.frontend.resource_dir import choose, libclang
from tests.conftest import without_progress

REPO = Path(__file__).resolve().parents[2]

SIMD_LEAK = """#include <stdlib.h>
#include <emmintrin.h>
#include <immintrin.h>
#include <x86intrin.h>
#include <cpuid.h>
#include <stdatomic.h>

static atomic_int calls;

int checksum(const int *v, int n) {
    int *copy = malloc(sizeof(int) * 4);
    unsigned a, b, c, d;
    if (!copy)
        return -1;
    atomic_fetch_add(&calls, 1);
    if (n < 4 || !__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    __m128i x = _mm_loadu_si128((const __m128i *)v);
    _mm_storeu_si128((__m128i *)copy, _mm_add_epi32(x, x));
    int r = copy[0] + copy[3];
    free(copy);
    return r;
}
"""


def major(version: str) -> str:
    return version.split(".")[0]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return without_progress(subprocess.run(
        [sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300))


def findings(proc: subprocess.CompletedProcess) -> set[tuple[str, int, str, str]]:
    data = json.loads(proc.stdout)
    return {(os.path.basename(f["loc"]["file"]), f["loc"]["line"], f["function"], f["rule_id"])
            for f in data["findings"]}


@pytest.fixture
def simd(tmp_path) -> Path:
    if machine_arch() != "x86":
        pytest.skip("x86 intrinsics")
    (tmp_path / "simd.c").write_text(SIMD_LEAK)
    return tmp_path / "simd.c"


def test_intrinsics_scan_is_complete_and_finds_the_leak(simd):
    proc = cli("scan", str(simd), "--format", "json")
    assert proc.returncode == 1, proc.stderr  # findings; not 3 (degraded)
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert data["diagnostics"] == []
    assert data["stats"]["degraded_tus"] == 0
    assert findings(proc) == {("simd.c", 17, "checksum", "resource-leak")}


def test_doctor(tmp_path):
    proc = cli("doctor")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    lib, rd = libclang(), choose()
    assert lines[0].split() == ["libclang:", lib.version, lib.path, "(clang", "version", f"{lib.version})"]
    assert lines[1].startswith(f"resource dir:  {rd.path}  version {rd.version}  (")
    assert lines[2].startswith("match:         yes")
    builtin = f"  {rd.path}/include"
    for label in ("C", "C++"):
        start = lines.index(f"system include list ({label}), as libclang searches it:")
        listed = [line for line in lines[start + 1:] if line.startswith("  ")]
        assert builtin in listed
        assert not any("/gcc/" in line and "/c++" not in line for line in listed), listed
    assert lines[-2].startswith("builtin headers: <stddef.h>") and "parse cleanly" in lines[-2]
    assert lines[-1] == "leakscan doctor: all good"


def fake_resource_dir(root: Path, version: str, extra_header: str | None = None) -> Path:
    """A resource directory laid out as clang's (lib/clang/VERSION/include), holding links to the real headers."""
    real = Path(choose().path) / "include"
    target = root / "lib" / "clang" / version / "include" if version else root / "headers" / "include"
    target.mkdir(parents=True)
    for entry in real.iterdir():
        (target / entry.name).symlink_to(entry)
    if extra_header:
        (target / extra_header).write_text("#define ONLY_IN_THE_OVERRIDE 1\n")
    return target.parent


def test_resource_dir_override_is_used(tmp_path, simd):
    override = fake_resource_dir(tmp_path / "res", major(libclang().version), "override_marker.h")
    src = simd.parent / "marker.c"
    src.write_text("#include <override_marker.h>\nint marked(void) { return ONLY_IN_THE_OVERRIDE; }\n")
    plain = cli("scan", str(src), "--format", "json")
    assert plain.returncode == 3  # the marker header is only in the override
    for args in (["--resource-dir", str(override)], ["--", "-resource-dir", str(override)]):
        proc = cli("scan", str(src), str(simd), "--format", "json", *args)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr == ""  # same major version: no warning
        assert json.loads(proc.stdout)["diagnostics"] == []
    doctor = cli("doctor", "--resource-dir", str(override))
    assert f"  {override}/include" in doctor.stdout.splitlines()
    assert f"resource dir:  {override}  version {major(libclang().version)}  (--resource-dir)" in doctor.stdout


@pytest.mark.parametrize("version, said", [("14", "version 14"), ("", "of unknown version")])
def test_mismatched_resource_dir_gives_one_warning_line(tmp_path, version, said):
    override = fake_resource_dir(tmp_path / "res", version)
    (tmp_path / "ok.c").write_text("#include <stddef.h>\nsize_t n(void) { return sizeof(int); }\n")
    proc = cli("scan", str(tmp_path / "ok.c"), "--resource-dir", str(override))
    assert proc.returncode == 0, proc.stderr
    lib = libclang().version
    assert proc.stderr.splitlines() == [
        f"leakscan: warning: clang resource headers {said} ({override}) do not match libclang {lib}: intrinsics "
        f"headers may fail to parse; pip install clang-tidy=={lib}, or pass --resource-dir DIR of a clang "
        f"{major(lib)}"]
    doctor = cli("doctor", "--resource-dir", str(override))
    assert doctor.returncode == 1
    assert f"match:         NO: clang resource headers {said}" in doctor.stdout


@pytest.mark.skipif(not any(Path("/usr/lib").glob("llvm-1[0-7]/lib/clang/*/include/emmintrin.h")),
                    reason="no older clang's resource headers installed")
def test_an_older_clangs_real_headers_are_refused_for_intrinsics(simd):
    """What the issue saw: clang 14's headers with libclang 18. Warned about at start-up, and the TU degrades."""
    older = sorted(Path("/usr/lib").glob("llvm-1[0-7]/lib/clang/*/include/emmintrin.h"))[0].parent.parent
    proc = cli("scan", str(simd), "--resource-dir", str(older))
    assert proc.returncode == 3
    assert proc.stderr.splitlines()[0].startswith(f"leakscan: warning: clang resource headers version {older.name}")


@pytest.mark.parametrize("make, words", [
    (lambda tmp: tmp / "missing", ["no such directory"]),
    (lambda tmp: tmp, ["not a clang resource directory"]),
])
def test_bad_resource_dir_is_an_input_error(tmp_path, make, words):
    (tmp_path / "a.c").write_text("int a;\n")
    bad = make(tmp_path)
    for command in (["scan", str(tmp_path / "a.c")], ["pairs", str(tmp_path / "a.c")], ["doctor"]):
        proc = cli(*command, "--resource-dir", str(bad))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == [proc.stderr.strip()] and proc.stderr.startswith(f"leakscan: {bad}: ")
        assert all(w in proc.stderr for w in words)
        assert "Traceback" not in proc.stderr
