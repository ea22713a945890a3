"""A file with several compile database entries (issue 16) through the real CLI: each distinct configuration is
scanned, entries that differ only in code generation are one, identical findings merge, and a configuration's own
code is only seen when that configuration is in the database."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import without_progress

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return without_progress(subprocess.run(
        [sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, env=env,
                          timeout=300))


def findings(proc: subprocess.CompletedProcess) -> set[tuple[str, int, str, str]]:
    return {(os.path.basename(f["loc"]["file"]), f["loc"]["line"], f["function"], f["rule_id"])
            for f in json.loads(proc.stdout)["findings"]}


CONFIGS = """#include <stdlib.h>
int both(int n) {
    char *p = malloc(n);
    if (n > 1)
        return 1;
    free(p);
    return 0;
}
int debug_only(int n) {
    char *q = malloc(n);
#ifdef DEBUG
    if (n > 2)
        return 2;
#endif
    free(q);
    return 0;
}
"""


def compile_db(tmp_path: Path, commands: list[str]) -> Path:
    build = tmp_path / "build"
    build.mkdir()
    (tmp_path / "cfg.c").write_text(CONFIGS)
    entries = [{"directory": str(tmp_path), "file": "cfg.c", "command": c} for c in commands]
    (build / "compile_commands.json").write_text(json.dumps(entries))
    return build


def test_each_configuration_of_a_file_is_scanned_and_identical_findings_merge(tmp_path):
    build = compile_db(tmp_path, ["cc -O2 -c cfg.c -o cfg.o", "cc -DDEBUG -O0 -g -c cfg.c -o cfg-debug.o",
                                  "cc -O2 -fPIC -c cfg.c -o cfg.lo"])
    proc = cli("-v", "scan", "-p", str(build), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert findings(proc) == {("cfg.c", 5, "both", "resource-leak"), ("cfg.c", 13, "debug_only", "resource-leak")}
    data = json.loads(proc.stdout)
    assert (data["stats"]["tus"], data["stats"]["files"]) == (2, 1)
    assert f"1 more entry for {tmp_path}/cfg.c with the same configuration" in proc.stderr
    text = cli("scan", "-p", str(build))
    assert "2 finding(s) in " in text.stdout and "2 TU(s) of 1 file(s)" in text.stdout


def test_one_configuration_only_sees_its_own_code(tmp_path):
    """The decoy: without the DEBUG entry, the early return inside #ifdef DEBUG is not there to leak."""
    build = compile_db(tmp_path, ["cc -O2 -c cfg.c -o cfg.o"])
    proc = cli("scan", "-p", str(build), "--format", "json")
    assert findings(proc) == {("cfg.c", 5, "both", "resource-leak")}
