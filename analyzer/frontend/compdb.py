"""Compile jobs from a compile_commands.json or from plain files and folders."""
from __future__ import annotations

import json
import logging
import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError

SOURCE_SUFFIXES = {".c", ".cc", ".cpp", ".cxx", ".c++", ".C"}
C_SUFFIXES = {".c"}

# Flags libclang must not see, with the number of following arguments to drop (scan-build's table).
IGNORED_FLAGS: dict[str, int] = {
    "-c": 0, "-o": 1, "-MD": 0, "-MMD": 0, "-MP": 0, "-M": 0, "-MM": 0, "-MF": 1, "-MT": 1, "-MQ": 1,
    "-fsyntax-only": 0, "-save-temps": 0, "-pipe": 0, "-S": 0, "-E": 0, "-v": 0, "-Werror": 0,
    "-fno-canonical-system-headers": 0, "-fstack-usage": 0, "-fconcepts": 0,
    "-fno-tree-vrp": 0, "-fno-var-tracking-assignments": 0, "-flto": 0, "-ffat-lto-objects": 0,
    "-fcallgraph-info": 0, "-Xclang": 1, "-Wl": 0, "-Xlinker": 1, "-include-pch": 1,
    "-resource-dir": 1,  # the build compiler's builtin headers: libclang gets those of its own version
}
IGNORED_PREFIXES = ("-Wl,", "-flto=", "-fdump-", "-fprofile-", "-fcf-protection", "-mabi=",
                    "-fsanitize", "-fno-sanitize", "-Werror=", "-ffile-prefix-map", "-fdebug-prefix-map",
                    "-fmacro-prefix-map", "--param", "-fplugin", "-specs=", "-march=", "-mtune=",
                    "-fstack-clash-protection", "-fno-gnu-unique", "-Wp,-D_GLIBCXX_ASSERTIONS",
                    "-resource-dir=")


# Flags that change code generation or warnings but not what the parser sees: entries of one file that differ only
# in these are one configuration. (-DNDEBUG too: the analysis undefines NDEBUG anyway, see tu.ANALYSIS_FLAGS.)
SAME_PARSE_FLAGS = {"-g", "-g0", "-g1", "-g2", "-g3", "-ggdb", "-ggdb3", "-gsplit-dwarf", "-fPIC", "-fpic", "-fPIE",
                    "-fpie", "-fno-PIC", "-fno-pic", "-fno-PIE", "-fno-pie", "-ffunction-sections",
                    "-fdata-sections", "-fomit-frame-pointer", "-fno-omit-frame-pointer", "-fno-common",
                    "-fstack-protector", "-fstack-protector-strong", "-fstack-protector-all", "-fno-stack-protector",
                    "-fcolor-diagnostics", "-fno-color-diagnostics", "-DNDEBUG", "-UNDEBUG"}
SAME_PARSE_PREFIXES = ("-gdwarf", "-gz", "-fdiagnostics-", "-fvisibility", "-fmessage-length")

_OPTIMISATION = re.compile(r"-O([0-9sgz]|fast)?")  # not -ObjC
log = logging.getLogger(__name__)


class CompileDbError(InputError):
    """A compile database that cannot be used (missing, unreadable, not JSON, malformed entries)."""

    def __init__(self, path: str, message: str):
        super().__init__(path, None, message)


@dataclass(frozen=True, slots=True)
class CompileJob:
    file: str  # absolute path of the source file
    args: tuple[str, ...]  # compiler flags for libclang (no compiler, no file, no -o/-c)
    directory: str

    @property
    def configuration(self) -> tuple[str, ...]:
        """What the parser sees: one file built twice with the same configuration is scanned once."""
        return tuple(a for a in self.args if not _same_parse(a))

    @property
    def is_cxx(self) -> bool:
        if "-x" in self.args:
            i = self.args.index("-x")
            if i + 1 < len(self.args):
                return "c++" in self.args[i + 1]
        return Path(self.file).suffix not in C_SUFFIXES


def _same_parse(arg: str) -> bool:
    return (arg in SAME_PARSE_FLAGS or arg.startswith(SAME_PARSE_PREFIXES) or bool(_OPTIMISATION.fullmatch(arg))
            or (arg.startswith("-W") and not arg.startswith("-Wp,")))


# What the preprocessor needs to find and configure the code: kept when libclang rejects a job's full flags.
_PREPROCESSOR_FLAGS = ("-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "-D", "-U", "-isysroot",
                       "--sysroot", "-resource-dir")


