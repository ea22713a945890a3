"""The include search list libclang gets: the host compiler's, with clang's own builtin headers in place of the
host compiler's (gcc's intrinsics and stddef.h use gcc-only builtins; another clang's do not match libclang)."""
from __future__ import annotations

import functools
import itertools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from .resource_dir import choose

# gcc's private headers (<libdir>/gcc/<triple>/<version>/include and include-fixed) and any clang's resource
# include/: recognised by shape when the compiler cannot be asked
_BUILTIN_SHAPE = re.compile(r"/gcc(-cross)?/[^/]+/[^/]+/include(-fixed)?$|/clang/[0-9][0-9.]*/include$")


def _run(argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(argv, input=stdin or "", capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None


def _search_list(compiler: str, lang: str) -> list[str]:
    if not shutil.which(compiler):
        return []
    proc = _run([compiler, "-E", "-x", lang, "-", "-v"])
    if proc is None:
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


def _builtin_dirs(compiler: str) -> set[str]:
    """The compiler's own builtin header folders, as it names them (gcc: include, include-fixed; clang: its
    resource include/)."""
    out = set()
    for name in ("include", "include-fixed"):
        proc = _run([compiler, f"-print-file-name={name}"])
        path = proc.stdout.strip() if proc and proc.returncode == 0 else ""
        if os.path.isabs(path) and os.path.isdir(path):
            out.add(os.path.normpath(os.path.realpath(path)))
    return out


@dataclass(frozen=True, slots=True)
class HostSearchList:
    compiler: str
    before: tuple[str, ...]  # searched before the builtin headers (C++ standard library)
    after: tuple[str, ...]  # searched after them (/usr/local/include, /usr/include...)
    dropped: tuple[str, ...]  # the host compiler's builtin header folders, replaced by clang's


@functools.cache
def host_search_list(lang: str) -> HostSearchList:
    """The host compiler's `#include <...>` search list for C ('c') or C++ ('c++'), split around its builtin
    headers. Empty when no compiler answers."""
    compiler = os.environ.get("CXX", "c++") if lang == "c++" else os.environ.get("CC", "cc")
    dirs = _search_list(compiler, lang)
    if not dirs:
        compiler = "g++" if lang == "c++" else "gcc"
        dirs = _search_list(compiler, lang)
    named = _builtin_dirs(compiler) if dirs else set()
    is_builtin = [os.path.realpath(d) in named or bool(_BUILTIN_SHAPE.search(d)) for d in dirs]
    dropped = [d for d, b in zip(dirs, is_builtin, strict=True) if b]
    if dropped:
        first = is_builtin.index(True)
        before = dirs[:first]
        after = [d for d, b in zip(dirs[first:], is_builtin[first:], strict=True) if not b]
    else:  # no builtin folder to split at: the C++ library first (its #include_next <stdlib.h> looks further down)
        before = [d for d in dirs if "/c++" in d]
        after = [d for d in dirs if "/c++" not in d]
    return HostSearchList(compiler if dirs else "", tuple(before), tuple(after), tuple(dropped))


@functools.cache
def system_include_args(lang: str, resource_dir: str | None = None, nostdinc: bool = False) -> tuple[str, ...]:
    """Flags for libclang: `-resource-dir` (clang's builtin headers of libclang's version, or `resource_dir`),
    then the host compiler's search list in its own order with the builtin folder swapped. The driver's own
    guesses are turned off (-nostdlibinc) only when the host's list replaces them. `nostdinc`: the job has its
    own -nostdinc (kernels, firmware): it gets the builtin headers only."""
    chosen = choose(resource_dir)
    args: list[str] = ["-resource-dir", chosen.path] if chosen else []
    host = host_search_list(lang)
    if nostdinc or not (host.before or host.after):
        return tuple(args)
    args.append("-nostdlibinc")
    for d in host.before:
        args += ["-isystem", d]
    for d in host.after:
        args += ["-idirafter", d]
    return tuple(args)


def system_header_dirs(args: tuple[str, ...]) -> tuple[str, ...]:
    """The folders named by system_include_args(): their headers are never project code, wherever they live (an
    override resource directory under the user's home is still clang's)."""
    dirs = []
    for flag, value in itertools.pairwise(args):
        if flag == "-resource-dir":
            dirs.append(os.path.join(value, "include"))
        elif flag in ("-isystem", "-idirafter"):
            dirs.append(value)
    return tuple(dirs)
