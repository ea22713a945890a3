"""User rules through the CLI (--rules FILE, repeatable): return-value, out-parameter and pattern acquirers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import without_progress

REPO = Path(__file__).resolve().parents[2]

RULES = """
[[resource]]
kind = "trie"
description = "a trie handle"
invalid = "null"
acquire = [{ function = "trie_open", out_arg = 1 }, "trie_new"]
release = ["trie_close"]
acquire_pattern = "trie_make_[a-z]+"
"""

MORE = """
[[resource]]
kind = "lease"
invalid = "negative"
acquire = ["lease_take"]
release = [{ function = "lease_give", arg = 1 }]
"""

SOURCE = """typedef struct trie trie;
int trie_open(const char *path, trie **out);
trie *trie_new(void);
trie *trie_make_fast(int n);
void trie_close(trie *t);
int lease_take(void);
void lease_give(void *pool, int lease);
int use(const char *path, int n, void *pool) {
    trie *a, *b, *c;
    if (trie_open(path, &a) != 0)
        return -1;
    b = trie_new();
    c = trie_make_fast(n);
    int l = lease_take();
    if (l < 0)
        return -2;
    if (n > 3)
        return 1;
    lease_give(pool, l);
    trie_close(a);
    trie_close(b);
    trie_close(c);
    return 0;
}
"""


def run(tmp_path: Path, *rules: str, extra: tuple[str, ...] = ()) -> tuple[int, dict]:
    (tmp_path / "src").mkdir(exist_ok=True)
    (tmp_path / "src" / "use.c").write_text(SOURCE)
    args = []
    for n, text in enumerate(rules):
        path = tmp_path / f"rules{n}.toml"
        path.write_text(text)
        args += ["--rules", str(path)]
    out = tmp_path / "r.json"
    proc = without_progress(subprocess.run(
        [sys.executable, "-m", "analyzer", "scan", str(tmp_path / "src"), *args, *extra,
                           "--format", "json", "-o", str(out)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(out.read_text())


def test_without_rules_or_inference_nothing_is_known(tmp_path):
    code, data = run(tmp_path, extra=("--no-infer",))
    assert code == 0 and data["findings"] == []


def test_user_rules_add_kinds(tmp_path):
    code, data = run(tmp_path, RULES, MORE, extra=("--no-infer",))
    assert code == 1
    got = {(line, f["var"], f["acquirer"], f["resource_kind"], f["confidence"], f["rule_source"])
           for f in data["findings"] for line in (f["loc"]["line"], *(x["loc"]["line"] for x in f["exits"]))}
    assert got == {
        (16, "a", "trie_open", "trie", "high", "rules:rules0.toml"),  # the lease check fails: a, b, c leak
        (16, "b", "trie_new", "trie", "high", "rules:rules0.toml"),
        (16, "c", "trie_make_fast", "trie", "high", "rules:rules0.toml"),
        (18, "a", "trie_open", "trie", "high", "rules:rules0.toml"),
        (18, "b", "trie_new", "trie", "high", "rules:rules0.toml"),
        (18, "c", "trie_make_fast", "trie", "high", "rules:rules0.toml"),
        (18, "l", "lease_take", "lease", "high", "rules:rules1.toml"),
    }
    assert data["stats"]["rules"][-2:] == ["rules:rules0.toml", "rules:rules1.toml"]
