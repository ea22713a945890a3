"""`--diff-base REV`: the lines changed since a git revision (working tree included), and whether a finding's path
touches one of them: the question a reviewer asks of a change."""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InputError
from .model import Finding, SourceLoc

__all__ = ["ChangedLines", "DiffBaseError", "changed_lines", "touches"]

WHOLE_FILE = -1  # a file that is new since the revision: every line is changed
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class DiffBaseError(InputError):
    """Not a git work tree, or a revision git does not know."""


@dataclass(frozen=True)
class ChangedLines:
    rev: str
    lines: dict[str, frozenset[int]]  # absolute path -> changed line numbers (WHOLE_FILE: all)

    def touched(self, loc: SourceLoc) -> bool:
        changed = self.lines.get(os.path.realpath(loc.file))
        return changed is not None and (WHOLE_FILE in changed or loc.line in changed)


def _git(cwd: str, *args: str) -> str:
    try:
        proc = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True,
                              text=True, errors="replace", timeout=300)
    except FileNotFoundError:
        raise DiffBaseError("git", None, "git is not installed (needed by --diff-base)") from None
    if proc.returncode != 0:
        message = (proc.stderr.strip().splitlines() or ["git failed"])[-1]
        raise DiffBaseError(cwd, None, f"git {args[0]}: {message}")
    return proc.stdout


def _unquote(name: str) -> str:
    if name.startswith('"') and name.endswith('"'):
        raw = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1", "replace").decode("utf-8", "replace")
    return name


def changed_lines(rev: str, where: str) -> ChangedLines:
    """Lines added or changed since `rev` in the git work tree holding `where` (staged, unstaged and untracked
    files); a deletion marks the lines on both sides of it."""
    folder = where if os.path.isdir(where) else os.path.dirname(os.path.abspath(where))
    top = _git(folder, "rev-parse", "--show-toplevel").strip()
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except DiffBaseError:
        raise DiffBaseError(f"--diff-base {rev}", None, f"not a revision of the git repository {top}") from None
    diff = _git(top, "diff", "--no-color", "--no-ext-diff", "--no-renames", "-U0", rev, "--")
    lines: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = _unquote(line[4:])
            current = None if name == "/dev/null" else lines.setdefault(
                os.path.realpath(os.path.join(top, name[2:] if name.startswith("b/") else name)), set())
            continue
        hunk = _HUNK.match(line)
        if hunk and current is not None:
            start, count = int(hunk.group(1)), int(hunk.group(2) if hunk.group(2) is not None else 1)
            current.update(range(start, start + count) if count else (start, start + 1))
    for name in _git(top, "ls-files", "--others", "--exclude-standard", "-z").split("\0"):
        if name:
            lines[os.path.realpath(os.path.join(top, name))] = {WHOLE_FILE}
    return ChangedLines(rev, {k: frozenset(v) for k, v in lines.items()})


def _places(f: Finding) -> Iterable[SourceLoc]:
    yield f.loc
    if f.acquire is not None:
        yield f.acquire
    for ev in f.path:
        yield ev.loc
    for x in f.exits:
        yield x.loc
        for ev in x.path:
            yield ev.loc


def touches(f: Finding, changed: ChangedLines) -> bool:
    """True when the finding's path (acquisition, events, any leaking exit) runs through a changed line."""
    return any(changed.touched(loc) for loc in _places(f))
