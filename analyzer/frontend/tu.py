"""Parse one compile job with libclang and lower it; never raises on bad input."""
from __future__ import annotations

import multiprocessing
import os
import time

from clang.cindex import Diagnostic, Index, TranslationUnit, TranslationUnitLoadError

from analyzer import ir

from .compdb import CompileJob
from .lower import ModuleLowerer, default_is_project
from .sysinc import system_header_dirs, system_include_args

SEVERITY = {Diagnostic.Ignored: "note", Diagnostic.Note: "note", Diagnostic.Warning: "warning",
            Diagnostic.Error: "error", Diagnostic.Fatal: "fatal"}
# errors that change nothing for the analysis: GCC's `malloc(dealloc, idx)` is read from tokens instead
HARMLESS_ERRORS = {"'malloc' attribute takes no arguments"}
PARSE_OPTIONS = (TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD * 0
                 | TranslationUnit.PARSE_SKIP_FUNCTION_BODIES * 0
                 | TranslationUnit.PARSE_INCOMPLETE * 0
                 | 0x4000)  # CXTranslationUnit_KeepGoing: keep parsing after fatal errors (missing includes)

# Appended after the job's own flags. Release builds define NDEBUG, which erases assert(): keeping assertions lets
# `assert(member_ == nullptr)` and `assert(p)` refine the paths, as the developer meant them to.
ANALYSIS_FLAGS = ("-UNDEBUG",)


def _check_readable(path: str) -> str | None:
    """Why the file cannot be parsed at all, or None. Source that is not UTF-8 (Latin-1 comments in older code)
    is fine: clang reads bytes, and snippets are decoded with replacement characters."""
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    return None


def _not_utf8(path: str) -> ir.TUDiagnostic | None:
    """Bad input worth saying, though the file is still analyzed (clang reads bytes)."""
    try:
        data = open(path, "rb").read()
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ir.TUDiagnostic(path, line, "warning",
                               f"not valid UTF-8 (byte offset {exc.start}); analyzed as bytes")
    except OSError:
        return None
    return None


# Test hook, documented in tests/e2e/test_robust_input.py: a *worker process* asked to parse the file named by
# LEAKSCAN_TEST_ABORT_ON aborts exactly as a libclang crash would. In-process parsing (-j1, the test suite's own
# process) ignores it, so the hook can never take down its caller.
ABORT_HOOK = "LEAKSCAN_TEST_ABORT_ON"


def _last_value(args: tuple[str, ...], flag: str) -> str | None:
    """The value of the last `flag VALUE` in args (`--resource-dir DIR` arrives as `-resource-dir DIR`)."""
    for i in range(len(args) - 2, -1, -1):
        if args[i] == flag:
            return args[i + 1]
    return None


def parse_and_lower(job: CompileJob) -> ir.Module:
    target = os.environ.get(ABORT_HOOK)
    if target and os.path.basename(job.file) == target and multiprocessing.parent_process() is not None:
        os.abort()
    start = time.perf_counter()
    problem = _check_readable(job.file)
    if problem:
        return ir.Module(job.file, diagnostics=(ir.TUDiagnostic(job.file, 0, "error", problem),), failed=True)
    lang = "c++" if job.is_cxx else "c"
    system = system_include_args(lang, _last_value(job.args, "-resource-dir"), "-nostdinc" in job.args)
    args = list(job.args) + list(system) + list(ANALYSIS_FLAGS)
    system_dirs = tuple(os.path.join(d, "") for d in system_header_dirs(system))

    def is_project(path: str) -> bool:
        return default_is_project(path) and not path.startswith(system_dirs)
    cwd = os.getcwd()
    try:
        if job.directory and os.path.isdir(job.directory):
            os.chdir(job.directory)
        index = Index.create()
        try:
            tu = index.parse(job.file, args=args, options=PARSE_OPTIONS)
        except TranslationUnitLoadError:
            return ir.Module(job.file, diagnostics=(ir.TUDiagnostic(job.file, 0, "error",
                                                                    "libclang could not parse this file"),),
                             failed=True, parse_seconds=time.perf_counter() - start)
        diags = [d for d in (_not_utf8(job.file),) if d is not None]
        for d in tu.diagnostics:
            if d.severity < Diagnostic.Error or d.spelling in HARMLESS_ERRORS:
                continue
            loc = d.location
            diags.append(ir.TUDiagnostic(loc.file.name if loc.file else job.file, loc.line,
                                         SEVERITY.get(d.severity, "error"), d.spelling))
        module = ModuleLowerer(tu, is_project).lower()
    finally:
        os.chdir(cwd)
    return ir.Module(job.file, module.functions, module.decls, module.classes, tuple(diags),
                     degraded=bool(diags), parse_seconds=time.perf_counter() - start, globals=module.globals,
                     addressed=module.addressed)
