"""Builtin (resource) headers of libclang's own version: the version-specific headers parse with no error, gcc's
builtin headers stay out of the search list, and the resource directory is told by version (issue 16)."""
from __future__ import annotations

import os

import pytest

from analyzer.frontend.compdb import CompileJob
from analyzer.frontend.doctor import ARCH_HEADERS, builtin_probe_headers, effective_search_list, machine_arch
from analyzer.frontend.resource_dir import (
    SetupError,
    checked_override,
    choose,
    libclang,
    major,
    mismatch_warning,
    version_from_path,
    version_of,
)
from analyzer.frontend.sysinc import host_search_list, system_include_args
from analyzer.frontend.tu import parse_and_lower

VERSION_SPECIFIC = ("emmintrin.h", "immintrin.h", "x86intrin.h", "cpuid.h", "stdatomic.h", "arm_neon.h")


def test_the_chosen_resource_dir_is_libclangs_version():
    lib = libclang()
    assert lib.version.startswith("18."), lib.banner  # pinned in pyproject.toml
    assert os.path.isfile(lib.path)
    rd = choose()
    assert rd is not None, "no clang resource directory: is the clang-tidy wheel installed?"
    assert major(rd.version) == major(lib.version), rd
    assert os.path.isfile(os.path.join(rd.path, "include", "stdatomic.h"))
    assert mismatch_warning(rd, lib) is None


def headers_here() -> list[str]:
    rd = choose()
    probe = set(builtin_probe_headers(rd))
    return [h for h in VERSION_SPECIFIC if h in probe]


def test_the_probe_list_covers_this_architecture():
    here = headers_here()
    assert "stdatomic.h" in here
    assert set(ARCH_HEADERS.get(machine_arch(), ())) <= set(here)


@pytest.mark.parametrize("header", headers_here())
def test_version_specific_header_parses_cleanly(tmp_path, header):
    src = tmp_path / "uses_header.c"
    src.write_text(f"#include <{header}>\nint f(void) {{ return 0; }}\n")
    module = parse_and_lower(CompileJob(str(src), ("-x", "c", "-std=gnu11"), str(tmp_path)))
    assert module.diagnostics == ()
    assert not module.degraded and not module.failed
    assert [fn.name for fn in module.functions] == ["f"]


@pytest.mark.skipif(machine_arch() != "x86", reason="x86 intrinsics")
def test_intrinsics_in_cxx_with_the_standard_library(tmp_path):
    src = tmp_path / "simd.cpp"
    src.write_text("#include <vector>\n#include <atomic>\n#include <immintrin.h>\n"
                   "int sum(const std::vector<int> &v) {\n"
                   "    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(v.data()));\n"
                   "    return _mm_cvtsi128_si32(a);\n}\n")
    module = parse_and_lower(CompileJob(str(src), ("-x", "c++", "-std=c++17"), str(tmp_path)))
    assert module.diagnostics == ()
    assert [fn.name for fn in module.functions] == ["sum"]


@pytest.mark.parametrize("lang", ["c", "c++"])
def test_search_list_has_clangs_builtin_headers_in_place_of_the_host_compilers(lang):
    host = host_search_list(lang)
    if not host.compiler:
        pytest.skip("no host compiler answered")
    searched = effective_search_list(lang, None)
    builtin = os.path.join(choose().path, "include")
    assert builtin in searched
    assert not set(host.dropped) & set(searched), "the host compiler's builtin headers must stay out"
    assert searched == [*host.before, builtin, *host.after]  # the host's order, builtin folder swapped


def test_a_job_with_nostdinc_gets_the_builtin_headers_only():
    assert system_include_args("c", None, True) == ("-resource-dir", choose().path)


@pytest.mark.parametrize("path, version", [
    ("/usr/lib/llvm-14/lib/clang/14.0.6", "14.0.6"), ("/usr/lib/llvm-18/lib/clang/18", "18"),
    ("/opt/zig/lib/include/..", ""), ("/tmp/headers", ""),
])
def test_version_from_path(path, version):
    assert version_from_path(path) == version


def test_wheel_version_is_the_release(tmp_path):
    rd = choose()
    (tmp_path / "link").symlink_to(rd.path)
    assert version_of(str(tmp_path / "link")) == rd.version  # the same folder under another name


def test_override_checks(tmp_path):
    with pytest.raises(SetupError, match="no such directory"):
        checked_override(str(tmp_path / "missing"))
    with pytest.raises(SetupError, match="not a clang resource directory"):
        checked_override(str(tmp_path))
    rd = choose()
    assert checked_override(os.path.join(rd.path, "include")) == rd.path  # its include/ means the folder itself
