"""Hand-built AnalysisResults over small real C files, for the report tests and the benchmark."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from analyzer.model import (
    AnalysisResult,
    Diagnostic,
    Evidence,
    Finding,
    GrowthStack,
    InferredPair,
    PathEvent,
    ProfileFrame,
    ScanStats,
    SourceLoc,
    UnexplainedGrowth,
)

REPO = Path(__file__).resolve().parents[2]


def dictsvc_dir() -> Path | None:
    """The shared sample service, beside the clone."""
    base = REPO.parent / "shared"
    if (base / "fixtures" / "dictsvc" / "qa_term_dict.cpp").is_file():
        return base / "fixtures" / "dictsvc"
    return None

LEAKY_C = textwrap.dedent("""\
    /* leaky.c: a buffer and a file handle that escape on error paths. */
    #include <stdio.h>
    #include <stdlib.h>

    struct cache { char *slot; };

    int parse(const char *path, int strict)
    {
        char *buf = malloc(256);
        if (buf == NULL)
            return -1;
        FILE *fp = fopen(path, "r");
        if (fp == NULL) {
            free(buf);
            return -2;
        }
        if (fgets(buf, 256, fp) == NULL) {
            fclose(fp);
            free(buf);
            return -3;
        }
        /* the strict check forgets both resources */
        if (strict && buf[0] == '#')
            return -4;
        fclose(fp);
        free(buf);
        return 0;
    }

    void refill(struct cache *c, size_t n)
    {
        c->slot = malloc(n);
    }
    """)


def graph(nodes: list[tuple[Any, str, str, int]], edges: list[tuple[Any, Any, str]]) -> dict[str, Any]:
    """networkx node-link data, as the scan stores ownership graphs."""
    return {"directed": True, "multigraph": False, "graph": {},
            "nodes": [{"id": i, "kind": k, "label": lab, "line": line} for i, k, lab, line in nodes],
            "edges": [{"source": a, "target": b, "kind": kind} for a, b, kind in edges]}


def small_result(root: Path, *, with_profiles: bool = True) -> AnalysisResult:
    """Two findings in leaky.c (written into `root`), a graph each, growth evidence on one."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "leaky.c").write_text(LEAKY_C)
    f = "leaky.c"
    leak = Finding(
        rule_id="resource-leak", resource_kind="malloc", function="parse", loc=SourceLoc(f, 24, 9),
        acquire=SourceLoc(f, 9, 17), acquirer="malloc", var="buf", expected="free",
        path=(PathEvent(SourceLoc(f, 9, 17), "memory acquired by malloc() here, stored in 'buf'", "acquire"),
              PathEvent(SourceLoc(f, 10, 9), "assuming 'buf' is not NULL", "branch"),
              PathEvent(SourceLoc(f, 13, 9), "assuming 'fp' is not NULL", "branch"),
              PathEvent(SourceLoc(f, 23, 9), "assuming 'strict && buf[0] == '#'' is true", "branch"),
              PathEvent(SourceLoc(f, 24, 13), "returns without releasing 'buf'", "exit")),
        confidence="high", rule_source="builtin:libc.toml", snippet="return -4;",
        acquire_snippet="char *buf = malloc(256);", function_usr="c:@F@parse", function_span=(8, 28),
        evidence=Evidence("confirmed", 1932735283, 7549747,
                          (GrowthStack((ProfileFrame("parse", f, 9), ProfileFrame("main", "main.c", 40)),
                                       1932735283, 7549747, "heap.0001..0003"),),
                          "grew in 3 of 3 snapshots") if with_profiles else None,
        rank=1)
    fp_leak = Finding(
        rule_id="resource-leak", resource_kind="FILE", function="parse", loc=SourceLoc(f, 24, 9),
        acquire=SourceLoc(f, 12, 16), acquirer="fopen", var="fp", expected="fclose",
        path=(PathEvent(SourceLoc(f, 12, 16), "FILE opened by fopen() here", "acquire"),
              PathEvent(SourceLoc(f, 23, 9), "taking the true branch", "branch"),
              PathEvent(SourceLoc(f, 24, 13), "returns without fclose(fp)", "exit")),
        confidence="medium", rule_source="builtin:stdio.toml", function_usr="c:@F@parse",
        function_span=(8, 28), evidence=Evidence("static-only") if with_profiles else None, rank=2)
    overwrite = Finding(
        rule_id="leak-on-overwrite", resource_kind="malloc", function="refill", loc=SourceLoc(f, 32, 5),
        acquire=SourceLoc(f, 32, 15), acquirer="malloc", var="c->slot", expected="free",
        path=(PathEvent(SourceLoc(f, 32, 5), "'c->slot' overwritten while it owns memory", "overwrite"),),
        confidence="low", rule_source="inferred:malloc/free", function_usr="c:@F@refill",
        function_span=(31, 33), rank=3)
    graphs = {
        "c:@F@parse": graph(
            [(0, "acquire", "malloc()", 9), (1, "var", "buf", 9), (2, "acquire", "fopen()", 12),
             (3, "var", "fp", 12), (4, "release", "fclose(fp)", 25), (5, "release", "free(buf)", 26),
             (6, "exit", "return -4", 24), (7, "exit", "return 0", 27)],
            [(0, 1, "owns"), (2, 3, "owns"), (3, 4, "released"), (1, 5, "released"), (1, 6, "leaks"),
             (3, 6, "leaks"), (5, 7, "flow"), (4, 5, "flow")]),
        "c:@F@refill": graph([(0, "member", "c->slot", 32), (1, "acquire", "malloc(n)", 32)],
                             [(1, 0, "stored"), (0, 0, "overwrites")]),
    }
    unexplained = ()
    profiles: tuple[dict[str, Any], ...] = ()
    if with_profiles:
        unexplained = (UnexplainedGrowth(
            SourceLoc(f, 32, 15), "refill",
            GrowthStack((ProfileFrame("refill", f, 32), ProfileFrame("worker", "main.c", 77),
                         ProfileFrame("main", "main.c", 41)), 104857600, 12800, "heap.0003"),
            ("leak-on-overwrite #3",)),)
        profiles = ({"path": "heap.0001..0003", "format": "gperftools heap", "snapshots": 3},)
    return AnalysisResult(
        root=str(root), findings=(overwrite, fp_leak, leak),
        diagnostics=(Diagnostic(f, 0, "degraded: 1 unknown cursor kind", "note"),),
        stats=ScanStats(files=1, tus=1, degraded_tus=1, functions=2, seconds=0.42,
                        rules=("builtin:libc.toml", "builtin:stdio.toml"), inferred_pairs=1),
        pairs=(InferredPair("malloc", "free", "malloc", "high", 1.0, ("name", "summary")),),
        graphs=graphs, unexplained=unexplained, profiles=profiles,
        timestamp="2026-01-02T03:04:05Z", tool_version="0.1.0")