def preprocessor_flags(args: tuple[str, ...]) -> tuple[str, ...]:
    """The include paths, macros and forced includes of `args` (joined or separate values), nothing else."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _PREPROCESSOR_FLAGS and i + 1 < len(args):
            out += [arg, args[i + 1]]
            i += 2
            continue
        if arg.startswith(_PREPROCESSOR_FLAGS) or arg == "-nostdinc":
            out.append(arg)
        i += 1
    return tuple(out)


def clean_flags(argv: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in IGNORED_FLAGS:
            i += 1 + IGNORED_FLAGS[arg]
            continue
        joined_output = arg.startswith("-o") and len(arg) > 2 and not arg.startswith("-openmp")  # -ofile.o
        if arg.startswith(IGNORED_PREFIXES) or joined_output:
            i += 1
            continue
        if arg.startswith(("-MF", "-MT", "-MQ")):
            i += 1
            continue
        out.append(arg)
        i += 1
    return out


def _absolutize(flags: list[str], directory: str) -> list[str]:
    out: list[str] = []
    path_flags = ("-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros", "--sysroot")
    i = 0
    while i < len(flags):
        arg = flags[i]
        joined = next((p for p in path_flags if arg.startswith(p) and arg != p), None)
        if arg in path_flags and i + 1 < len(flags):
            out += [arg, os.path.normpath(os.path.join(directory, flags[i + 1]))]
            i += 2
            continue
        if joined and joined not in ("--sysroot",):
            value = arg[len(joined):].lstrip("=")
            out.append(joined + os.path.normpath(os.path.join(directory, value)))
        else:
            out.append(arg)
        i += 1
    return out


def load_compile_commands(path: str) -> list[CompileJob]:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CompileDbError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CompileDbError(path, f"cannot read: {exc}") from None
    if not raw.strip():
        raise CompileDbError(path, "empty file (expected a JSON array of compile commands)")
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CompileDbError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    except RecursionError:
        raise CompileDbError(path, "JSON nested too deeply to be a compile database") from None
    if not isinstance(entries, list):
        raise CompileDbError(path, "expected a JSON array of compile commands")
    base = os.path.dirname(os.path.abspath(path))
    jobs: dict[tuple[str, tuple[str, ...]], CompileJob] = {}
    repeats: dict[str, int] = {}
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or "file" not in entry or "directory" not in entry:
            raise CompileDbError(path, f"entry {n} lacks 'file' or 'directory'")
        argv = _entry_argv(entry, n, path)
        directory = os.path.normpath(os.path.join(base, entry["directory"]))
        file = os.path.normpath(os.path.join(directory, entry["file"]))
        if Path(file).suffix not in SOURCE_SUFFIXES:
            continue
        flags = [a for a in argv[1:] if os.path.normpath(os.path.join(directory, a)) != file]
        flags = _absolutize(clean_flags(flags), directory)
        job = CompileJob(file, tuple(flags), directory)
        if jobs.setdefault((file, job.configuration), job) is not job:
            repeats[file] = repeats.get(file, 0) + 1
    for file, n in repeats.items():
        log.info("%s: %d more entr%s for %s with the same configuration (flags differ only in optimisation, "
                 "debug, code-generation or warning options): scanned once", path, n, "y" if n == 1 else "ies", file)
    return list(jobs.values())


def _entry_argv(entry: dict, n: int, path: str) -> list[str]:
    """The compiler command line of database entry `n`, its fields checked (CompileDbError naming the entry)."""
    for key in ("file", "directory", "command"):
        if key in entry and (not isinstance(entry[key], str) or "\0" in entry[key]):
            raise CompileDbError(path, f"entry {n}: '{key}' must be a string")
    if "arguments" in entry:
        args = entry["arguments"]
        if not isinstance(args, list) or not all(isinstance(a, str) and "\0" not in a for a in args):
            raise CompileDbError(path, f"entry {n}: 'arguments' must be an array of strings")
        return list(args)
    if "command" in entry:
        try:
            return shlex.split(entry["command"])
        except ValueError as exc:
            raise CompileDbError(path, f"entry {n}: cannot split command: {exc}") from None
    raise CompileDbError(path, f"entry {n} has neither 'arguments' nor 'command'")


def find_compile_commands(build_dir: str) -> str:
    candidate = os.path.join(build_dir, "compile_commands.json")
    if not os.path.isfile(candidate):
        raise CompileDbError(build_dir, "no compile_commands.json in this directory")
    return candidate


def jobs_from_paths(paths: list[str], extra: list[str]) -> tuple[list[CompileJob], list[str]]:
    """Every source file under `paths`; returns (jobs, missing paths)."""
    files: list[str] = []
    missing: list[str] = []
    include_dirs: list[str] = []
    for p in paths:
        ap = os.path.abspath(p)
        if os.path.isdir(ap):
            include_dirs.append(ap)
            for dirpath, dirnames, filenames in os.walk(ap):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if Path(name).suffix in SOURCE_SUFFIXES:
                        files.append(os.path.join(dirpath, name))
        elif os.path.isfile(ap):
            include_dirs.append(os.path.dirname(ap))
            files.append(ap)
        else:
            missing.append(p)
    jobs = []
    incs = [f"-I{d}" for d in dict.fromkeys(include_dirs)]
    for f in dict.fromkeys(files):
        # the compiler's own defaults (gcc: gnu17 / gnu++17): strict modes hide strdup, alloca, S_IREAD...
        std = "-std=gnu17" if Path(f).suffix in C_SUFFIXES else "-std=gnu++17"
        lang = ["-x", "c"] if Path(f).suffix in C_SUFFIXES else ["-x", "c++"]
        own = [f"-I{os.path.dirname(f)}"]
        jobs.append(CompileJob(f, (*lang, std, *own, *incs, *list(extra)), os.path.dirname(f)))
    return jobs, missing


_C_STANDARDS = re.compile(r"-std=(c|gnu|iso9899:)(89|90|99|9x|11|1x|17|18|2x|23|199409|1999|2011|2017|2018)$")
_CXX_STANDARDS = re.compile(r"-std=(c|gnu)\+\+\w+$")


def flags_for(job: CompileJob, flags: Sequence[str], c_flags: Sequence[str] = (),
              cxx_flags: Sequence[str] = ()) -> tuple[tuple[str, ...], list[str]]:
    """The extra flags that fit this TU's language, and those dropped because they only fit the other one
    (`-- -std=gnu11` must not break the C++ TUs of the scan)."""
    kept: list[str] = []
    dropped: list[str] = []
    for flag in flags:
        wrong = _C_STANDARDS.match(flag) if job.is_cxx else _CXX_STANDARDS.match(flag)
        (dropped if wrong else kept).append(flag)
    return (*kept, *(cxx_flags if job.is_cxx else c_flags)), dropped
