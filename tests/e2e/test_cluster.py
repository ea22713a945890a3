"""Phase 1 on a Dask cluster gives the same reports as a local scan: a LocalCluster with 2 worker processes on this
machine, reached by its scheduler address (as a real cluster is), with the sources on the shared file system or
shipped with each task; and what --ship-sources sends is what the workers parse."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.frontend.compdb import CompileJob
from analyzer.phase1 import Task, lower_task
from analyzer.shipping import SourceShipper

REPO = Path(__file__).resolve().parents[2]

HEADER = """#include <stdlib.h>
typedef struct conn { char *buf; int fd; } conn;
static inline conn *conn_new(void) {
    conn *c = (conn *)malloc(sizeof *c); if (c) c->buf = (char *)malloc(64); return c; }
void conn_free(conn *c);
"""
SOURCES = {
    "src/conn.c": '#include "conn.h"\nvoid conn_free(conn *c) { if (!c) return; free(c->buf); free(c); }\n',
    "src/serve.c": '#include <stdio.h>\n#include <conn.h>\n'
                   'int serve(int fd) {\n  conn *c = conn_new();\n  if (!c) return -1;\n  if (fd < 0) return -2;\n'
                   '  conn_free(c);\n  return 0;\n}\n'
                   'int logline(const char *p) { FILE *f = fopen(p, "a"); if (!f) return 1; fputs("x", f); '
                   'return 0; }\n',
    "src/util.cc": '#include "conn.h"\n#include <string>\n'
                   'std::string *name(int n) { std::string *s = new std::string("x"); if (n) return nullptr; '
                   'return s; }\n',
}


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("proj")
    (root / "include").mkdir()
    (root / "include" / "conn.h").write_text(HEADER)
    entries = []
    for rel, text in SOURCES.items():
        path = root / rel
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        std = "-std=c++17" if rel.endswith(".cc") else "-std=c11"
        entries.append({"directory": str(root / "src"), "file": str(path),
                        "arguments": ["cc", std, "-I../include", "-c", path.name]})
    (root / "build").mkdir()
    (root / "build" / "compile_commands.json").write_text(json.dumps(entries))
    return root / "build"


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def sarif(build: Path, out: Path, *extra: str) -> str:
    proc = cli("scan", "-p", str(build), "--no-cache", "--format", "sarif", "-o", str(out), "--timestamp", "t",
               *extra)
    assert proc.returncode == 1, proc.stderr
    return out.read_text()


@pytest.fixture(scope="module")
def scheduler():
    distributed = pytest.importorskip("distributed", reason="the Dask executor needs the 'distributed' package")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_dask_cluster_gives_the_local_sarif(build: Path, tmp_path: Path, scheduler: str) -> None:
    local = sarif(build, tmp_path / "local.sarif", "-j", "2")
    assert "serve" in local and "logline" in local
    assert sarif(build, tmp_path / "shared.sarif", "--scheduler", scheduler) == local
    assert sarif(build, tmp_path / "shipped.sarif", "--executor", "dask", "--scheduler", scheduler,
                 "--ship-sources") == local


def test_dask_local_cluster_of_its_own(build: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="the Dask executor needs the 'distributed' package")
    local = sarif(build, tmp_path / "local.sarif", "-j", "2")
    assert sarif(build, tmp_path / "dask.sarif", "--executor", "dask", "-j", "2") == local


def test_unreachable_scheduler_is_one_line(build: Path) -> None:
    pytest.importorskip("distributed", reason="the Dask executor needs the 'distributed' package")
    proc = subprocess.run([sys.executable, "-m", "analyzer", "scan", "-p", str(build), "--no-cache", "--scheduler",
                           "tcp://127.0.0.1:9"], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO), DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s"),
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "tcp://127.0.0.1:9" in lines[0] and "Traceback" not in proc.stderr, proc.stderr


def test_shipped_sources_are_what_the_worker_parses(tmp_path: Path) -> None:
    """The worker reads the shipped contents, not the disk: a header that exists only in the shipment is found
    through -I, and the main file's shipped text wins over the file on disk."""
    (tmp_path / "inc").mkdir()
    main = tmp_path / "m.c"
    main.write_text("int on_disk(void) { return 0; }\n")
    job = CompileJob(str(main), ("-std=c11", f"-I{tmp_path / 'inc'}"), str(tmp_path))  # absolute, as compdb makes it
    shipped_header = str(tmp_path / "inc" / "only_shipped.h")
    parsed = lower_task(Task(job, True, (
        (str(main), b'#include <stdlib.h>\n#include "only_shipped.h"\nint shipped(void) { return helper(); }\n'),
        (shipped_header, b"static inline int helper(void) { char *p = malloc(1); return p != 0; }\n"))))
    assert not parsed.module.degraded, parsed.module.diagnostics
    assert {f.name for f in parsed.module.functions} == {"shipped", "helper"}
    assert shipped_header in parsed.includes


def test_shipper_follows_project_includes_only(build: Path) -> None:
    from analyzer.frontend.compdb import load_compile_commands
    jobs = {os.path.basename(j.file): j for j in load_compile_commands(str(build / "compile_commands.json"))}
    shipped = dict(SourceShipper().sources(jobs["serve.c"]))
    root = build.parent
    assert set(shipped) == {str(root / "src" / "serve.c"), str(root / "include" / "conn.h")}
    assert shipped[str(root / "include" / "conn.h")] == HEADER.encode()
