"""Parse one compile job with libclang and lower it; never raises on bad input."""
from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Mapping

from clang.cindex import Diagnostic, Index, TranslationUnit, TranslationUnitLoadError

from analyzer import ir
from analyzer.gcpause import collector_paused

from .compdb import CompileJob, preprocessor_flags
from .deepstack import run_with_deep_stack
from .lower import ModuleLowerer, default_is_project
from .parsed import Parsed
from .sysinc import system_header_dirs, system_include_args

SEVERITY = {Diagnostic.Ignored: "note", Diagnostic.Note: "note", Diagnostic.Warning: "warning",
            Diagnostic.Error: "error", Diagnostic.Fatal: "fatal"}
# errors that change nothing for the analysis: GCC's `malloc(dealloc, idx)` is read from tokens instead
HARMLESS_ERRORS = {"'malloc' attribute takes no arguments"}
PARSE_OPTIONS = (TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD * 0
                 | TranslationUnit.PARSE_SKIP_FUNCTION_BODIES * 0
                 | TranslationUnit.PARSE_INCOMPLETE * 0
                 | 0x4000)  # CXTranslationUnit_KeepGoing: keep parsing after fatal errors (missing includes)

MAX_ERRORS_KEPT = 50

# Appended after the job's own flags. Release builds define NDEBUG, which erases assert(): keeping assertions lets
# `assert(member_ == nullptr)` and `assert(p)` refine the paths, as the developer meant them to.
ANALYSIS_FLAGS = ("-UNDEBUG",)