def synthetic_result(root: Path, n: int, files: int = 20, *, profiles: bool = True) -> AnalysisResult:
    """`n` resource-leak findings over `files` generated C files, each in its own function."""
    root.mkdir(parents=True, exist_ok=True)
    per_file = -(-n // files)
    findings = []
    graphs: dict[str, Any] = {}
    for k in range(files):
        name = f"src/mod{k:03d}.c"
        lines = ["#include <stdlib.h>", "#include <stdio.h>", ""]
        for j in range(per_file):
            index = k * per_file + j
            if index >= n:
                break
            start = len(lines) + 1
            lines += [f"int fn_{k}_{j}(int a, int b)", "{",
                      "    char *p = malloc(64);", "    if (p == NULL)", "        return -1;"]
            lines += [f"    a += b * {i}; /* filler {i} */" for i in range(12)]
            ret = len(lines) + 2
            lines += ["    if (a > b)", "        return a;", "    free(p);", "    return 0;", "}", ""]
            usr = f"c:@F@fn_{k}_{j}"
            ev = None
            if profiles and index % 3 == 0:
                stack = GrowthStack((ProfileFrame(f"fn_{k}_{j}", name, start + 2),
                                     ProfileFrame(f"caller_{k % 7}", "main.c", 10 + k),
                                     ProfileFrame("main", "main.c", 5)), 4096 * (index + 1), index + 1,
                                    "synthetic")
                ev = Evidence("confirmed", stack.bytes, stack.objects, (stack,), "grew")
            elif profiles:
                ev = Evidence("static-only")
            findings.append(Finding(
                rule_id="resource-leak" if index % 5 else "leak-on-overwrite",
                resource_kind=("malloc", "FILE", "fd", "dm_pack")[index % 4], function=f"fn_{k}_{j}",
                loc=SourceLoc(name, ret), acquire=SourceLoc(name, start + 2, 15), acquirer="malloc",
                var="p", expected="free",
                path=(PathEvent(SourceLoc(name, start + 2, 15), "memory acquired by malloc()", "acquire"),
                      PathEvent(SourceLoc(name, start + 3, 5), "assuming 'p' is not NULL", "branch"),
                      PathEvent(SourceLoc(name, ret - 1, 5), "assuming 'a > b'", "branch"),
                      PathEvent(SourceLoc(name, ret, 9), "returns without free(p)", "exit")),
                confidence=("high", "medium", "low")[index % 3], rule_source="builtin:libc.toml",
                function_usr=usr, function_span=(start, len(lines) - 1), evidence=ev))
            graphs[usr] = graph([(0, "acquire", "malloc(64)", start + 2), (1, "var", "p", start + 2),
                                 (2, "release", "free(p)", ret + 1), (3, "exit", "return a", ret),
                                 (4, "exit", "return 0", ret + 2)],
                                [(0, 1, "owns"), (1, 2, "released"), (1, 3, "leaks"), (2, 4, "flow")])
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("\n".join(lines) + "\n")
    return AnalysisResult(
        root=str(root), findings=tuple(findings),
        stats=ScanStats(files=files, tus=files, functions=n, seconds=1.5, rules=("builtin:libc.toml",)),
        graphs=graphs,
        profiles=({"path": "synthetic", "snapshots": 2},) if profiles else (),
        timestamp="2026-01-02T03:04:05Z", tool_version="0.1.0")
