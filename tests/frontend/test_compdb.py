"""Compile database and plain-path jobs: both entry forms, relative directories, flag hygiene, errors."""
from __future__ import annotations

import json
import os

import pytest

from analyzer.frontend.compdb import (
    CompileDbError,
    clean_flags,
    find_compile_commands,
    jobs_from_paths,
    load_compile_commands,
)


def write_db(tmp_path, entries, name="compile_commands.json"):
    path = tmp_path / name
    path.write_text(json.dumps(entries) if not isinstance(entries, str) else entries)
    return str(path)


def test_command_and_arguments_forms(tmp_path):
    (tmp_path / "src").mkdir()
    db = write_db(tmp_path, [
        {"directory": str(tmp_path), "file": "src/a.c",
         "command": "cc -Iinclude -DX=1 -c src/a.c -o build/a.o -MD -MF build/a.d -O2"},
        {"directory": str(tmp_path), "file": str(tmp_path / "src/b.cpp"),
         "arguments": ["c++", "-std=c++17", "-isystem", "third", "-c", "-o", "b.o", str(tmp_path / "src/b.cpp")]},
    ])
    a, b = load_compile_commands(db)
    assert a.file == str(tmp_path / "src/a.c")
    assert a.args == (f"-I{tmp_path}/include", "-DX=1", "-O2")
    assert not a.is_cxx
    assert b.file == str(tmp_path / "src/b.cpp")
    assert b.args == ("-std=c++17", "-isystem", f"{tmp_path}/third")
    assert b.is_cxx


def test_relative_directory_is_relative_to_the_database(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    db = write_db(build, [{"directory": "..", "file": "x.c", "command": "gcc -I. -c x.c"}])
    (job,) = load_compile_commands(db)
    assert job.directory == str(tmp_path)
    assert job.file == str(tmp_path / "x.c")
    assert job.args == (f"-I{tmp_path}",)


@pytest.mark.parametrize("flags, kept", [
    (["-c", "-o", "x.o", "-O2"], ["-O2"]),
    (["-ox.o", "-Wall"], ["-Wall"]),
    (["-MD", "-MF", "x.d", "-MT", "x.o", "-MQ", "y", "-MFx.d", "-MMD", "-MP"], []),
    (["-Wl,--as-needed", "-flto=auto", "-fsanitize=address", "-Werror", "-Werror=format"], []),
    (["-march=native", "-save-temps", "-pipe", "-DNDEBUG"], ["-DNDEBUG"]),
    (["-Xclang", "-load", "-I", "inc"], ["-I", "inc"]),
])
def test_flag_hygiene(flags, kept):
    assert clean_flags(flags) == kept


def test_each_distinct_configuration_of_a_file_is_kept_once_and_headers_are_skipped(tmp_path, caplog):
    db = write_db(tmp_path, [
        {"directory": str(tmp_path), "file": "a.c", "command": "cc -DFIRST -O2 -g -c a.c -o a.o"},
        {"directory": str(tmp_path), "file": "a.c", "command": "cc -DSECOND -c a.c -o a2.o"},
        # same as the first but for code generation, warnings and NDEBUG: the parser sees the same thing
        {"directory": str(tmp_path), "file": "a.c", "command": "cc -DFIRST -O0 -fPIC -Wall -DNDEBUG -c a.c -o a.lo"},
        {"directory": str(tmp_path), "file": "a.h", "command": "cc -c a.h"},
    ])
    with caplog.at_level("INFO", logger="analyzer.frontend.compdb"):
        first, second = load_compile_commands(db)
    assert first.args == ("-DFIRST", "-O2", "-g")
    assert second.args == ("-DSECOND",)
    assert [r.getMessage() for r in caplog.records] == [
        f"{db}: 1 more entry for {tmp_path}/a.c with the same configuration (flags differ only in optimisation, "
        "debug, code-generation or warning options): scanned once"]


def test_database_resource_dir_is_dropped(tmp_path):
    """The build compiler's -resource-dir names its own builtin headers, not those of libclang's version."""
    db = write_db(tmp_path, [{"directory": str(tmp_path), "file": "a.c",
                              "command": "clang-14 -resource-dir /usr/lib/llvm-14/lib/clang/14.0.6 -DX -c a.c "
                                         "-resource-dir=/usr/lib/clang/14"}])
    (job,) = load_compile_commands(db)
    assert job.args == ("-DX",)


@pytest.mark.parametrize("content, words", [
    ("{not json", ["invalid JSON", "line 1"]),
    ('{"directory": "."}', ["JSON array"]),
    ('[{"file": "a.c", "command": "cc a.c"}]', ["entry 0", "directory"]),
    ('[{"directory": ".", "command": "cc a.c"}]', ["entry 0", "file"]),
    ('[{"directory": ".", "file": "a.c"}]', ["entry 0", "arguments", "command"]),
    ('[{"directory": ".", "file": "a.c", "command": "cc \\"unterminated"}]', ["entry 0", "split"]),
    ('[42]', ["entry 0"]),
])
def test_broken_database_names_the_file(tmp_path, content, words):
    db = write_db(tmp_path, content)
    with pytest.raises(CompileDbError) as info:
        load_compile_commands(db)
    assert info.value.path == db
    for w in words:
        assert w in str(info.value)


def test_missing_database(tmp_path):
    with pytest.raises(CompileDbError, match="no such file"):
        load_compile_commands(str(tmp_path / "nope.json"))
    with pytest.raises(CompileDbError, match=r"no compile_commands\.json"):
        find_compile_commands(str(tmp_path))


def test_plain_paths_default_flags(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib/a.c").write_text("int a;\n")
    (tmp_path / "lib/b.cc").write_text("int b;\n")
    (tmp_path / "lib/skip.h").write_text("int h;\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden/c.c").write_text("int c;\n")
    jobs, missing = jobs_from_paths([str(tmp_path), str(tmp_path / "nope.c")], ["-DEXTRA"])
    assert missing == [str(tmp_path / "nope.c")]
    by_name = {os.path.basename(j.file): j for j in jobs}
    assert set(by_name) == {"a.c", "b.cc"}
    assert by_name["a.c"].args[:3] == ("-x", "c", "-std=gnu17")
    assert by_name["b.cc"].args[:3] == ("-x", "c++", "-std=gnu++17")
    assert f"-I{tmp_path}" in by_name["a.c"].args and by_name["a.c"].args[-1] == "-DEXTRA"
