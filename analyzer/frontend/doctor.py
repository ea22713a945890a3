"""`leakscan doctor`: which libclang, which builtin headers, which include search list, and whether they fit."""
from __future__ import annotations

import os
import platform
import sys
import tempfile
from dataclasses import dataclass

from clang.cindex import Index, TranslationUnit

from .compdb import CompileJob
from .resource_dir import ResourceDir, candidates, choose, libclang, major, matches, mismatch_warning
from .sysinc import host_search_list, system_include_args
from .tu import parse_and_lower

COMMON_HEADERS = ("stddef.h", "stdarg.h", "stdint.h", "limits.h", "stdatomic.h")
ARCH_HEADERS = {  # version-specific builtin headers that parse on this machine's architecture
    "x86": ("emmintrin.h", "immintrin.h", "x86intrin.h", "cpuid.h"),
    "arm": ("arm_neon.h",),
}


def machine_arch() -> str:
    m = platform.machine().lower()
    if m in ("x86_64", "amd64", "i386", "i686"):
        return "x86"
    if m.startswith(("aarch64", "arm")):
        return "arm"
    return ""


def builtin_probe_headers(rd: ResourceDir | None) -> tuple[str, ...]:
    """The builtin headers worth a test parse here: those the resource directory has, for this architecture."""
    names = COMMON_HEADERS + ARCH_HEADERS.get(machine_arch(), ())
    if rd is None:
        return names
    return tuple(n for n in names if os.path.isfile(os.path.join(rd.path, "include", n)))


@dataclass(frozen=True, slots=True)
class Probe:
    headers: tuple[str, ...]
    errors: tuple[str, ...]  # "file:line: message", empty when all parse cleanly
    seconds: float


def probe_headers(headers: tuple[str, ...], resource_dir: str | None) -> Probe:
    """Parse a C file including each header through the scan's own front end."""
    extra = ("-resource-dir", resource_dir) if resource_dir else ()
    with tempfile.TemporaryDirectory(prefix="leakscan-doctor-") as tmp:
        path = os.path.join(tmp, "probe.c")
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(f"#include <{h}>\n" for h in headers)
        module = parse_and_lower(CompileJob(path, ("-x", "c", "-std=gnu11", *extra), tmp))
    errors = tuple(f"{d.file}:{d.line}: {d.message}" for d in module.diagnostics)
    return Probe(headers, errors, module.parse_seconds)


def effective_search_list(lang: str, resource_dir: str | None) -> list[str]:
    """The `#include <...>` list libclang really searches, as its -v output prints it (to file descriptor 2)."""
    args = ["-x", lang, "-v", *system_include_args(lang, resource_dir)]
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            Index.create().parse("doctor-probe", args=args, unsaved_files=[("doctor-probe", "")],
                                 options=TranslationUnit.PARSE_INCOMPLETE)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        text = capture.read().decode("utf-8", "replace")
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("#include <...> search starts here"):
            inside = True
        elif line.startswith("End of search list"):
            break
        elif inside:
            lines.append(os.path.normpath(line.strip()))
    return lines


def doctor_report(resource_dir: str | None = None) -> tuple[str, bool]:
    """The report's text and whether everything fits. Raises SetupError for a bad `resource_dir`."""
    lib = libclang()
    rd = choose(resource_dir)
    out = [f"libclang:      {lib.version}  {lib.path}  ({lib.banner})"]
    if rd is None:
        out.append("resource dir:  none found")
    else:
        out.append(f"resource dir:  {rd.path}  version {rd.version or 'unknown'}  ({rd.origin})")
    warning = mismatch_warning(rd, lib)
    if warning:
        out.append(f"match:         NO: {warning}")
    elif rd and rd.version == lib.version:
        out.append(f"match:         yes, same release {lib.version}")
    else:
        out.append(f"match:         yes, same major version {major(lib.version)} ({rd.version if rd else ''} "
                   f"headers, libclang {lib.version})")
    others = [c for c in candidates() if rd is None or os.path.realpath(c.path) != os.path.realpath(rd.path)]
    for c in others:
        out.append(f"also found:    {c.path}  version {c.version or 'unknown'}  ({c.origin}"
                   f"{', matches' if matches(c, lib) else ''})")
    for lang, label in (("c", "C"), ("c++", "C++")):
        host = host_search_list(lang)
        if host.compiler:
            left_out = ", ".join(host.dropped) or "none seen"
            out.append(f"host compiler ({label}): {host.compiler}; its builtin headers left out: {left_out}")
        else:
            out.append(f"host compiler ({label}): none answered; libclang's own defaults are used")
        out.append(f"system include list ({label}), as libclang searches it:")
        out += [f"  {d}" for d in effective_search_list(lang, resource_dir)]
    probe = probe_headers(builtin_probe_headers(rd), resource_dir)
    names = " ".join(f"<{h}>" for h in probe.headers)
    if probe.errors:
        out.append(f"builtin headers: {names}: {len(probe.errors)} error(s), first: {probe.errors[0]}")
    else:
        out.append(f"builtin headers: {names}: parse cleanly ({probe.seconds:.2f}s)")
    ok = warning is None and not probe.errors
    out.append("leakscan doctor: " + ("all good" if ok else "problems found (see above)"))
    return "\n".join(out) + "\n", ok
