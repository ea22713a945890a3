"""Resource rules: which calls acquire, release, reallocate or merely borrow a resource."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

INVALID_CONVENTIONS = {"null", "negative", "mmap-failed", "none"}


class RuleError(Exception):
    """A malformed rules file: names the file, the line when known, and the key."""

    def __init__(self, path: str, message: str, line: int | None = None):
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True, slots=True)
class ResourceKind:
    name: str
    invalid: str = "null"
    description: str = ""
    source: str = ""  # 'builtin:libc.toml', 'rules:my.toml', 'inferred', 'summary', 'cppcheck:...'
    family: str = ""  # kinds of one family may release each other without a mismatch

    def is_invalid(self, op: str, const: int) -> bool | None:
        """True: `value OP const` means nothing was acquired; False: it means valid; None: unknown."""
        if self.invalid == "null":
            if const == 0 and op == "==":
                return True
            if const == 0 and op in ("!=", ">"):
                return False
        elif self.invalid == "negative":
            if (op == "<" and const <= 0) or (op == "<=" and const < 0) or (op == "==" and const < 0):
                return True
            if (op == ">=" and const >= 0) or (op == ">" and const >= -1) or (op == "!=" and const == -1):
                return False
        elif self.invalid == "mmap-failed":
            if op == "==" and const in (-1, 0):
                return True
            if op == "!=" and const in (-1, 0):
                return False
        return None


@dataclass(frozen=True, slots=True)
class Acquire:
    function: str
    kind: str
    out_arg: int | None = None  # None: the return value
    source: str = ""


@dataclass(frozen=True, slots=True)
class Release:
    function: str
    kind: str
    arg: int = 0
    source: str = ""


@dataclass(frozen=True, slots=True)
class Realloc:
    function: str
    kind: str
    arg: int = 0
    source: str = ""


@dataclass
class RuleSet:
    kinds: dict[str, ResourceKind] = field(default_factory=dict)
    acquires: dict[str, Acquire] = field(default_factory=dict)
    releases: dict[str, list[Release]] = field(default_factory=dict)
    reallocs: dict[str, Realloc] = field(default_factory=dict)
    borrows: set[str] = field(default_factory=set)
    acquire_patterns: list[tuple[re.Pattern[str], str, str]] = field(default_factory=list)
    release_patterns: list[tuple[re.Pattern[str], str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add_kind(self, kind: ResourceKind) -> None:
        self.kinds.setdefault(kind.name, kind)

    def add_acquire(self, acq: Acquire) -> None:
        self.acquires.setdefault(acq.function, acq)

    def add_release(self, rel: Release) -> None:
        existing = self.releases.setdefault(rel.function, [])
        if all((r.kind, r.arg) != (rel.kind, rel.arg) for r in existing):
            existing.append(rel)

    @staticmethod
    def _names(callee: str) -> tuple[str, ...]:
        if callee.startswith("std::") and callee.count("::") == 1:
            return (callee, callee[5:])
        return (callee,)

    def acquire_for(self, callee: str) -> Acquire | None:
        for name in self._names(callee):
            if name in self.acquires:
                return self.acquires[name]
        for pattern, kind, source in self.acquire_patterns:
            if pattern.fullmatch(callee):
                return Acquire(callee, kind, None, source)
        return None

    def releases_for(self, callee: str) -> list[Release]:
        for name in self._names(callee):
            if name in self.releases:
                return self.releases[name]
        for pattern, kind, source in self.release_patterns:
            if pattern.fullmatch(callee):
                return [Release(callee, kind, 0, source)]
        return []

    def realloc_for(self, callee: str) -> Realloc | None:
        for name in self._names(callee):
            if name in self.reallocs:
                return self.reallocs[name]
        return None

    def borrows_args(self, callee: str) -> bool:
        return any(name in self.borrows for name in self._names(callee))

    def release_names(self, kind: str) -> list[str]:
        names = [f for f, rels in self.releases.items() if any(r.kind == kind for r in rels)]
        names += [f for f, r in self.reallocs.items() if r.kind == kind]
        return names

    def expected_release(self, kind: str) -> str:
        names = [f for f, rels in self.releases.items() if any(r.kind == kind for r in rels)]
        return names[0] if names else ""

    def same_family(self, a: str, b: str) -> bool:
        if a == b:
            return True
        fa, fb = self.kinds.get(a), self.kinds.get(b)
        return bool(fa and fb and fa.family and fa.family == fb.family)


def _line_of(text: str, needle: str) -> int | None:
    """Line of `needle` as a key (`needle =`, `[needle]`), else as a quoted string, else anywhere."""
    lines = text.splitlines()
    esc = re.escape(needle)
    as_key = re.compile(rf'(^|[\s{{,])"?{esc}"?\s*=|^\s*\[+\s*{esc}\s*[\].]')
    for test in (as_key.search, lambda line: f'"{needle}"' in line, lambda line: needle in line):
        for n, line in enumerate(lines, 1):
            if test(line):
                return n
    return None


def _from_line(text: str, line: int) -> str:
    """`text` with the lines before `line` blanked (line numbers kept): errors point into one [[resource]]."""
    lines = text.splitlines()
    return "\n" * (line - 1) + "\n".join(lines[line - 1:])


def _function_entry(entry: Any, path: str, text: str, key: str, arg_key: str) -> tuple[str, int | None]:
    if isinstance(entry, str):
        return entry, None
    if isinstance(entry, dict):
        name = entry.get("function")
        if not isinstance(name, str) or not name:
            raise RuleError(path, f"'{key}' entry needs a string 'function'", _line_of(text, key))
        arg = entry.get(arg_key)
        if arg is not None and (not isinstance(arg, int) or arg < 0):
            raise RuleError(path, f"'{key}' entry '{name}': '{arg_key}' must be a non-negative integer",
                            _line_of(text, name))
        return name, arg
    raise RuleError(path, f"'{key}' entries must be strings or tables, got {type(entry).__name__}",
                    _line_of(text, key))


def load_rules_text(text: str, path: str, rules: RuleSet, source: str) -> None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        line = int(at.group(1)) if at else (max(len(text.splitlines()), 1) if "end of document" in str(exc) else None)
        raise RuleError(path, f"invalid TOML: {exc}", line) from None
    unknown_top = set(data) - {"resource", "borrow"}
    if unknown_top:
        key = sorted(unknown_top)[0]
        raise RuleError(path, f"unknown top-level key '{key}' (expected [[resource]] or [borrow])",
                        _line_of(text, key))
    resources_ = data.get("resource", [])
    if not isinstance(resources_, list):
        raise RuleError(path, "'resource' must be an array of tables ([[resource]])", _line_of(text, "resource"))
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("[[resource]]")]
    full_text = text
    for index, res in enumerate(resources_):
        text = _from_line(full_text, headers[index]) if index < len(headers) else full_text
        if not isinstance(res, dict):
            raise RuleError(path, "'resource' must be an array of tables ([[resource]])", _line_of(text, "resource"))
        kind = res.get("kind")
        if not isinstance(kind, str) or not kind:
            raise RuleError(path, "[[resource]] needs a string 'kind'", _line_of(text, "[[resource]]"))
        unknown = set(res) - {"kind", "description", "invalid", "acquire", "release", "realloc",
                              "acquire_pattern", "release_pattern", "family"}
        if unknown:
            key = sorted(unknown)[0]
            raise RuleError(path, f"resource '{kind}': unknown key '{key}'", _line_of(text, key))
        invalid = res.get("invalid", "null")
        if invalid not in INVALID_CONVENTIONS:
            raise RuleError(path, f"resource '{kind}': 'invalid' must be one of {sorted(INVALID_CONVENTIONS)}",
                            _line_of(text, "invalid"))
        rules.add_kind(ResourceKind(kind, invalid, str(res.get("description", "")), source,
                                    str(res.get("family", ""))))
        for key in ("acquire", "release", "realloc"):
            entries = res.get(key, [])
            if not isinstance(entries, list):
                raise RuleError(path, f"resource '{kind}': '{key}' must be an array", _line_of(text, key))
            for entry in entries:
                if key == "acquire":
                    name, out = _function_entry(entry, path, text, key, "out_arg")
                    rules.add_acquire(Acquire(name, kind, out, source))
                elif key == "release":
                    name, arg = _function_entry(entry, path, text, key, "arg")
                    rules.add_release(Release(name, kind, arg or 0, source))
                else:
                    name, arg = _function_entry(entry, path, text, key, "arg")
                    rules.reallocs.setdefault(name, Realloc(name, kind, arg or 0, source))
        for key, target in (("acquire_pattern", rules.acquire_patterns), ("release_pattern", rules.release_patterns)):
            if key in res:
                try:
                    target.append((re.compile(str(res[key])), kind, source))
                except re.error as exc:
                    raise RuleError(path, f"resource '{kind}': '{key}' is not a valid regex: {exc}",
                                    _line_of(text, key)) from None
    text = full_text
    borrow = data.get("borrow", {})
    funcs = borrow.get("functions", []) if isinstance(borrow, dict) else None
    if not isinstance(funcs, list) or not all(isinstance(f, str) for f in funcs):
        raise RuleError(path, "[borrow] 'functions' must be an array of strings", _line_of(text, "functions"))
    rules.borrows.update(funcs)
    rules.files.append(source)


def builtin_rule_files() -> list[tuple[str, str]]:
    """(name, text) of the TOML files shipped in the `rules` package."""
    files = resources.files("rules")
    return sorted((f.name, f.read_text(encoding="utf-8")) for f in files.iterdir() if f.name.endswith(".toml"))


def load_rules(extra_files: list[str] = ()) -> RuleSet:
    rules = RuleSet()
    for name, text in builtin_rule_files():
        load_rules_text(text, f"rules/{name}", rules, f"builtin:{name}")
    for path in extra_files:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RuleError(path, "no such rules file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleError(path, f"cannot read rules file: {exc}") from None
        load_rules_text(text, path, rules, f"rules:{Path(path).name}")
    return rules
