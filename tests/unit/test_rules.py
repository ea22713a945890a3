"""The rules loader: built-in files, user files, and malformed input named by file, line and key."""
from __future__ import annotations

import pytest

from analyzer.rules import RuleError, RuleSetBuilder, load_rules, load_rules_text


def load(text: str, path: str = "my.toml") -> RuleSetBuilder:
    rules = RuleSetBuilder()
    load_rules_text(text, path, rules, f"rules:{path}")
    return rules


def error(text: str) -> RuleError:
    with pytest.raises(RuleError) as info:
        load(text)
    return info.value


def test_builtin_files_cover_the_issue_list():
    rules = load_rules()
    for fn in ("malloc", "calloc", "realloc", "reallocarray", "strdup", "strndup", "aligned_alloc", "posix_memalign",
               "asprintf", "new", "new[]", "fopen", "fdopen", "freopen", "tmpfile", "popen", "open", "openat", "creat",
               "socket", "accept", "accept4", "dup", "epoll_create1", "eventfd", "timerfd_create", "memfd_create",
               "opendir", "fdopendir", "mmap", "dlopen", "getaddrinfo", "iconv_open"):
        assert rules.acquire_for(fn) is not None or rules.realloc_for(fn) is not None, fn
    for fn, kind in (("free", "malloc"), ("delete", "new"), ("delete[]", "new[]"), ("fclose", "FILE"),
                     ("pclose", "pipe-stream"), ("close", "fd"), ("closedir", "DIR"), ("munmap", "mmap"),
                     ("dlclose", "dlopen"), ("freeaddrinfo", "addrinfo"), ("iconv_close", "iconv")):
        assert kind in {r.kind for r in rules.releases_for(fn)}, fn
    assert rules.acquire_for("posix_memalign").out_arg == 0
    assert rules.acquire_for("getaddrinfo").out_arg == 3
    assert rules.kinds["fd"].invalid == "negative"
    assert rules.kinds["fd"].is_invalid("<", 0) is True and rules.kinds["fd"].is_invalid("==", -1) is True
    assert rules.kinds["malloc"].is_invalid("==", 0) is True and rules.kinds["malloc"].is_invalid("!=", 0) is False
    for fn in ("strlen", "memcpy", "memset", "fread", "fwrite", "fgetc", "read", "write", "printf", "strcmp"):
        assert rules.borrows_args(fn), fn
    assert rules.acquire_for("std::fopen") is not None


def test_out_arg_release_arg_and_patterns():
    rules = load("""
[[resource]]
kind = "trie"
invalid = "null"
acquire = [{ function = "trie_open", out_arg = 1 }, "trie_new"]
release = [{ function = "trie_close_with", arg = 1 }, "trie_free"]
acquire_pattern = "trie_make_[a-z]+"
release_pattern = "trie_drop_[a-z]+"

[borrow]
functions = ["trie_peek"]
""")
    assert rules.acquire_for("trie_open").out_arg == 1
    assert rules.acquire_for("trie_new").out_arg is None
    assert [(r.kind, r.arg) for r in rules.releases_for("trie_close_with")] == [("trie", 1)]
    assert rules.acquire_for("trie_make_fast").kind == "trie"
    assert rules.acquire_for("trie_make_") is None  # patterns match whole names
    assert rules.releases_for("trie_drop_all")[0].kind == "trie"
    assert rules.borrows_args("trie_peek")
    assert rules.files == ["rules:my.toml"]


def test_toml_syntax_error_names_file_and_line():
    err = error('[[resource]]\nkind = "x"\nacquire = ["a",\nrelease = ]\n')
    assert err.path == "my.toml" and err.line == 4
    assert str(err).startswith("my.toml:4: invalid TOML")


@pytest.mark.parametrize("text, line, words", [
    ('[[resource]]\nkind = "x"\nacquire = ["a"]\nrelase = ["c"]\n', 4, ["relase", "'x'"]),
    ('[[resource]]\nkind = "x"\nacquire = [{ function = "mk", out_arg = -1 }]\n', 3, ["out_arg", "mk"]),
    ('[[resource]]\nkind = "x"\nacquire = [{ function = "mk", out_arg = "one" }]\n', 3, ["out_arg"]),
    # the word 'invalid' in the description must not be mistaken for the key
    ('[[resource]]\nkind = "x"\ndescription = "an invalid handle is -1"\ninvalid = "minus"\n', 4, ["invalid"]),
    ('[[resource]]\nkind = "x"\nacquire_pattern = "([a-z"\n', 3, ["acquire_pattern", "regex"]),
    ('[[resource]]\nacquire = ["a"]\n', 1, ["kind"]),
    ('[resources]\nkind = "x"\n', 1, ["resources"]),
    ('[borrow]\nfunctions = "strlen"\n', 2, ["functions"]),
    ('[[resource]]\nkind = "x"\nacquire = [3]\n', 3, ["acquire"]),
    ('[[resource]]\nkind = "x"\nrelease = "free"\n', 3, ["release", "array"]),
    ('resource = [1, 2]\n', 1, ["resource", "array of tables"]),
    # an error in the second resource points into the second resource, not at the first 'acquire'
    ('[[resource]]\nkind = "a"\nacquire = ["a"]\n\n[[resource]]\nkind = "b"\nacquire = [{ name = "b" }]\n', 7,
     ["function"]),
    ('[[resource]]\nkind = "a"\ninvalid = "null"\n\n[[resource]]\nkind = "b"\ninvalid = "sometimes"\n', 7,
     ["invalid", "'b'"]),
])
def test_schema_errors_name_file_line_and_key(text, line, words):
    err = error(text)
    assert err.path == "my.toml"
    assert err.line == line, str(err)
    assert str(err).startswith(f"my.toml:{line}: ")
    for w in words:
        assert w in str(err)


def test_user_rules_file_errors(tmp_path):
    with pytest.raises(RuleError, match="no such rules file"):
        load_rules([str(tmp_path / "missing.toml")])
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe[[resource]]\n")
    with pytest.raises(RuleError, match=r"bad\.toml"):
        load_rules([str(bad)])


def test_user_rules_extend_the_builtins(tmp_path):
    user = tmp_path / "trie.toml"
    user.write_text('[[resource]]\nkind = "trie"\nacquire = ["trie_new"]\nrelease = ["trie_free"]\n')
    rules = load_rules([str(user)])
    assert rules.acquire_for("trie_new").source == "rules:trie.toml"
    assert rules.acquire_for("malloc").source == "builtin:libc.toml"
    assert rules.files[-1] == "rules:trie.toml"
