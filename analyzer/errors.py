"""Errors about the user's input, and the exit codes of every command."""
from __future__ import annotations

import enum
from pathlib import Path


class ExitCode(enum.IntEnum):
    """One table for every subcommand (scan, pairs, report, correlate, profile)."""
    CLEAN = 0  # no findings
    FINDINGS = 1
    INPUT_ERROR = 2  # usage or input error: one line naming the file
    INCOMPLETE = 3  # a TU failed or was only partly analyzed; what parsed is reported
    INTERNAL_ERROR = 64  # a bug in leakscan
    INTERRUPTED = 130


class InputError(Exception):
    """Bad input that stops a command: `str()` is one line naming the file (and the line when known).

    Every stage raises a subclass of it (rules, compile databases, profiles, symbol files); the CLI prints it as
    `leakscan: <str>` and exits with `ExitCode.INPUT_ERROR`. Anything else escaping is a bug in leakscan.
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}" if where else self.message


def read_input_text(path: str | Path, error: type[InputError], what: str) -> str:
    """A UTF-8 input file's text, or `error` naming the file: 'no such WHAT' / 'cannot read WHAT: why'."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(str(path), None, f"no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(str(path), None, f"cannot read {what}: {exc}") from None
