"""TOML rule files (rules/*.toml and --rules FILE) into a RuleSetBuilder."""
from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from .model import INVALID_CONVENTIONS, Acquire, Realloc, Release, ResourceKind, RuleError, RuleSetBuilder
from .patterns import PatternError, compile_name_pattern


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
        if arg is not None and (not isinstance(arg, int) or isinstance(arg, bool) or arg < 0):
            raise RuleError(path, f"'{key}' entry '{name}': '{arg_key}' must be a non-negative integer",
                            _line_of(text, name))
        return name, arg
    raise RuleError(path, f"'{key}' entries must be strings or tables, got {type(entry).__name__}",
                    _line_of(text, key))


_RESOURCE_KEYS = frozenset({"kind", "description", "invalid", "acquire", "release", "realloc", "acquire_pattern",
                            "release_pattern", "family"})


def _parse(text: str, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        line = int(at.group(1)) if at else (max(len(text.splitlines()), 1) if "end of document" in str(exc) else None)
        raise RuleError(path, f"invalid TOML: {exc}", line) from None


def load_rules_text(text: str, path: str, rules: RuleSetBuilder, source: str) -> None:
    data = _parse(text, path)
    unknown_top = set(data) - {"resource", "borrow"}
    if unknown_top:
        key = sorted(unknown_top)[0]
        raise RuleError(path, f"unknown top-level key '{key}' (expected [[resource]] or [borrow])",
                        _line_of(text, key))
    resources_ = data.get("resource", [])
    if not isinstance(resources_, list):
        raise RuleError(path, "'resource' must be an array of tables ([[resource]])", _line_of(text, "resource"))
    headers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("[[resource]]")]
    for index, res in enumerate(resources_):
        # errors point into this [[resource]]: the lines before its header are blanked
        local = _from_line(text, headers[index]) if index < len(headers) else text
        _load_resource(res, path, local, rules, source)
    borrow = data.get("borrow", {})
    funcs = borrow.get("functions", []) if isinstance(borrow, dict) else None
    if not isinstance(funcs, list) or not all(isinstance(f, str) for f in funcs):
        raise RuleError(path, "[borrow] 'functions' must be an array of strings", _line_of(text, "functions"))
    rules.borrows.update(funcs)
    rules.files.append(source)


def _load_resource(res: Any, path: str, text: str, rules: RuleSetBuilder, source: str) -> None:
    if not isinstance(res, dict):
        raise RuleError(path, "'resource' must be an array of tables ([[resource]])", _line_of(text, "resource"))
    kind = res.get("kind")
    if not isinstance(kind, str) or not kind:
        raise RuleError(path, "[[resource]] needs a string 'kind'", _line_of(text, "[[resource]]"))
    unknown = set(res) - _RESOURCE_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise RuleError(path, f"resource '{kind}': unknown key '{key}'", _line_of(text, key))
    invalid = res.get("invalid", "null")
    if invalid not in INVALID_CONVENTIONS:
        raise RuleError(path, f"resource '{kind}': 'invalid' must be one of {sorted(INVALID_CONVENTIONS)}",
                        _line_of(text, "invalid"))
    rules.add_kind(ResourceKind(kind, invalid, str(res.get("description", "")), source, str(res.get("family", ""))))
    for key in ("acquire", "release", "realloc"):
        entries = res.get(key, [])
        if not isinstance(entries, list):
            raise RuleError(path, f"resource '{kind}': '{key}' must be an array", _line_of(text, key))
        for entry in entries:
            name, index = _function_entry(entry, path, text, key, "out_arg" if key == "acquire" else "arg")
            origin = f"{path}:{_line_of(text, name) or 0}"
            if key == "acquire":
                rules.add_acquire(Acquire(name, kind, index, source, origin))
            elif key == "release":
                rules.add_release(Release(name, kind, index or 0, source, origin))
            else:
                rules.add_realloc(Realloc(name, kind, index or 0, source, origin))
    for key, target in (("acquire_pattern", rules.acquire_patterns), ("release_pattern", rules.release_patterns)):
        if key in res:
            try:
                target.append((compile_name_pattern(str(res[key])), kind, source))
            except PatternError as exc:
                raise RuleError(path, f"resource '{kind}': '{key}' {exc}", _line_of(text, key)) from None


def builtin_rule_files() -> list[tuple[str, str]]:
    """(name, text) of the TOML files shipped in the `rules` package."""
    files = resources.files("rules")
    return sorted((f.name, f.read_text(encoding="utf-8")) for f in files.iterdir() if f.name.endswith(".toml"))


def load_rule_files(rules: RuleSetBuilder, extra_files: tuple[str, ...] | list[str] = ()) -> None:
    """The builtin files (sorted by name), then the user's files in the order given."""
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
