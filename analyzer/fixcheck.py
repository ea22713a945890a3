"""A suggested fix is only kept when the patched file compiles with the compile command of its TU: the compiler is
run with `-fsyntax-only` on the patched text (gcc/g++ from standard input for a TU; clang with a VFS overlay for a
header, compiled through the TUs that include it). A file whose original does not compile this way gets no fix."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .frontend.compdb import CompileJob, jobs_from_paths

__all__ = ["FixChecker"]

_TIMEOUT = 120
_MAX_INCLUDERS = 2
_DROP_WITH_VALUE = {"-resource-dir", "-MF", "-MT", "-MQ", "-o"}
_DROP = {"-fsyntax-only", "-c", "-M", "-MM", "-MD", "-MMD", "-MP", "-E", "-S"}


def _find(*names: str) -> str | None:
    return next((p for p in (shutil.which(n) for n in names) if p), None)


def _flags(job: CompileJob) -> list[str]:
    """The TU's flags without what only concerns libclang or outputs; language forced for standard input."""
    out: list[str] = []
    args = list(job.args)
    i = 0
    while i < len(args):
        if args[i] in _DROP_WITH_VALUE:
            i += 2
            continue
        if args[i] == "-x":  # the language is given again below
            i += 2
            continue
        if args[i] not in _DROP and not args[i].startswith("-resource-dir="):
            out.append(args[i])
        i += 1
    return out


class FixChecker:
    """Compiles patched sources with their TU's flags. `compiles(path, text)` is what attach_fixes calls."""

    def __init__(self, jobs: Sequence[CompileJob]) -> None:
        self.jobs = {j.file: j for j in jobs}
        self._all = list(jobs)
        self._original_ok: dict[tuple[str, str], bool] = {}
        self.checked = 0
        self.rejected = 0

    def _job(self, path: str) -> CompileJob | None:
        path = os.path.abspath(path)
        if path in self.jobs:
            return self.jobs[path]
        jobs, _ = jobs_from_paths([path], [])
        return jobs[0] if jobs else None

    def _includers(self, header: str) -> list[CompileJob]:
        """TUs of the scan whose text includes the header by its name, nearest folder first."""
        name = os.path.basename(header)
        pattern = re.compile(rf'^\s*#\s*include\s*[<"](?:[^">]*/)?{re.escape(name)}[">]', re.M)
        found = []
        for job in sorted(self._all, key=lambda j: (os.path.dirname(j.file) != os.path.dirname(header), j.file)):
            try:
                text = Path(job.file).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if pattern.search(text):
                found.append(job)
                if len(found) == _MAX_INCLUDERS:
                    break
        return found

    def compiles(self, path: str, new_text: str) -> bool:
        self.checked += 1
        path = os.path.abspath(path)
        job = self.jobs.get(path)
        if job is not None or Path(path).suffix not in (".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp"):
            job = job or self._job(path)
            ok = job is not None and self._tu_compiles(job, path, new_text)
        else:
            includers = self._includers(path)
            ok = bool(includers) and all(self._overlay_compiles(j, path, new_text) for j in includers)
        self.rejected += not ok
        return ok

    # ---- a TU: gcc/g++ (or clang) on standard input ---------------------------------------------------------------

    def _tu_compiles(self, job: CompileJob, path: str, text: str) -> bool:
        for compiler in self._compilers(job):
            key = (compiler, job.file + "\0" + " ".join(job.args))
            if key not in self._original_ok:
                original = Path(path).read_text(encoding="utf-8", errors="replace")
                self._original_ok[key] = self._stdin_ok(compiler, job, path, original)
            if self._original_ok[key]:
                return self._stdin_ok(compiler, job, path, text)
        return False

    @staticmethod
    def _compilers(job: CompileJob) -> list[str]:
        names = (("g++", "c++", "clang++", "clang++-14") if job.is_cxx else ("gcc", "cc", "clang", "clang-14"))
        found = [p for p in (shutil.which(n) for n in names) if p]
        return list(dict.fromkeys(found))[:2]

    @staticmethod
    def _stdin_ok(compiler: str, job: CompileJob, path: str, text: str) -> bool:
        lang = "c++" if job.is_cxx else "c"
        # quoted includes resolve next to the file, as they would for the file itself
        cmd = [compiler, "-fsyntax-only", "-w", "-iquote", os.path.dirname(path), *_flags(job), "-x", lang, "-"]
        try:
            proc = subprocess.run(cmd, input=text, cwd=job.directory if os.path.isdir(job.directory) else None,
                                  capture_output=True, text=True, errors="replace", timeout=_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return proc.returncode == 0

    # ---- a header: clang compiles an including TU with the header replaced through a VFS overlay -----------------

    def _overlay_compiles(self, job: CompileJob, header: str, text: str) -> bool:
        clang = _find("clang++", "clang++-14") if job.is_cxx else _find("clang", "clang-14")
        if clang is None:
            return False
        key = (clang, job.file + "\0" + " ".join(job.args))
        if key not in self._original_ok:
            self._original_ok[key] = self._clang_ok(clang, job, [])
        if not self._original_ok[key]:
            return False
        with tempfile.TemporaryDirectory(prefix="leakscan-fix-") as tmp:
            patched = os.path.join(tmp, os.path.basename(header))
            Path(patched).write_text(text, encoding="utf-8")
            overlay = {"version": 0, "case-sensitive": "true", "roots": [
                {"type": "directory", "name": os.path.dirname(header),
                 "contents": [{"type": "file", "name": os.path.basename(header), "external-contents": patched}]}]}
            overlay_path = os.path.join(tmp, "overlay.json")
            Path(overlay_path).write_text(json.dumps(overlay), encoding="utf-8")
            return self._clang_ok(clang, job, ["-ivfsoverlay", overlay_path])

    @staticmethod
    def _clang_ok(clang: str, job: CompileJob, more: list[str]) -> bool:
        lang = "c++" if job.is_cxx else "c"
        cmd = [clang, "-fsyntax-only", "-w", *more, *_flags(job), "-x", lang, job.file]
        try:
            proc = subprocess.run(cmd, cwd=job.directory if os.path.isdir(job.directory) else None,
                                  capture_output=True, text=True, errors="replace", timeout=_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            return False
        return proc.returncode == 0
