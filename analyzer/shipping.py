"""The files a TU needs, for a cluster worker that cannot read them (--ship-sources): the main file and every
project header reachable through `#include` lines, resolved like the preprocessor's search (quote includes in the
including file's folder first, then -iquote, -I, -isystem, -idirafter). Every include line counts, whatever `#if`
surrounds it: shipping a header too many costs bytes, one too few a degraded TU. System headers (those outside the
project, see default_is_project) are the worker's own; an include spelled through a macro is not followed."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator

from .frontend.compdb import CompileJob
from .frontend.parsed import default_is_project

_INCLUDE = re.compile(rb'^[ \t]*#[ \t]*(?:include|include_next|import)[ \t]*([<"])([^>"\n]+)[>"]', re.MULTILINE)
_DIR_FLAGS = ("-iquote", "-I", "-isystem", "-idirafter")
_FORCED = ("-include", "-imacros")


def _flag_values(args: tuple[str, ...], flags: tuple[str, ...], directory: str) -> Iterator[tuple[str, str]]:
    """(flag, absolute value) for each `-Ifoo` / `-I foo` style flag in `flags`."""
    i = 0
    while i < len(args):
        arg = args[i]
        flag = next((f for f in flags if arg.startswith(f)), None)
        if flag is not None and arg == flag and i + 1 < len(args):
            yield flag, os.path.join(directory, args[i + 1])
            i += 1
        elif flag is not None and arg != flag:
            yield flag, os.path.join(directory, arg[len(flag):])
        i += 1


class SourceShipper:
    """Contents of the files each job needs; files read once for all jobs."""

    def __init__(self) -> None:
        self._contents: dict[str, bytes | None] = {}
        self._includes: dict[str, tuple[tuple[bool, str], ...]] = {}

    def read(self, path: str) -> bytes | None:
        if path not in self._contents:
            try:
                with open(path, "rb") as fh:
                    self._contents[path] = fh.read()
            except OSError:
                self._contents[path] = None
        return self._contents[path]

    def _lines(self, path: str) -> tuple[tuple[bool, str], ...]:
        """(quoted, name) of the file's include lines."""
        if path not in self._includes:
            data = self.read(path) or b""
            self._includes[path] = tuple((m.group(1) == b'"', m.group(2).decode("utf-8", "surrogateescape").strip())
                                         for m in _INCLUDE.finditer(data))
        return self._includes[path]

    def sources(self, job: CompileJob) -> tuple[tuple[str, bytes], ...]:
        """(path, contents) of the main file and the project headers it can reach."""
        dirs: dict[str, list[str]] = {flag: [] for flag in _DIR_FLAGS}
        for flag, value in _flag_values(job.args, _DIR_FLAGS, job.directory):
            dirs[flag].append(os.path.normpath(value))
        angle = dirs["-I"] + dirs["-isystem"] + dirs["-idirafter"]
        forced = [os.path.normpath(v) for _, v in _flag_values(job.args, _FORCED, job.directory)]
        todo = [job.file, *forced]
        seen: dict[str, None] = {}
        while todo:
            path = todo.pop()
            if path in seen or self.read(path) is None:
                continue
            seen[path] = None
            for quoted, name in self._lines(path):
                search = [os.path.dirname(path), *dirs["-iquote"], *angle] if quoted else angle
                for d in search:
                    candidate = os.path.normpath(os.path.join(d, name))
                    if os.path.isfile(candidate):
                        if default_is_project(candidate):
                            todo.append(candidate)
                        break
        return tuple((p, data) for p in seen if (data := self.read(p)) is not None)
