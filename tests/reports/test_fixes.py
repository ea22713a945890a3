"""Suggested fixes: each diff must pass `git apply --check` and give the expected source."""
from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from analyzer.fixes import fix_for, fixes_for_file
from analyzer.model import Finding, SourceLoc
from reports.patch import unified_patch

from .sample import dictsvc_dir

needs_dictsvc = pytest.mark.skipif(dictsvc_dir() is None, reason="shared/fixtures/dictsvc not found")


def finding(rule: str, file: str, line: int, var: str, expected: str = "free", kind: str = "malloc",
            span: tuple[int, int] = (0, 0)) -> Finding:
    return Finding(rule_id=rule, resource_kind=kind, function="f", loc=SourceLoc(file, line), acquire=None,
                   acquirer="malloc", var=var, expected=expected, function_span=span)


def suggest_fix(f: Finding, text: str, rel: str) -> str | None:
    """The finding's own fix as a patch, the way reports render it."""
    fix = fix_for(f, text)
    return None if fix is None else unified_patch(fix.edits, lambda path: text, os.getcwd())


def combined_patch(texts: dict[str, str], findings: list[Finding]) -> str:
    """The edits fixing all findings at once (per file), rendered as one patch."""
    edits = []
    for name, text in texts.items():
        edits += fixes_for_file([f for f in findings if f.loc.file == name], text)[1]
    return unified_patch(edits, texts.get, os.getcwd())


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def fix_and_apply(git_repo, rel: str, text: str, f: Finding) -> str:
    git_repo.write(rel, text)
    diff = suggest_fix(f, text, rel)
    assert diff is not None
    git_repo.apply(diff)
    return git_repo.read(rel)


