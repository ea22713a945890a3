"""Discover the host compiler's system include directories (libclang's wheel ships no builtin headers)."""
from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess


def _search_list(compiler: str, lang: str) -> list[str]:
    if not shutil.which(compiler):
        return []
    try:
        proc = subprocess.run([compiler, "-E", "-x", lang, "-", "-v"], input="", capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    dirs, inside = [], False
    for line in proc.stderr.splitlines():
        if line.startswith("#include <...> search starts here"):
            inside = True
        elif line.startswith("End of search list"):
            break
        elif inside:
            path = line.strip().removesuffix(" (framework directory)")
            if os.path.isdir(path):
                dirs.append(os.path.normpath(path))
    return dirs


def _clang_resource_include() -> list[str]:
    """A clang resource dir's include/ (stddef.h, stdarg.h...), preferred over gcc's builtin headers."""
    candidates = sorted(glob.glob("/usr/lib/llvm-*/lib/clang/*/include"), reverse=True)
    candidates += sorted(glob.glob("/usr/lib/clang/*/include"), reverse=True)
    return [c for c in candidates if os.path.isfile(os.path.join(c, "stddef.h"))][:1]


@functools.cache
def system_include_args(lang: str) -> tuple[str, ...]:
    """`-isystem` flags for C ('c') or C++ ('c++'), discovered once per run."""
    compiler = os.environ.get("CXX", "c++") if lang == "c++" else os.environ.get("CC", "cc")
    dirs = _search_list(compiler, lang) or _search_list("gcc" if lang == "c" else "g++", lang)
    resource = _clang_resource_include()
    if resource:
        # clang's own builtin headers must win over gcc's (they understand clang's builtins).
        dirs = resource + [d for d in dirs if "/gcc/" not in d or "/c++/" in d]
    args: list[str] = []
    for d in dirs:
        args += ["-isystem", d]
    return tuple(args)
