"""Bad input through the real CLI, in subprocesses: one clear line and exit 2 for input errors, no traceback,
no (half-)written report; damaged translation units are diagnosed and the rest of the scan goes on.

Crash simulation: the environment variable LEAKSCAN_TEST_ABORT_ON=<file name> makes the *worker process* that
parses that file call os.abort(), exactly what a libclang crash looks like to the pipeline (see
analyzer/frontend/tu.py). In-process parsing (-j1) ignores it. LEAKSCAN_TEST_HANG_ON=<file name> makes that worker
sleep instead, as a libclang hang would (tests/e2e/test_hostile_input.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import without_progress

REPO = Path(__file__).resolve().parents[2]

LEAK = """#include <stdlib.h>
int leak(int n) {
    char *p = malloc(n);
    if (n > 1)
        return 1;
    free(p);
    return 0;
}
"""


def cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return without_progress(subprocess.run(
        [sys.executable, "-m", "analyzer", *args], capture_output=True, text=True,
                          cwd=cwd, env=full_env, timeout=120))


def assert_input_error(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("leakscan: "), lines[0]
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert proc.stdout == ""


def no_report(out_dir: Path) -> None:
    assert sorted(p.name for p in out_dir.iterdir()) == [], "no report, no temporary left behind"


@pytest.fixture
def src(tmp_path) -> Path:
    d = tmp_path / "src"
    d.mkdir()
    (d / "leak.c").write_text(LEAK)
    return d


@pytest.fixture
def out(tmp_path) -> Path:
    d = tmp_path / "out"
    d.mkdir()
    return d


def test_nonexistent_path(src, out):
    missing = str(src / "nope.c")
    proc = cli("scan", str(src / "leak.c"), missing, "--format", "json", "-o", str(out / "r.json"))
    assert_input_error(proc, missing, "no such file")
    no_report(out)


def test_nothing_to_scan(tmp_path):
    assert_input_error(cli("scan"), "nothing to scan")
    (tmp_path / "empty").mkdir()
    assert_input_error(cli("scan", str(tmp_path / "empty")), "no C or C++ source files")


@pytest.mark.parametrize("text, where", [
    ('[[resource]]\nkind = "x"\nacquire = ["a",\n', ":3: invalid TOML"),
    ('[[resource]]\nkind = "x"\nacquire = ["a",\nrelease = ]\n', ":4: invalid TOML"),
    ('[[resource]]\nkind = "x"\nacquire = ["a"]\nrelase = ["b"]\n', ":4: resource 'x': unknown key 'relase'"),
    ('[[resource]]\nkind = "x"\nacquire = [{ function = "a", out_arg = -2 }]\n', ":3:"),
])
def test_malformed_rules_file(src, out, tmp_path, text, where):
    rules = tmp_path / "my rules.toml"
    rules.write_text(text)
    proc = cli("scan", str(src), "--rules", str(rules), "--format", "sarif", "-o", str(out / "r.sarif"))
    assert_input_error(proc, str(rules) + where)
    no_report(out)


def test_missing_rules_file(src, out, tmp_path):
    proc = cli("scan", str(src), "--rules", str(tmp_path / "none.toml"), "-o", str(out / "r.txt"))
    assert_input_error(proc, "none.toml", "no such rules file")
    no_report(out)


@pytest.mark.parametrize("content, words", [
    ("[{", ["invalid JSON"]),
    ('{"a": 1}', ["JSON array"]),
    ('[{"file": "leak.c", "command": "cc -c leak.c"}]', ["entry 0", "directory"]),
    ('[{"directory": ".", "file": "leak.c"}]', ["entry 0", "arguments"]),
])
def test_broken_compile_commands(src, out, tmp_path, content, words):
    build = tmp_path / "build"
    build.mkdir()
    db = build / "compile_commands.json"
    db.write_text(content)
    for args in (["-p", str(build)], ["--compile-commands", str(db)]):
        proc = cli("scan", *args, "--format", "json", "-o", str(out / "r.json"))
        assert_input_error(proc, str(db), *words)
        no_report(out)


def test_build_dir_without_database(tmp_path, out):
    proc = cli("scan", "-p", str(tmp_path), "-o", str(out / "r.txt"))
    assert_input_error(proc, str(tmp_path), "no compile_commands.json")
    no_report(out)


def test_output_directory_missing(src, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "r.json"
    proc = cli("scan", str(src), "--format", "json", "-o", str(target))
    assert_input_error(proc, str(target.parent), "does not exist")


def test_compile_commands_forms_relative_directory_and_dropped_flags(tmp_path):
    """`command` and `arguments` entries, a relative directory, -o/-c/-MF dropped, -I/-D from the database used."""
    root = tmp_path / "proj"
    (root / "include").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "build").mkdir()
    (root / "include" / "cfg.h").write_text("#define EARLY_RETURN 1\n")
    (root / "src" / "a.c").write_text(LEAK.replace("if (n > 1)", "if (n > EARLY_RETURN)")
                                      .replace("#include <stdlib.h>", '#include <stdlib.h>\n#include "cfg.h"'))
    (root / "src" / "b.c").write_text("""#include <stdlib.h>
