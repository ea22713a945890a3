"""Name patterns of rules files (`acquire_pattern`, `release_pattern`), matched in linear time.

A rules file comes from the scanned project. Python's backtracking `re` takes exponential time on patterns such as
`(a+)+$` against a long name, and every call of the scan is matched: RE2 (google-re2) never backtracks. Its syntax
is Python's without backreferences and lookaround, which no name pattern needs.
"""
from __future__ import annotations

import re
from typing import Protocol

import re2


class NamePattern(Protocol):
    pattern: str

    def fullmatch(self, text: str) -> object | None: ...


class PatternError(ValueError):
    """`str()` says what is wrong with the pattern, on one line."""


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would also print each error to stderr


def compile_name_pattern(text: str) -> NamePattern:
    try:
        re.compile(text)
    except re.error as exc:
        raise PatternError(f"is not a valid regex: {exc}") from None
    try:
        return re2.compile(text, options=_OPTIONS)
    except re2.error as exc:
        why = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(f"uses what linear-time matching (RE2) does not support, such as backreferences or "
                           f"lookaround: {why}") from None
