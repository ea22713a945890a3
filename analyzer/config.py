"""Project configuration: `[tool.leakscan]` in pyproject.toml or a `.leakscan.toml`, found by walking up from what
is scanned; every value keeps where it came from (default, the file and line, or the command line)."""
from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, read_input_text
from .model import RuleId
from .phase1 import DEFAULT_MAX_SOURCE_BYTES, DEFAULT_TU_TIMEOUT

__all__ = ["KEYS", "ConfigError", "EffectiveConfig", "Setting", "find_config", "load_config", "merge"]

OWN_FILE = ".leakscan.toml"
PYPROJECT = "pyproject.toml"
SECTION = "tool.leakscan"
FORMATS = ("text", "json", "sarif", "html", "github", "codeclimate")
FAIL_ON = ("new", "any", "none")
CONFIDENCES = ("high", "medium", "low")
EXECUTORS = ("local", "dask")
DEFAULT = "default"
COMMAND_LINE = "command line"


class ConfigError(InputError):
    """A configuration file with an unknown key or a value of the wrong type: names the file, the line and the key."""


@dataclass(frozen=True, slots=True)
class Setting:
    value: Any
    origin: str  # 'default', 'command line', or 'FILE:LINE'


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    kind: str  # str | path | paths | strings | bool | int | number | choice | rules | outputs
    default: Any
    help: str
    choices: tuple[str, ...] = ()


KEYS: dict[str, Key] = {k.name: k for k in (
    Key("paths", "paths", (), "source files and folders to scan (default: every TU of the compile database)"),
    Key("exclude", "strings", (), "git-style globs relative to the root: files neither scanned nor reported"),
    Key("compile-commands", "path", "", "compile_commands.json, or the build folder holding it"),
    Key("rules", "paths", (), "extra TOML rules files"),
    Key("cppcheck-cfg", "paths", (), "cppcheck library files to read pairs from"),
    Key("infer", "bool", True, "infer the project's create/destroy pairs and summaries"),
    Key("min-confidence", "choice", "medium", "lowest confidence of an inferred pair the scan uses",
        CONFIDENCES),
    Key("enable", "rules", (), "ruleIds to report (default: all)"),
    Key("disable", "rules", (), "ruleIds not to report"),
    Key("output", "outputs", {"text": "-"}, "format = path ('-': standard output), one line per report"),
    Key("jobs", "int", 0, "worker processes (0: one per core)"),
    Key("compiler-args", "strings", (), "flags added to every TU (as after --)"),
    Key("c-args", "strings", (), "flags added to C TUs only (--cflags)"),
    Key("cxx-args", "strings", (), "flags added to C++ TUs only (--cxxflags)"),
    Key("tu-timeout", "number", DEFAULT_TU_TIMEOUT, "seconds after which parsing one TU is given up (0: no limit)"),
    Key("max-file-size", "number", DEFAULT_MAX_SOURCE_BYTES / (1 << 20),
        "MiB: larger source files are skipped with a diagnostic (0: no limit)"),
    Key("root", "path", "", "base of relative paths in reports and fingerprints (default: the config's folder)"),
    Key("baseline", "path", "", "a saved JSON or SARIF result: findings are new, unchanged or fixed against it"),
    Key("fail-on", "choice", "", "exit 1 on: new findings, any finding, or none (default: new with a baseline, "
                                 "else any)", FAIL_ON),
    Key("suppressions", "paths", (), "suppression files ([[suppress]] rule, path, function, reason)"),
    Key("diff-base", "str", "", "git revision: report only findings whose path touches lines changed since it"),
    Key("cache", "bool", True, "reuse parsed translation units from the incremental cache (false: --no-cache)"),
    Key("cache-dir", "path", "", "the cache folder (default: .leakscan-cache beside the compile database, else "
                                 "in the scanned root)"),
    Key("executor", "choice", "local", "where TUs are parsed: local worker processes, or a Dask cluster",
        EXECUTORS),
    Key("scheduler", "str", "", "dask: the scheduler's address (default: a local cluster for the scan)"),
    Key("ship-sources", "bool", False, "dask: send the sources with each task (workers without the source tree)"),
)}


