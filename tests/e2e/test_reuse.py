"""Phase-2 reuse through the real pipeline (real libclang, real files): a re-scan analyzes only the functions whose
IR changed and the callers whose callees' summaries changed; everything else comes from the last scan, and the
findings always equal a cold scan's. Rules changes analyze everything; a damaged or forged results file is never
trusted."""
from __future__ import annotations

import pickle
from pathlib import Path

import zstandard

from analyzer.analysis.reuse import FILE_NAME, MAGIC
from analyzer.pipeline import Timings

from .test_cache import leaks, scan

LIB = """#include <stdlib.h>
char *make_buf(int n) { return malloc(n); }
"""
LIB_BORROWED = """#include <stdlib.h>
static char slab[64];
char *make_buf(int n) { (void)n; return slab; }
"""
MAIN = """char *make_buf(int n);
void drop(char *p);
int use_buf(int n) {
    char *p = make_buf(n);
    if (n > 3) return -1;
    drop(p);
    return 0;
}
"""
DROP = """#include <stdlib.h>
void drop(char *p) { free(p); }
"""
OTHER = """#include <stdio.h>
int other_fn(int k) { FILE *f = fopen("x", "r"); if (!f) return k; return 0; }
int other_helper(int k) { return k + 1; }
"""


def project(root: Path) -> Path:
    src = root / "src"
    src.mkdir()
    for name, text in (("lib.c", LIB), ("main.c", MAIN), ("drop.c", DROP), ("other.c", OTHER)):
        (src / name).write_text(text)
    return src


def analyzed(t: Timings) -> tuple[int, int]:
    assert t.reuse is not None
    return t.reuse.reused, t.reuse.analyzed


def cold_equivalent(src: Path) -> dict:
    data, t = scan(src, None)
    assert t.reuse is None
    return data


def test_unchanged_rescan_reuses_every_result(tmp_path: Path) -> None:
    src = project(tmp_path)
    cache = tmp_path / "cache"
    cold, t = scan(src, cache)
    assert analyzed(t) == (0, 5)
    assert leaks(cold) == {("use_buf", "resource-leak"), ("other_fn", "resource-leak")}
    warm, t = scan(src, cache)
    assert analyzed(t) == (5, 0)
    assert warm == cold


def test_edit_of_an_unrelated_file_analyzes_only_its_functions(tmp_path: Path) -> None:
    src = project(tmp_path)
    cache = tmp_path / "cache"
    scan(src, cache)
    (src / "other.c").write_text(OTHER.replace("return k + 1;", "return k + 2;"))
    warm, t = scan(src, cache)
    assert analyzed(t) == (4, 1)  # other_helper; other_fn's IR and callees are the same
    assert warm == cold_equivalent(src)


def test_callee_whose_summary_changes_reanalyzes_its_callers(tmp_path: Path) -> None:
    src = project(tmp_path)
    cache = tmp_path / "cache"
    scan(src, cache)
    (src / "lib.c").write_text(LIB_BORROWED)  # make_buf no longer allocates: use_buf leaks nothing
    warm, t = scan(src, cache)
    assert analyzed(t) == (3, 2)  # make_buf and its caller use_buf
    assert leaks(warm) == {("other_fn", "resource-leak")}
    assert warm == cold_equivalent(src)


def test_callee_edit_that_keeps_its_summary_leaves_callers_alone(tmp_path: Path) -> None:
    src = project(tmp_path)
    cache = tmp_path / "cache"
    cold, _ = scan(src, cache)
    (src / "lib.c").write_text(LIB.replace("malloc(n)", "malloc(n + 1)"))
    warm, t = scan(src, cache)
    assert analyzed(t) == (4, 1)  # make_buf only: it still returns a fresh block
    assert leaks(warm) == leaks(cold)
    assert warm == cold_equivalent(src)


def test_rules_change_analyzes_everything(tmp_path: Path) -> None:
    src = project(tmp_path)
    cache = tmp_path / "cache"
    scan(src, cache)
    rules = tmp_path / "extra.toml"
    rules.write_text('[[resource]]\nkind = "thing"\nacquire = ["thing_get"]\nrelease = ["thing_put"]\n')
    _, t = scan(src, cache, rules=(str(rules),))
    assert analyzed(t) == (0, 5)
    _, t = scan(src, cache, rules=(str(rules),))
    assert analyzed(t) == (5, 0)


def test_damaged_results_are_replaced_not_trusted(tmp_path: Path) -> None:
    src = project(tmp_path)
    cache = tmp_path / "cache"
    cold, _ = scan(src, cache)
    results = cache / "phase2" / FILE_NAME
    data = bytearray(results.read_bytes())
    data[-5] ^= 0xFF
    results.write_bytes(bytes(data))
    warm, t = scan(src, cache)
    assert t.reuse is not None and t.reuse.rejected
    assert analyzed(t) == (0, 5)
    assert warm == cold
    _, t = scan(src, cache)  # rewritten whole
    assert analyzed(t) == (5, 0) and not t.reuse.rejected


class _Boom:
    def __reduce__(self):
        return (print, ("forged results executed",))


def test_forged_results_never_run_code(tmp_path: Path, capsys) -> None:
    import hashlib
    src = project(tmp_path)
    cache = tmp_path / "cache"
    cold, _ = scan(src, cache)
    results = cache / "phase2" / FILE_NAME
    for forged in ({"k": pickle.dumps(_Boom())}, _Boom()):
        payload = zstandard.compress(pickle.dumps(forged))
        results.write_bytes(MAGIC + hashlib.blake2b(payload, digest_size=32).hexdigest().encode() + payload)
        warm, _ = scan(src, cache)
        assert warm == cold
    assert "forged results executed" not in capsys.readouterr().out


CARRIER = """#include <stdlib.h>
#include <string.h>
static char *pending;
static void leak(int n) { char *r = pending; pending = NULL; if (n) return; free(r); }
static void drop(void) { char *r = pending; pending = NULL; free(r); }
void put(const char *s) { char *p = strdup(s); free(pending); pending = p; }
"""


def test_second_look_at_carrier_globals_is_reused_and_redone_when_they_change(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "carrier.c").write_text(CARRIER)
    cache = tmp_path / "cache"
    cold, t = scan(src, cache)
    assert ("leak", "resource-leak") in leaks(cold)  # found only by the second look, once `pending` is a carrier
    first = analyzed(t)
    assert first[0] == 0 and first[1] > 3
    warm, t = scan(src, cache)
    assert analyzed(t) == (first[1], 0)
    assert warm == cold
    (src / "carrier.c").write_text(CARRIER.replace("strdup(s)", "(char *)s"))  # nothing owned: no carrier
    warm, t = scan(src, cache)
    assert ("leak", "resource-leak") not in leaks(warm)
    assert warm == cold_equivalent(src)
