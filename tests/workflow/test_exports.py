"""`leakscan pairs --export`: the inferred and configured pairs for other tools, checked with the real tools: cppcheck
finds a leak with the exported library file that it misses without it, and so does clang-14's static analyzer with the
exported attribute header."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from .conftest import leakscan, write

LIBRARY = {
    "lib/trie.h": """
        #ifndef TRIE_H
        #define TRIE_H
        typedef struct trie trie;
        trie *trie_open(const char *path);
        void trie_close(trie *t);
        #endif
    """,
    "lib/trie.c": """
        #include <stdlib.h>
        #include "trie.h"
        struct trie { int n; };
        trie *trie_open(const char *path) { trie *t = calloc(1, sizeof *t); if (t && path) t->n = 1; return t; }
        void trie_close(trie *t) { free(t); }
    """,
    "lib/pool.h": """
        typedef struct pool pool;
        int pool_get(pool **out);
        void pool_put(int flags, pool *p);
    """,
    "my.toml": """
        [[resource]]
        kind = "pool"
        acquire = [{ function = "pool_get", out_arg = 0 }]
        release = [{ function = "pool_put", arg = 1 }]
    """,
}
# the leak another tool misses without the pairs: `t` is lost on the early return
USER = """
#include "trie.h"
int count(const char *path, int n)
{
    trie *t = trie_open(path);
    if (t == 0)
        return -1;
    if (n > 10)
        return 1;
    trie_close(t);
    return 0;
}
"""


@pytest.fixture
def exported(tmp_path):
    root = write(tmp_path / "p", {**LIBRARY, "app/use.c": USER})

    def run(fmt: str) -> str:
        out = root / f"export.{fmt}"
        proc = leakscan("pairs", str(root / "lib"), "--rules", str(root / "my.toml"), "--export", fmt, "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        return out.read_text()
    return root, run


def test_cppcheck_finds_the_leak_with_the_exported_library(exported):
    cppcheck = shutil.which("cppcheck")
    if cppcheck is None:
        pytest.skip("cppcheck (Debian package) not installed")
    root, run = exported
    cfg = run("cppcheck-cfg")
    assert '<alloc init="true">trie_open</alloc>' in cfg and "<dealloc>trie_close</dealloc>" in cfg
    assert '<alloc init="true" arg="1">pool_get</alloc>' in cfg and '<dealloc arg="2">pool_put</dealloc>' in cfg

    def check(*extra: str) -> str:
        proc = subprocess.run([cppcheck, "-q", "--error-exitcode=0", *extra, "-I", str(root / "lib"),
                               str(root / "app" / "use.c")], capture_output=True, text=True, timeout=120)
        assert "cannot" not in proc.stderr.lower() or "include" in proc.stderr.lower(), proc.stderr
        return proc.stderr
    assert "memleak" not in check()
    with_cfg = check(f"--library={root / 'export.cppcheck-cfg'}")
    assert re.search(r"use\.c:8:\d+: error: Memory leak: t \[memleak\]", with_cfg), with_cfg


def test_clang_analyzer_finds_the_leak_with_the_exported_attributes(exported):
    clang = shutil.which("clang-14") or shutil.which("clang")
    if clang is None:
        pytest.skip("clang-14 (Debian package) not installed")
    root, run = exported
    header = run("clang-attributes")
    assert "struct trie *trie_open(const char *) __attribute__((ownership_returns(malloc)));" in header
    assert "void trie_close(struct trie *) __attribute__((ownership_takes(malloc, 1)));" in header
    assert "/* pool_get: not expressible as a redeclaration (out-parameter) */" in header

    def analyze(*extra: str) -> str:
        proc = subprocess.run([clang, "--analyze", "-I", str(root / "lib"), *extra, str(root / "app" / "use.c"),
                               "-o", "/dev/null"], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stderr
    assert "leak" not in analyze().lower()
    with_header = analyze("-include", str(root / "export.clang-attributes"))
    assert re.search(r"use\.c:8:\d+: warning: Potential leak of memory pointed to by 't'", with_header), with_header


def test_infer_options_and_toml(exported):
    root, run = exported
    infer = json.loads(run("infer"))
    assert infer == {"pulse-model-alloc-pattern": "^(trie_open)$", "pulse-model-free-pattern": "^(trie_close)$"}
    toml = run("toml")
    rules = leakscan("pairs", str(root / "lib"), "--write-rules", str(root / "w.toml"))
    assert rules.returncode == 0 and (root / "w.toml").read_text() == toml
    assert leakscan("pairs", str(root / "lib"), "-o", "x").returncode == 2