def compiles(path: Path) -> None:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return
    proc = subprocess.run([cc, "-fsyntax-only", "-x", "c", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


LEAK_C = src("""
    #include <stdlib.h>
    int f(int n) {
        char *buf = malloc(16);
        if (buf == NULL)
            return -1;
        if (n < 0) return -2;  /* bad */
        if (n == 0)
            return 0;
        if (n > 100) {
            return 1;
        }
        free(buf);
        return 2;
    }
""")


def test_leak_plain_return_inside_braces(git_repo) -> None:
    out = fix_and_apply(git_repo, "a.c", LEAK_C, finding("resource-leak", "a.c", 10, "buf", span=(2, 14)))
    assert "    if (n > 100) {\n        free(buf);\n        return 1;\n    }\n" in out
    compiles(git_repo.path / "a.c")


def test_leak_one_line_if_gets_braces(git_repo) -> None:
    out = fix_and_apply(git_repo, "a.c", LEAK_C, finding("resource-leak", "a.c", 6, "buf", span=(2, 14)))
    assert "    if (n < 0) {\n        free(buf);\n        return -2;  /* bad */\n    }\n" in out
    compiles(git_repo.path / "a.c")


def test_leak_return_after_braceless_if_gets_braces(git_repo) -> None:
    out = fix_and_apply(git_repo, "a.c", LEAK_C, finding("resource-leak", "a.c", 8, "buf", span=(2, 14)))
    assert "    if (n == 0) {\n        free(buf);\n        return 0;\n    }\n    if (n > 100)" in out
    compiles(git_repo.path / "a.c")


def test_leak_multiline_condition_and_tabs(git_repo) -> None:
    text = "#include <stdio.h>\nint g(const char *p, int a, int b) {\n\tFILE *fp = fopen(p, \"r\");\n" \
           "\tif (a > 0 &&\n\t    b > 0)\n\t\treturn 1;\n\tfclose(fp);\n\treturn 0;\n}\n"
    f = finding("resource-leak", "t.c", 6, "fp", expected="fclose", kind="FILE", span=(2, 9))
    out = fix_and_apply(git_repo, "t.c", text, f)
    assert "\tif (a > 0 &&\n\t    b > 0) {\n\t\tfclose(fp);\n\t\treturn 1;\n\t}\n" in out
    compiles(git_repo.path / "t.c")


def test_leak_delete_kinds_in_cpp(git_repo) -> None:
    text = "int h(int n) {\n  int *a = new int[n];\n  int *b = new int;\n  if (n) return 1;\n" \
           "  delete b;\n  delete[] a;\n  return 0;\n}\n"
    arr = finding("resource-leak", "x.cpp", 4, "a", expected="delete[]", kind="new[]", span=(1, 8))
    one = finding("resource-leak", "x.cpp", 4, "b", expected="delete", kind="new", span=(1, 8))
    assert "+    delete[] a;" in (suggest_fix(arr, text, "x.cpp") or "")
    assert "+    delete b;" in (suggest_fix(one, text, "x.cpp") or "")


def test_leak_no_fix_when_unsafe() -> None:
    text = src("""
        #define BAIL(x) return (x)
        int f(int n) {
            char *buf = malloc(16);
            if (n) BAIL(1);
            if (n > 2) return buf[0];
            for (;;) { return 3; }
            return 0;
        }
    """)
    span = (2, 8)
    # a macro hides the return; the return value reads the buffer; a block on the same line
    assert suggest_fix(finding("resource-leak", "m.c", 4, "buf", span=span), text, "m.c") is None
    assert suggest_fix(finding("resource-leak", "m.c", 5, "buf", span=span), text, "m.c") is None
    assert suggest_fix(finding("resource-leak", "m.c", 6, "buf", span=span), text, "m.c") is None
    # unknown variable, unknown releaser, out of range line, line in a #define
    assert suggest_fix(finding("resource-leak", "m.c", 7, "nope", span=span), text, "m.c") is None
    assert suggest_fix(finding("resource-leak", "m.c", 7, "buf", expected="", kind="trie", span=span), text,
                       "m.c") is None
    assert suggest_fix(finding("resource-leak", "m.c", 70, "buf", span=span), text, "m.c") is None
    assert suggest_fix(finding("resource-leak", "m.c", 1, "buf", span=span), text, "m.c") is None
    assert suggest_fix(finding("double-release", "m.c", 7, "buf", span=span), text, "m.c") is None


def test_leak_inside_block_comment_is_not_fixed() -> None:
    text = "int f(void) {\n  char *p = malloc(1);\n  /*\n  return 0;\n  */\n  return 1;\n}\n"
    assert suggest_fix(finding("resource-leak", "c.c", 4, "p", span=(1, 7)), text, "c.c") is None
    assert suggest_fix(finding("resource-leak", "c.c", 6, "p", span=(1, 7)), text, "c.c") is not None


@needs_dictsvc
def test_overwrite_member_uses_old_idiom(git_repo) -> None:
    text = (dictsvc_dir() / "qa_term_dict.cpp").read_text()
    f = finding("leak-on-overwrite", "qa_term_dict.cpp", 53, "_dict", expected="dm_dict_del",
                kind="dm_dict", span=(47, 56))
    out = fix_and_apply(git_repo, "qa_term_dict.cpp", text, f)
    assert "    auto old_dict = _dict;\n    _dict = fresh;\n    dm_dict_del(old_dict);\n" in out


def test_overwrite_local_inserts_release(git_repo) -> None:
    text = src("""
        #include <stdlib.h>
        void f(void) {
            char *p = malloc(4);
            p = malloc(8);
            free(p);
        }
    """)
    out = fix_and_apply(git_repo, "o.c", text, finding("leak-on-overwrite", "o.c", 4, "p", span=(2, 6)))
    assert "    free(p);\n    p = malloc(8);\n" in out
    compiles(git_repo.path / "o.c")


def test_overwrite_pointer_member_in_c(git_repo) -> None:
    text = src("""
        #include <stdlib.h>
        struct s { char *buf; };
        void f(struct s *o, int n) {
            if (n)
                o->buf = malloc(8);
        }
    """)
    f = finding("leak-on-overwrite", "p.c", 5, "o->buf", span=(3, 6))
    out = fix_and_apply(git_repo, "p.c", text, f)
    assert ("    if (n) {\n        __typeof__(o->buf) old_buf = o->buf;\n        o->buf = malloc(8);\n"
            "        free(old_buf);\n    }\n") in out
    compiles(git_repo.path / "p.c")


def test_overwrite_realloc_keeps_the_old_block_on_failure(git_repo) -> None:
    text = "#include <stdlib.h>\nvoid f(char *p) {\n  p = malloc(1);\n  p = realloc(p, 8);\n  free(p);\n}\n"
    out = fix_and_apply(git_repo, "r.c", text, finding("leak-on-overwrite", "r.c", 4, "p", span=(2, 6)))
    assert ("  __typeof__(p) grown = realloc(p, 8);\n  if (grown == NULL)\n      free(p);\n  p = grown;\n"
            "  free(p);\n") in out
    compiles(git_repo.path / "r.c")
    # not a realloc of the same pointer: `p = g(p)` may hand it back
    other = "void f(char *p) {\n  p = malloc(1);\n  p = keep(p, 8);\n}\n"
    assert suggest_fix(finding("leak-on-overwrite", "r.c", 3, "p", span=(1, 4)), other, "r.c") is None


@needs_dictsvc
def test_dictsvc_seeded_leaks_combined(git_repo) -> None:
    qa = (dictsvc_dir() / "qa_term_dict.cpp").read_text()
    qu = (dictsvc_dir() / "query_util.cpp").read_text()
    l1 = finding("resource-leak", "qa_term_dict.cpp", 73, "p_dm_pack", expected="dm_pack_del",
                 kind="dm_pack", span=(59, 80))
    l2 = finding("leak-on-overwrite", "qa_term_dict.cpp", 53, "_dict", expected="dm_dict_del",
                 kind="dm_dict", span=(47, 56))
    l3 = finding("resource-leak", "query_util.cpp", 22, "buf", span=(9, 40))
    assert all(suggest_fix(f, qa if f.loc.file == "qa_term_dict.cpp" else qu, f.loc.file) for f in (l1, l2, l3))
    patch = combined_patch({"qa_term_dict.cpp": qa, "query_util.cpp": qu}, [l1, l3, l2, l1])
    assert patch.count("+++ b/qa_term_dict.cpp") == 1
    git_repo.write("qa_term_dict.cpp", qa)
    git_repo.write("query_util.cpp", qu)
    git_repo.apply(patch)
    out = git_repo.read("qa_term_dict.cpp")
    assert out.count("dm_pack_del(p_dm_pack);") == 3  # the duplicate finding is applied once
    assert "    if (ret == 0) {\n        dm_pack_del(p_dm_pack);\n        return 0;\n" in out
    assert "            free(buf);\n            return -1;\n" in git_repo.read("query_util.cpp")


def test_combined_edits_merge_findings_on_one_statement(git_repo) -> None:
    text = "".join(f"int v{i};\n" for i in range(30))
    text += src("""
        int f(int n) {
            char *a = malloc(1);
            char *b = malloc(1);
            if (n == 1) return 1;
            if (n == 2) return 2;
            if (n == 3)
                return 3;
            free(a); free(b);
            return 0;
        }
    """)
    span = (31, 41)
    fa = [finding("resource-leak", "c.c", line, var, span=span) for line in (34, 35, 37)
          for var in ("a",)]
    also_b = finding("resource-leak", "c.c", 34, "b", span=span)  # the same `if` gets one wrap for both
    same_spot = finding("resource-leak", "c.c", 37, "b", span=span)
    patch = combined_patch({"c.c": text}, [*fa, also_b, same_spot])
    assert patch.count("@@") == 2  # one hunk: all three edits are within context of each other
    git_repo.write("c.c", text)
    git_repo.apply(patch)
    out = git_repo.read("c.c")
    assert "    if (n == 1) {\n        free(a);\n        free(b);\n        return 1;\n    }\n" in out
    assert "    if (n == 2) {\n        free(a);\n        return 2;\n    }\n" in out
    assert "    if (n == 3) {\n        free(a);\n        free(b);\n        return 3;\n    }\n" in out
    compiles(git_repo.path / "c.c")


def test_combine_far_apart_hunks_offsets(git_repo) -> None:
    body = "".join(f"    x += {i};\n" for i in range(40))
    text = ("#include <stdlib.h>\nint f(int x) {\n    char *p = malloc(1);\n    if (x) return 1;\n"
            + body + "    if (x > 9) return 2;\n    free(p);\n    return 0;\n}\n")
    a = finding("resource-leak", "far.c", 4, "p", span=(2, 48))
    b = finding("resource-leak", "far.c", 45, "p", span=(2, 48))
    patch = combined_patch({"far.c": text}, [b, a])
    assert patch.count("@@ -") == 2 and "@@ -42,7 +45,10 @@" in patch
    git_repo.write("far.c", text)
    git_repo.apply(patch)
    compiles(git_repo.path / "far.c")


def test_no_newline_at_end_and_crlf(git_repo) -> None:
    text = "int f(void) {\r\n  char *p = malloc(1);\r\n  if (p) return 1;\r\n  return 0;\r\n}"
    f = finding("resource-leak", "w.c", 3, "p", span=(1, 5))
    out = fix_and_apply(git_repo, "w.c", text, f)
    assert "  if (p) {\r\n    free(p);\r\n    return 1;\r\n  }\r\n" in out
    text2 = "void g(void) {\n  char *p = malloc(1);\n  p = malloc(2); free(p); }"
    assert suggest_fix(finding("leak-on-overwrite", "w.c", 3, "p", span=(1, 3)), text2, "w.c") is None
    text3 = "void g(void) {\n  char *p = malloc(1);\n  if (p)\n    return;"
    out3 = fix_and_apply(git_repo, "e.c", text3, finding("resource-leak", "e.c", 4, "p", span=(1, 4)))
    assert out3 == "void g(void) {\n  char *p = malloc(1);\n  if (p) {\n    free(p);\n    return;\n  }"


@pytest.mark.parametrize("name", ["dir with space/my file.c", 'q"uote.c', "<script>.c"])
def test_odd_file_names(git_repo, name: str) -> None:
    text = "int f(void) {\n  char *p = malloc(1);\n  return 0;\n}\n"
    fix_and_apply(git_repo, name, text, finding("resource-leak", name, 3, "p", span=(1, 4)))


def test_suggest_fixes_shares_one_wrap_for_findings_on_one_return(git_repo) -> None:
    text = src("""
        #include <stdio.h>
        #include <stdlib.h>
        int f(const char *path, int n) {
            char *buf = malloc(8);
            FILE *fp = fopen(path, "r");
            if (n) return 1;
            if (n > 1)
                return 2;
            fclose(fp);
            free(buf);
            return 0;
        }
    """)
    span = (3, 12)
    found = [finding("resource-leak", "s.c", 6, "buf", span=span),
             finding("resource-leak", "s.c", 6, "fp", expected="fclose", kind="FILE", span=span),
             finding("resource-leak", "s.c", 8, "fp", expected="fclose", kind="FILE", span=span),
             finding("resource-leak", "s.c", 8, "buf", span=span),
             finding("resource-leak", "s.c", 8, "buf", span=span)]
    patch = combined_patch({"s.c": text}, found)
    git_repo.write("s.c", text)
    git_repo.apply(patch)
    out = git_repo.read("s.c")
    assert ("    if (n) {\n        free(buf);\n        fclose(fp);\n        return 1;\n    }\n"
            "    if (n > 1) {\n        fclose(fp);\n        free(buf);\n        return 2;\n    }\n") in out
    compiles(git_repo.path / "s.c")