# ---- finding the file -------------------------------------------------------------------------------------------

def find_config(starts: Sequence[str]) -> Path | None:
    """The nearest `.leakscan.toml`, or `pyproject.toml` with a [tool.leakscan] table, walking up from each start
    (a scanned path or the compile database) in turn; in one folder `.leakscan.toml` wins."""
    for start in starts:
        folder = Path(os.path.abspath(start))
        if not folder.is_dir():
            folder = folder.parent
        for d in (folder, *folder.parents):
            own = d / OWN_FILE
            if own.is_file():
                return own
            pyproject = d / PYPROJECT
            if pyproject.is_file() and _has_section(pyproject):
                return pyproject
    return None


def _has_section(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "leakscan" not in text:
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True  # a broken pyproject that mentions us: load_config reports where
    return isinstance(data.get("tool"), dict) and "leakscan" in data["tool"]


# ---- reading it -------------------------------------------------------------------------------------------------

def load_config(path: str | Path) -> dict[str, Setting]:
    """The file's settings, checked and with relative paths resolved against its folder."""
    path = Path(path)
    text = read_input_text(path, ConfigError, "configuration file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), toml_error_line(exc, text), f"invalid TOML: {exc}") from None
    own = path.name != PYPROJECT
    table: Any = data if own else data.get("tool", {}).get("leakscan", {})
    section = "" if own else SECTION
    lines = _KeyLines(text)
    if not isinstance(table, dict):
        raise ConfigError(str(path), lines.find(section, ""), f"[{SECTION}] must be a table")
    base = path.parent.resolve()
    out: dict[str, Setting] = {}
    for name, value in table.items():
        line = lines.find(section, name)
        where = f"{path}:{line}" if line else str(path)
        key = KEYS.get(name)
        if key is None:
            raise ConfigError(str(path), line, f"unknown key '{_dotted(section, name)}'{_did_you_mean(name)}")
        def error(sub: str, msg: str, key: Key = key, line: int | None = line) -> ConfigError:
            return ConfigError(str(path), lines.find(_dotted(section, key.name), sub) or line, msg)

        checked = _check(key, value, error)
        out[name] = Setting(_resolve(key, checked, base), where)
    if "root" not in out:
        out["root"] = Setting(str(base), f"{path} (its folder)")
    return out


def toml_error_line(exc: tomllib.TOMLDecodeError, text: str) -> int | None:
    """The line tomllib names in its message ('at line N', or the last line for 'end of document')."""
    at = re.search(r"at line (\d+)", str(exc))
    if at:
        return int(at.group(1))
    return max(1, len(text.splitlines())) if "end of document" in str(exc) else None


def _dotted(section: str, name: str) -> str:
    return f"{section}.{name}" if section else name


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name.replace("_", "-"), list(KEYS), n=1)
    return f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(KEYS)})"


class _KeyLines:
    """Line numbers of keys per table header (`[tool.leakscan]`, `[tool.leakscan.output]`, top level '')."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
    _KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*(?:\.|=)""")

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, str], int] = {}
        section = ""
        for n, line in enumerate(text.splitlines(), 1):
            header = self._HEADER.match(line)
            if header:
                section = re.sub(r"\s*\.\s*", ".", header.group(1)).replace('"', "")
                self.keys.setdefault((section, ""), n)
                continue
            key = self._KEY.match(line)
            if key:
                self.keys.setdefault((section, next(g for g in key.groups() if g)), n)

    def find(self, section: str, key: str) -> int | None:
        if (section, key) in self.keys:
            return self.keys[(section, key)]
        if key and (_dotted(section, key), "") in self.keys:  # a table: `[tool.leakscan.output]`
            return self.keys[(_dotted(section, key), "")]
        # `output.sarif = ...` inside [tool.leakscan], or `[tool.leakscan.output]` with the key below it
        parent, _, leaf = section.rpartition(".")
        if leaf and (parent, leaf) in self.keys and not key:
            return self.keys[(parent, leaf)]
        return self.keys.get((section, ""))


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array",
            dict: "a table"}.get(type(value), type(value).__name__)