def _check_readable(path: str) -> str | None:
    """Why the file cannot be parsed at all, or None."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8, and libclang only opens UTF-8 paths: rename it to scan it"
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    return None


def _not_utf8(path: str, shipped: bytes | None = None) -> ir.TUDiagnostic | None:
    """A note, not a degradation: clang reads bytes (a Latin-1 comment or string loses nothing), and leakscan slices
    source text as bytes, decoding it with replacement characters only for display."""
    try:
        if shipped is None:
            with open(path, "rb") as fh:
                shipped = fh.read()
        data = shipped
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ir.TUDiagnostic(path, line, "note", f"not valid UTF-8 (byte offset {exc.start}): analyzed as bytes, "
                                                   "shown with replacement characters")
    except OSError:
        return None
    return None


# Test hooks, documented in tests/e2e/test_robust_input.py: a *worker process* asked to parse the file named by
# LEAKSCAN_TEST_ABORT_ON aborts exactly as a libclang crash would; one asked to parse the file named by
# LEAKSCAN_TEST_HANG_ON sleeps as a libclang hang would (until the per-TU timeout ends it). In-process parsing
# (-j1, the test suite's own process) ignores both, so a hook can never take down or block its caller.
ABORT_HOOK = "LEAKSCAN_TEST_ABORT_ON"
HANG_HOOK = "LEAKSCAN_TEST_HANG_ON"


def _test_hooks(job: CompileJob) -> None:
    if multiprocessing.parent_process() is None:
        return
    name = os.path.basename(job.file)
    if os.environ.get(ABORT_HOOK) == name:
        os.abort()
    if os.environ.get(HANG_HOOK) == name:
        while True:
            time.sleep(60)


def _clang_diagnostics(tu: TranslationUnit, main_file: str) -> list[ir.TUDiagnostic]:
    """Errors, capped (a file that is not C at all has thousands). A flag clang does not know is a note: the code
    parsed, and flags that mattered would show as errors of their own."""
    out: list[ir.TUDiagnostic] = []
    errors = 0
    for d in tu.diagnostics:
        if d.severity < Diagnostic.Error or d.spelling in HARMLESS_ERRORS:
            continue
        loc = d.location
        file = loc.file.name if loc.file else main_file
        if d.spelling.startswith("unknown argument"):
            out.append(ir.TUDiagnostic(file, loc.line, "note", f"libclang ignored a build flag: {d.spelling}"))
            continue
        errors += 1
        if errors <= MAX_ERRORS_KEPT:
            out.append(ir.TUDiagnostic(file, loc.line, SEVERITY.get(d.severity, "error"), d.spelling))
    if errors > MAX_ERRORS_KEPT:
        out.append(ir.TUDiagnostic(main_file, 0, "error", f"{errors - MAX_ERRORS_KEPT} more error(s)"))
    return out


def _syntax_errors(tu: TranslationUnit) -> list[tuple[str, int]]:
    return [(d.location.file.name, d.location.line) for d in tu.diagnostics
            if d.severity >= Diagnostic.Error and d.location.file is not None and d.category_name == "Parse Issue"]


def _last_value(args: tuple[str, ...], flag: str) -> str | None:
    """The value of the last `flag VALUE` in args (`--resource-dir DIR` arrives as `-resource-dir DIR`)."""
    for i in range(len(args) - 2, -1, -1):
        if args[i] == flag:
            return args[i + 1]
    return None


def parse_and_lower(job: CompileJob) -> ir.Module:
    """One TU parsed and lowered on a thread with room for deeply nested code (see deepstack)."""
    return parse_with_includes(job).module


def parse_with_includes(job: CompileJob, sources: Mapping[str, bytes] | None = None,
                        self_contained: bool = False) -> Parsed:
    """parse_and_lower, and the files the parse read. `sources` (path -> contents) stand in for files that are not
    on this machine (a cluster worker); `self_contained`: lower every project function the TU holds, also header
    functions this worker process lowered for an earlier TU (a cached or remote result must not depend on them)."""
    _test_hooks(job)
    with collector_paused():
        return run_with_deep_stack(lambda: _parse_and_lower(job, sources or {}, self_contained))


def _includes(tu: TranslationUnit, main_file: str) -> tuple[str, ...]:
    """Absolute paths (the working folder is the job's) of the main file and every file it included."""
    seen = {os.path.abspath(main_file): None}
    for inclusion in tu.get_includes():
        seen.setdefault(os.path.abspath(inclusion.include.name), None)
    return tuple(seen)


def _parse_and_lower(job: CompileJob, sources: Mapping[str, bytes], self_contained: bool) -> Parsed:
    start = time.perf_counter()
    problem = None if job.file in sources else _check_readable(job.file)
    if problem:
        return Parsed(ir.Module(job.file, diagnostics=(ir.TUDiagnostic(job.file, 0, "error", problem),),
                                failed=True))
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
        diags = [d for d in (_not_utf8(job.file, sources.get(job.file)),) if d is not None]
        unsaved = list(sources.items())
        try:
            tu = index.parse(job.file, args=args, unsaved_files=unsaved, options=PARSE_OPTIONS)
        except TranslationUnitLoadError:
            # a flag libclang refuses outright (a language, standard or target it does not know): the include
            # paths and macros alone still parse the code, less exactly
            kept = list(preprocessor_flags(job.args)) + list(system) + list(ANALYSIS_FLAGS)
            try:
                tu = index.parse(job.file, args=kept, unsaved_files=unsaved, options=PARSE_OPTIONS)
            except TranslationUnitLoadError:
                return Parsed(ir.Module(job.file, diagnostics=(ir.TUDiagnostic(job.file, 0, "error",
                                                                               "libclang could not parse this file"),),
                                        failed=True, parse_seconds=time.perf_counter() - start))
            diags.append(ir.TUDiagnostic(job.file, 0, "warning", "libclang rejected the build flags (an unknown "
                                         "language, standard or target?): parsed with the include paths and "
                                         "macros only"))
        clang_seconds = time.perf_counter() - start
        diags.extend(_clang_diagnostics(tu, job.file))
        module = ModuleLowerer(tu, is_project, _syntax_errors(tu), sources, self_contained).lower()
        includes = _includes(tu, job.file)
    finally:
        os.chdir(cwd)
    diags.extend(module.diagnostics)
    return Parsed(ir.Module(job.file, module.functions, module.decls, module.classes, tuple(diags),
                            degraded=any(d.severity != "note" for d in diags),
                            parse_seconds=time.perf_counter() - start, globals=module.globals,
                            addressed=module.addressed, pointer_targets=module.pointer_targets), includes,
                  clang_seconds)
