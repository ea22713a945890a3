"""Fixes a person would write, through the real pipeline: each snippet is scanned, its fixes are checked with the
compiler (the TU's compile command), the combined patch is applied to a copy that must compile and re-scan without the
fixed finding and without any new one. Decoys: a fix that would not compile, and a release on another path that would
make an added release a double one, get no fix."""
from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from analyzer.fixcheck import FixChecker
from analyzer.fixes import attach_fixes
from analyzer.phase1 import collect_jobs
from analyzer.pipeline import Options, run
from analyzer.sourcetext import read_source, split_lines
from reports.patch import apply_edits

needs_cc = pytest.mark.skipif(not (shutil.which("gcc") and shutil.which("g++")), reason="gcc/g++ not installed")


def _scan(folder: Path, check: bool = True):
    options = Options(paths=(str(folder),), jobs=1)
    result = run(options)
    jobs = collect_jobs(options.paths, None, ())
    return attach_fixes(result, read_source, FixChecker(jobs).compiles if check else None)


def fixed(tmp_path: Path, files: dict[str, str]) -> tuple[dict[str, str], list]:
    """(patched files, findings before) after applying the combined patch; asserts it compiles and re-scans clean."""
    src = tmp_path / "src"
    for name, text in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(textwrap.dedent(text).lstrip("\n"))
    before = _scan(src)
    assert before.findings, "the snippet must have findings"
    copy = tmp_path / "patched"
    shutil.copytree(src, copy)
    by_file: dict[str, list] = {}
    for e in before.patch:
        by_file.setdefault(e.file, []).append(e)
    for path, edits in by_file.items():
        target = copy / Path(path).relative_to(src)
        target.write_text("".join(apply_edits(split_lines(target.read_text()), edits)))
    for f in copy.iterdir():
        if f.suffix in (".c", ".cpp"):
            compiler = "g++" if f.suffix == ".cpp" else "gcc"
            proc = subprocess.run([compiler, "-fsyntax-only", "-I", str(copy), str(f)], capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr
    after = _scan(copy)
    still = {(f.rule_id, f.function, f.var) for f in after.findings}
    gone = {(f.rule_id, f.function, f.var) for f in before.findings if f.fix is not None}
    assert not (still & gone), f"fixed findings still reported: {still & gone}"
    assert still <= {(f.rule_id, f.function, f.var) for f in before.findings}, "the patch made new findings"
    return {p.name: p.read_text() for p in copy.iterdir()}, list(before.findings)


@needs_cc
def test_early_return_nested_in_a_loop(tmp_path):
    out, findings = fixed(tmp_path, {"a.c": """
        #include <stdlib.h>
        int sum(const int *v, int n) {
            int *copy = malloc(sizeof(int) * n);
            if (!copy)
                return -1;
            int total = 0;
            for (int i = 0; i < n; i++) {
                if (v[i] < 0) {
                    if (v[i] == -1)
                        return -2;
                }
                copy[i] = v[i];
                total += copy[i];
            }
            free(copy);
            return total;
        }
    """})
    assert [f.fix is not None for f in findings] == [True]
    assert ("            if (v[i] == -1) {\n                free(copy);\n                return -2;\n            }\n"
            in out["a.c"])


@needs_cc
def test_goto_cleanup_instead_of_a_free(tmp_path):
    out, findings = fixed(tmp_path, {"a.c": """
        #include <stdio.h>
        #include <stdlib.h>
        int load(const char *path) {
            int ret = -1;
            char *buf = NULL;
            FILE *f = fopen(path, "r");
            if (!f)
                return -1;
            buf = malloc(64);
            if (!buf)
                goto out;
            if (fgets(buf, 64, f) == NULL)
                return -3;
            ret = 0;
        out:
            free(buf);
            fclose(f);
            return ret;
        }
    """})
    assert len(findings) == 2 and all(f.fix is not None for f in findings)
    assert "    if (fgets(buf, 64, f) == NULL) {\n        ret = -3;\n        goto out;\n    }\n" in out["a.c"]
    assert out["a.c"].count("free(buf);") == 1 and out["a.c"].count("fclose(f);") == 1


@needs_cc
def test_goto_not_taken_past_an_unguarded_release_of_something_not_yet_acquired(tmp_path):
    out, findings = fixed(tmp_path, {"a.c": """
        #include <stdio.h>
        #include <stdlib.h>
        int load(const char *path, int n) {
            int ret = -1;
            FILE *f = NULL;
            char *buf = malloc(64);
            if (!buf)
                return -1;
            if (n > 3)
                return -2;
            f = fopen(path, "r");
            if (!f)
                goto out;
            ret = fgetc(f);
            fclose(f);
        out:
            free(buf);
            return ret;
        }
    """})
    # `goto out` from `return -2` would be right here (out: only frees buf), and is what is suggested
    assert "        ret = -2;\n        goto out;\n" in out["a.c"]
    assert [f.var for f in findings] == ["buf"]


@needs_cc
def test_overwrite_in_a_loop_and_realloc(tmp_path):
    out, _ = fixed(tmp_path, {"a.c": """
        #include <stdlib.h>
        #include <string.h>
        char *last(char **lines, int n) {
            char *copy = NULL;
            for (int i = 0; i < n; i++) {
                copy = strdup(lines[i]);
                if (!copy)
                    return NULL;
            }
            return copy;
        }
        char *grow(size_t n) {
            char *buf = malloc(n);
            if (!buf)
                return NULL;
            buf = realloc(buf, 2 * n);
            return buf;
        }
    """})
    assert "        free(copy);\n        copy = strdup(lines[i]);\n" in out["a.c"]
    assert ("    __typeof__(buf) grown = realloc(buf, 2 * n);\n    if (grown == NULL)\n        free(buf);\n"
            "    buf = grown;\n") in out["a.c"]


@needs_cc
def test_member_released_in_the_existing_destructor(tmp_path):
    out, findings = fixed(tmp_path, {"index.cpp": """
        #include <cstring>
        class Index {
        public:
            Index() : names_(nullptr), table_(nullptr) {}
            ~Index()
            {
                delete[] names_;
            }
            void load(const char *path)
            {
                delete[] names_;
                names_ = new char[std::strlen(path) + 1];
                std::strcpy(names_, path);
            }
            void build(int n)
            {
                delete[] table_;
                table_ = new int[n];
                table_[0] = n;
            }
        private:
            char *names_;
            int *table_;
        };
        int main() { Index idx; idx.load("x"); idx.build(4); return 0; }
    """})
    assert [(f.rule_id, f.fix is not None) for f in findings] == [("member-not-released", True)]
    assert "        delete[] names_;\n        delete[] table_;\n    }\n" in out["index.cpp"]


@needs_cc
def test_destructor_created_with_copying_deleted(tmp_path):
    out, findings = fixed(tmp_path, {"buf.cpp": """
        #include <cstring>
        class Buffer {
        public:
            Buffer() : data_(nullptr) {}
            void fill(const char *s)
            {
                delete[] data_;
                data_ = new char[std::strlen(s) + 1];
                std::strcpy(data_, s);
            }
        private:
            char *data_;
        };
        int main() { Buffer b; b.fill("x"); return 0; }
    """})
    assert [(f.rule_id, f.fix is not None) for f in findings] == [("member-not-released", True)]
    assert ("public:\n    ~Buffer()\n    {\n        delete[] data_;\n    }\n    Buffer(const Buffer &) = delete;\n"
            "    Buffer &operator=(const Buffer &) = delete;\n};\n") in out["buf.cpp"]


@needs_cc
def test_copied_class_gets_no_destructor_that_would_free_twice(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "buf.cpp").write_text(textwrap.dedent("""
        #include <cstring>
        class Buffer {
        public:
            Buffer() : data_(nullptr) {}
            void fill(const char *s)
            {
                delete[] data_;
                data_ = new char[std::strlen(s) + 1];
                std::strcpy(data_, s);
            }
        private:
            char *data_;
        };
        int main() { Buffer b; b.fill("x"); Buffer c = b; (void)c; return 0; }
    """).lstrip())
    result = _scan(src)
    assert [(f.rule_id, f.fix) for f in result.findings] == [("member-not-released", None)]
    assert _scan(src, check=False).findings[0].fix is not None  # only the compiler check keeps it out


@needs_cc
def test_double_release_removed_or_nulled(tmp_path):
    out, findings = fixed(tmp_path, {"d.c": """
        #include <stdlib.h>
        void once(void) {
            char *p = malloc(4);
            if (!p)
                return;
            p[0] = 0;
            free(p);
            p[1] = 0 == 0;
            free(p);
        }
        void maybe(int n) {
            char *q = malloc(4);
            if (!q)
                return;
            if (n)
                free(q);
            free(q);
        }
    """})
    rules = sorted((f.function, f.rule_id, f.fix is not None) for f in findings if f.rule_id == "double-release")
    assert rules == [("maybe", "double-release", True), ("once", "double-release", True)]
    assert "    free(p);\n    p[1] = 0 == 0;\n}\n" in out["d.c"]
    assert "    if (n) {\n        free(q);\n        q = NULL;\n    }\n    free(q);\n" in out["d.c"]


@needs_cc
def test_mismatched_release_swapped(tmp_path):
    out, findings = fixed(tmp_path, {"m.cpp": """
        #include <cstdlib>
        int main(int argc, char **)
        {
            int *a = new int[4];
            char *s = static_cast<char *>(std::malloc(4));
            a[0] = argc;
            s[0] = 0;
            delete a;
            delete s;
            return 0;
        }
    """})
    assert sorted((f.var, f.rule_id, f.fix is not None) for f in findings) == [
        ("a", "mismatched-release", True), ("s", "mismatched-release", True)]
    assert "    delete[] a;\n    free(s);\n" in out["m.cpp"]


@needs_cc
def test_resource_from_an_out_parameter(tmp_path):
    out, _ = fixed(tmp_path, {"o.c": """
        #include <stdlib.h>
        int make(char **out) { *out = malloc(8); return *out ? 0 : -1; }
        int use(int n) {
            char *p;
            if (make(&p) != 0)
                return -1;
            if (n)
                return 1;
            free(p);
            return 0;
        }
    """})
    assert "    if (n) {\n        free(p);\n        return 1;\n    }\n" in out["o.c"]


@needs_cc
def test_no_fix_that_does_not_compile(tmp_path):
    src = tmp_path / "src"
    for name, text in {
        "thing.h": "struct thing;\nstruct thing *thing_new(void);\n",
        "thing_free.h": "struct thing;\nvoid thing_free(struct thing *t);\n",
        "thing.cpp": """
            #include <cstdlib>
            #include "thing.h"
            #include "thing_free.h"
            struct thing { int n; };
            struct thing *thing_new(void) { return static_cast<thing *>(std::calloc(1, sizeof(thing))); }
            void thing_free(struct thing *t) { std::free(t); }
        """,
        "use.cpp": """
            #include "thing.h"
            int use(int n)
            {
                struct thing *t = thing_new();
                if (!t)
                    return -1;
                return n;
            }
        """}.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(textwrap.dedent(text).lstrip("\n"))
    unchecked = _scan(src, check=False)
    (leak,) = [f for f in unchecked.findings if f.function == "use"]
    assert leak.fix is not None  # `thing_free(t);`: not declared in use.cpp
    checked = _scan(src)
    assert [f.fix for f in checked.findings if f.function == "use"] == [None]


@needs_cc
def test_no_release_added_where_another_path_released_it(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "c.c").write_text(textwrap.dedent("""
        #include <stdio.h>
        int peek(const char *path, int owned) {
            FILE *f = fopen(path, "r");
            if (!f)
                return -1;
            if (owned)
                fclose(f);
            return 0;
        }
    """).lstrip())
    result = _scan(src)
    assert [(f.rule_id, f.fix) for f in result.findings] == [("resource-leak", None)]  # fclose(NULL) is no no-op
