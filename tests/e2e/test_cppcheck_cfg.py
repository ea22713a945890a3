"""cppcheck library files: alloc/dealloc pairs with argument positions, leak-ignore, malformed files."""
from __future__ import annotations

import glob
import textwrap

import pytest

from analyzer.cli import main
from analyzer.rules import RuleError, load_rules
from analyzer.rules.cppcheck import load_cppcheck_cfg
from tests.conftest import brief

MYLIB_CFG = """
    <?xml version="1.0"?>
    <def format="2">
      <resource>
        <alloc init="true">ml_open</alloc>
        <alloc init="true" arg="2">ml_open_into</alloc>
        <dealloc arg="2">ml_close</dealloc>
      </resource>
      <memory>
        <alloc init="true">ml_strdup</alloc>
        <dealloc>free</dealloc>
      </memory>
      <memory>
        <alloc>ml_buf_new</alloc>
        <realloc realloc-arg="1">ml_buf_grow</realloc>
        <dealloc>ml_buf_free</dealloc>
      </memory>
      <function name="ml_peek,ml_poke">
        <leak-ignore/>
      </function>
      <function name="ml_open">
        <returnValue type="int"/>
      </function>
    </def>
"""

MYLIB_H = """
    typedef struct ml_buf ml_buf_t;
    int ml_open(const char *path);
    int ml_open_into(const char *path, int *out);
    void ml_close(int flags, int h);
    char *ml_strdup(const char *s);
    ml_buf_t *ml_buf_new(void);
    ml_buf_t *ml_buf_grow(ml_buf_t *b, int n);
    void ml_buf_free(ml_buf_t *b);
    int ml_peek(ml_buf_t *b);
"""

USE_C = """
    #include <stdlib.h>
    #include "mylib.h"
    int leak_handle(const char *p) {
        int h = ml_open(p);
        if (h < 0)
            return -1;
        if (p[0] == '/')
            return -2;
        ml_close(0, h);
        return 0;
    }
    int fine_handle(const char *p) {
        int h = ml_open(p);
        if (h < 0)
            return -1;
        ml_close(0, h);
        return 0;
    }
    int leak_buf(void) {
        ml_buf_t *b = ml_buf_new();
        if (!b)
            return -1;
        return ml_peek(b);
    }
    int fine_dup(const char *s) {
        char *d = ml_strdup(s);
        free(d);
        return 0;
    }
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_scan_with_cppcheck_library(tmp_path, capsys):
    cfg = _write(tmp_path, "mylib.cfg", MYLIB_CFG)
    src = tmp_path / "src"
    src.mkdir()
    _write(src, "mylib.h", MYLIB_H)
    _write(src, "use.c", USE_C)
    assert main(["scan", "-q", "--format", "json", "-o", str(tmp_path / "r.json"), "--cppcheck-cfg", str(cfg),
                 str(src)]) == 1
    from reports.jsonout import load_json
    result = load_json((tmp_path / "r.json").read_text())
    assert brief(result) == {("use.c", 8, "leak_handle", "resource-leak"), ("use.c", 23, "leak_buf", "resource-leak")}
    assert {f.rule_source for f in result.findings} == {"cppcheck:mylib.cfg"}


def test_rules_from_cppcheck_library(tmp_path):
    rules = load_rules().builder()
    counts = load_cppcheck_cfg(str(_write(tmp_path, "mylib.cfg", MYLIB_CFG)), rules)
    assert counts == {"kinds": 2, "acquire": 4, "release": 2, "realloc": 1, "borrow": 2}
    assert rules.acquire_for("ml_open_into").out_arg == 1
    assert rules.releases_for("ml_close")[0].arg == 1
    assert rules.kinds["ml_open"].invalid == "negative"  # <returnValue type="int"/>
    assert rules.acquire_for("ml_strdup").kind == "malloc"  # joins the builtin kind released by free
    assert rules.realloc_for("ml_buf_grow").kind == "ml_buf_new"
    assert {"ml_peek", "ml_poke"} <= rules.borrows


@pytest.mark.parametrize("text, message", [
    ("<def><memory><alloc>a</alloc>", "not well-formed XML"),
    ("<library/>", "root element is <library>"),
    ("<def><memory><alloc arg='x'>a</alloc><dealloc>f</dealloc></memory></def>", 'arg="x" is not a positive'),
    ("<def><memory><alloc arg='0'>a</alloc><dealloc>f</dealloc></memory></def>", 'arg="0" is not a positive'),
    ("<def><memory><alloc>a</alloc></memory></def>", "has no <dealloc>"),
    ("<def><resource><alloc> </alloc><dealloc>f</dealloc></resource></def>", "<alloc> without a function name"),
    ('<!DOCTYPE d [<!ENTITY e "x">]><def>&e;</def>', "forbidden XML construct"),
])
def test_malformed_library_names_the_file(tmp_path, text, message):
    path = tmp_path / "bad.cfg"
    path.write_text(text)
    with pytest.raises(RuleError) as exc:
        load_cppcheck_cfg(str(path), load_rules().builder())
    assert str(exc.value).startswith(str(path))
    assert message in str(exc.value)


def test_malformed_library_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "bad.cfg").write_text("<def><memory>")
    (tmp_path / "a.c").write_text("int f(void) { return 0; }\n")
    assert main(["scan", "--cppcheck-cfg", str(tmp_path / "bad.cfg"), str(tmp_path / "a.c")]) == 2
    err = capsys.readouterr().err
    assert "bad.cfg" in err and "not well-formed XML" in err
    assert main(["scan", "--cppcheck-cfg", str(tmp_path / "none.cfg"), str(tmp_path / "a.c")]) == 2
    assert "none.cfg: no such cppcheck library file" in capsys.readouterr().err


DEBIAN_CFGS = sorted(glob.glob("/usr/share/cppcheck/cfg/*.cfg") + glob.glob("/usr/lib/*/cppcheck/cfg/*.cfg"))


@pytest.mark.skipif(not DEBIAN_CFGS, reason="Debian package cppcheck is not installed")
def test_every_library_shipped_by_debian_loads():
    added = 0
    for path in DEBIAN_CFGS:
        counts = load_cppcheck_cfg(path, load_rules().builder())
        added += counts["acquire"]
    assert added > 300
    posix = next(p for p in DEBIAN_CFGS if p.endswith("/posix.cfg"))
    rules = load_rules().builder()
    load_cppcheck_cfg(posix, rules)
    assert rules.acquire_for("scandir").out_arg == 1
    assert rules.acquire_for("scandir").kind == "malloc"
    assert rules.releases_for("mq_close")[0].kind == "mq_open"


@pytest.mark.skipif(not DEBIAN_CFGS, reason="Debian package cppcheck is not installed")
def test_debian_sqlite_library_finds_a_leaked_handle(tmp_path, capsys):
    cfg = next(p for p in DEBIAN_CFGS if p.endswith("/sqlite3.cfg"))
    _write(tmp_path, "db.c", """
        typedef struct sqlite3 sqlite3;
        int sqlite3_open(const char *filename, sqlite3 **ppDb);
        int sqlite3_close(sqlite3 *db);
        int sqlite3_exec(sqlite3 *db, const char *sql, void *cb, void *arg, char **err);
        int run(const char *path, int readonly) {
            sqlite3 *db = 0;
            if (sqlite3_open(path, &db) != 0)
                return -1;
            if (readonly)
                return -2;
            sqlite3_close(db);
            return 0;
        }
    """)
    assert main(["scan", "-q", "--no-infer", "--cppcheck-cfg", cfg, str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "db.c:10:" in out and "sqlite3_open" in out