int b(int n) {
    char *q = malloc(n);
#ifdef LEAKY
    if (n) return 1;
#endif
    free(q);
    return 0;
}
""")
    db = [
        {"directory": "..", "file": "src/a.c",
         "command": "cc -I include -c src/a.c -o build/a.o -MD -MF build/a.d -O2"},
        {"directory": "..", "file": "src/b.c",
         "arguments": ["cc", "-DLEAKY", "-c", "-o", "build/b.o", "-MF", "build/b.d", "src/b.c"]},
    ]
    (root / "build" / "compile_commands.json").write_text(json.dumps(db))
    report = tmp_path / "r.json"
    proc = cli("scan", "-p", str(root / "build"), "--format", "json", "-o", str(report))
    assert proc.returncode == 1, proc.stderr
    data = json.loads(report.read_text())
    got = {(os.path.basename(f["loc"]["file"]), f["loc"]["line"], f["function"], f["rule_id"])
           for f in data["findings"]}
    assert got == {("a.c", 6, "leak", "resource-leak"), ("b.c", 5, "b", "resource-leak")}
    assert data["stats"]["tus"] == 2 and data["stats"]["degraded_tus"] == 0
    assert not (root / "build" / "a.o").exists() and not (root / "build" / "a.d").exists()


def test_missing_include_degrades_but_reports(src):
    (src / "inc.c").write_text('#include "not_there.h"\n' + LEAK.replace("leak(", "inc("))
    proc = cli("scan", str(src), "-q")
    assert proc.returncode == 3, proc.stderr  # findings, but the scan is incomplete
    assert "Traceback" not in proc.stderr
    assert "inc.c:1: warning: translation unit inc.c degraded" in proc.stdout
    assert "not_there.h" in proc.stdout
    assert "in inc() [resource-leak]" in proc.stdout and "in leak() [resource-leak]" in proc.stdout


def test_diagnostics_go_to_stderr_when_the_report_goes_to_a_file(src, out):
    (src / "inc.c").write_text('#include "not_there.h"\n' + LEAK.replace("leak(", "inc("))
    proc = cli("scan", str(src), "--format", "json", "-o", str(out / "r.json"))
    assert proc.returncode == 3
    assert "inc.c" in proc.stderr and "not_there.h" in proc.stderr and "Traceback" not in proc.stderr
    assert len(json.loads((out / "r.json").read_text())["findings"]) == 2


def test_non_utf8_source_is_analyzed(src):
    """Not UTF-8 is a note (clang reads bytes; text is shown with replacement characters), not a degradation."""
    (src / "latin1.c").write_bytes(("/* r\xe9sum\xe9 */\n" + LEAK.replace("leak(", "latin(")).encode("latin-1"))
    proc = cli("scan", str(src), "-q")
    assert proc.returncode == 1, proc.stderr
    assert "latin1.c:1: note: not valid UTF-8" in proc.stdout and "degraded" not in proc.stdout
    assert "latin1.c:6:" in proc.stdout and "in latin() [resource-leak]" in proc.stdout


def test_unreadable_file_fails_its_tu_only(src, out):
    bad = src / "bad.c"
    if os.geteuid() == 0:
        bad.symlink_to(src / "vanished.c")  # root reads through any mode bits: a dangling link cannot be read
    else:
        bad.write_text(LEAK)
        bad.chmod(0)
    proc = cli("scan", str(src), "--format", "json", "-o", str(out / "r.json"))
    assert proc.returncode == 3, proc.stderr
    assert "bad.c" in proc.stderr and "cannot read" in proc.stderr and "Traceback" not in proc.stderr
    data = json.loads((out / "r.json").read_text())
    assert data["stats"]["failed_tus"] == 1
    assert [os.path.basename(f["loc"]["file"]) for f in data["findings"]] == ["leak.c"]


@pytest.mark.parametrize("jobs", ["2", "0"])
def test_crashing_tu_does_not_stop_the_scan(src, out, jobs):
    for name in ("b", "c"):
        (src / f"{name}.c").write_text(LEAK.replace("leak(", f"{name}("))
    proc = cli("scan", str(src), "-j", jobs, "--format", "json", "-o", str(out / "r.json"),
               env={"LEAKSCAN_TEST_ABORT_ON": "b.c"})
    assert proc.returncode == 3, proc.stderr
    assert "b.c" in proc.stderr and "libclang crashed" in proc.stderr and "Traceback" not in proc.stderr
    data = json.loads((out / "r.json").read_text())
    assert {f["function"] for f in data["findings"]} == {"leak", "c"}
    assert data["stats"]["failed_tus"] == 1


def test_single_crashing_tu_is_a_clean_failure(src):
    proc = cli("scan", str(src / "leak.c"), env={"LEAKSCAN_TEST_ABORT_ON": "leak.c"})
    assert proc.returncode == 3
    assert "libclang crashed" in proc.stdout and "Traceback" not in proc.stderr


def test_exit_codes_clean_and_findings(src, tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "ok.c").write_text("#include <stdlib.h>\nvoid ok(void) { free(malloc(1)); }\n")
    assert cli("scan", str(clean)).returncode == 0
    assert cli("scan", str(src)).returncode == 1
