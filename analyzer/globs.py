"""Path globs as git writes them (`third_party/**`, `*.gen.c`, `src/legacy/`), matched by pathspec."""
from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence

import pathspec


class PathGlobs:
    """Globs relative to `base`: a pattern without a slash matches a name at any depth, `**` any folders."""

    def __init__(self, patterns: Sequence[str], base: str) -> None:
        self.patterns = tuple(patterns)
        self.base = os.path.abspath(base)
        self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, path: str) -> bool:
        if not self.patterns or not path:
            return False
        rel = os.path.relpath(os.path.abspath(path), self.base) if os.path.isabs(path) else path
        if rel.startswith(".."):
            return False
        return self._spec.match_file(rel.replace(os.sep, "/"))


def glob_matches(pattern: str, path: str) -> bool:
    """One git-style glob against a path relative to the root."""
    return pathspec.GitIgnoreSpec.from_lines([pattern]).match_file(path.replace(os.sep, "/"))


def name_matches(pattern: str, name: str) -> bool:
    """A function glob (`legacy_*`, `ns::*::reload`): `*` also crosses `::`."""
    return fnmatch.fnmatchcase(name, pattern)