def _check(key: Key, value: Any, error: Callable[[str, str], ConfigError]) -> Any:
    """The value if it has the key's type, else ConfigError naming the key and what was expected."""
    def fail(expected: str, sub: str = "") -> ConfigError:
        return error(sub, f"'{key.name}' must be {expected}, not {_type_name(value)}")

    if key.kind in ("str", "path"):
        if not isinstance(value, str):
            raise fail("a string")
        return value
    if key.kind == "bool":
        if not isinstance(value, bool):
            raise fail("true or false")
        return value
    if key.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail("a non-negative integer")
        if value < 0:
            raise error("", f"'{key.name}' must be a non-negative integer, not {value}")
        return value
    if key.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail("a non-negative number")
        if value < 0:
            raise error("", f"'{key.name}' must be a non-negative number, not {value}")
        return float(value)
    if key.kind == "choice":
        if not isinstance(value, str) or value not in key.choices:
            raise error("", f"'{key.name}' must be one of {', '.join(key.choices)}, not {value!r}")
        return value
    if key.kind in ("paths", "strings", "rules"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("an array of strings")
        if key.kind == "rules":
            bad = [v for v in value if v not in {r.value for r in RuleId}]
            if bad:
                raise error("", f"'{key.name}': unknown ruleId '{bad[0]}' (known: {', '.join(RuleId)})")
        return tuple(value)
    return _check_outputs(key, value, error)


def _check_outputs(key: Key, value: Any, error: Callable[[str, str], ConfigError]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise error("", f"'{key.name}' must be a table of format = path, not {_type_name(value)}")
    for fmt, target in value.items():
        if fmt not in FORMATS:
            raise error(fmt, f"unknown output format '{key.name}.{fmt}' (known: {', '.join(FORMATS)})")
        if not isinstance(target, str) or not target:
            raise error(fmt, f"'{key.name}.{fmt}' must be a path or '-', not {_type_name(target)}")
    if sum(1 for t in value.values() if t == "-") > 1:
        raise error("", f"'{key.name}': only one format can go to standard output ('-')")
    return dict(value)


def _resolve(key: Key, value: Any, base: Path) -> Any:
    def absolute(p: str) -> str:
        return str(base / os.path.expanduser(p)) if p and not os.path.isabs(os.path.expanduser(p)) else p

    if key.kind == "path":
        return absolute(value)
    if key.kind == "paths":
        return tuple(absolute(p) for p in value)
    if key.kind == "outputs":
        return {fmt: target if target == "-" else absolute(target) for fmt, target in value.items()}
    return value


# ---- the effective configuration ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class EffectiveConfig:
    """Every key's value and where it came from; `file` the configuration file used (None: none)."""
    settings: Mapping[str, Setting]
    file: str | None = None

    def __getitem__(self, name: str) -> Any:
        return self.settings[name].value

    def origin(self, name: str) -> str:
        return self.settings[name].origin


def merge(file_settings: Mapping[str, Setting], cli: Mapping[str, Any], file: str | None = None) -> EffectiveConfig:
    """Defaults, overridden by the file, overridden by the command line (values that are not None)."""
    out = {name: Setting(key.default, DEFAULT) for name, key in KEYS.items()}
    out.update(file_settings)
    for name, value in cli.items():
        if name not in KEYS:
            raise KeyError(name)
        if value is not None:
            out[name] = Setting(value, COMMAND_LINE)
    return EffectiveConfig(out, file)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def render_config(config: EffectiveConfig) -> str:
    """`leakscan config`: one `key = value  # origin` line per key, TOML-like, then the file used."""
    lines = [f"# configuration file: {config.file or 'none found'}"]
    width = max(len(f"{n} = {_show(s.value)}") for n, s in config.settings.items())
    for name in KEYS:
        s = config.settings[name]
        lines.append(f"{name} = {_show(s.value)}".ljust(width) + f"  # {s.origin}")
    return "\n".join(lines) + "\n"
