"""Suppressions: inline `// leakscan-ignore[ruleId]: reason` comments (also `/* */`) on a finding's line or the line
above, and suppression files of `[[suppress]]` entries (rule, path glob, function glob, reason). Suppressed findings
leave the counts but stay listed; a suppression that matches nothing is reported as stale."""
from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from .config import toml_error_line
from .errors import InputError, read_input_text
from .globs import glob_matches, name_matches
from .model import AnalysisResult, Finding, RuleId, SuppressedFinding, Suppression

__all__ = ["SuppressionError", "apply_suppressions", "inline_suppressions", "load_suppression_file",
           "source_files_under"]

MARKER = "leakscan-ignore"
# comments and literals in source order, so that a marker inside a string is not a suppression
_TOKENS = re.compile(r"//(?:[^\n\\]|\\.)*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?", re.S)
_INLINE = re.compile(rf"{MARKER}\[([^\]]*)\](?:\s*:\s*(.*?))?\s*(?:\*/)?\s*$", re.S)
_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".c++", ".C", ".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp",
                    ".tcc")
_FILE_KEYS = {"rule", "rules", "path", "function", "reason", "fingerprint"}
_MAX_WALK = 50_000


class SuppressionError(InputError):
    """A malformed suppression file: names the file, the line and the key."""


# ---- inline comments -------------------------------------------------------------------------------------------

def inline_suppressions(path: str, text: str) -> list[Suppression]:
    """Every `leakscan-ignore[...]` comment of one file; `line` is the comment's last line."""
    if MARKER not in text:
        return []
    out = []
    for m in _TOKENS.finditer(text):
        token = m.group()
        if not token.startswith(("//", "/*")) or MARKER not in token:
            continue
        body = token[2:]
        at = body.find(MARKER)
        parsed = _INLINE.match(body[at:].strip().rstrip("/").rstrip("*").rstrip() if token.startswith("/*")
                               else body[at:])
        if parsed is None:
            continue
        rules = tuple(r.strip() for r in parsed.group(1).split(",") if r.strip() and r.strip() != "*")
        reason = " ".join((parsed.group(2) or "").split())
        line = text.count("\n", 0, m.end() - (1 if token.endswith("\n") else 0)) + 1
        out.append(Suppression("inline", path, line, rules, reason))
    return out


def source_files_under(roots: Iterable[str], skip: Callable[[str], bool] = lambda p: False) -> list[str]:
    """C/C++ files under the given folders (hidden folders skipped) that mention the marker: where inline
    suppressions can live even when no TU of the scan is the file itself (headers)."""
    found: list[str] = []
    seen = 0
    for root in roots:
        if not os.path.isdir(root) or os.path.abspath(root) == os.path.abspath(os.sep):
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                seen += 1
                if seen > _MAX_WALK:
                    return found
                path = os.path.join(folder, name)
                if name.endswith(_SOURCE_SUFFIXES) and not skip(path) and _mentions_marker(path):
                    found.append(path)
    return found


def _mentions_marker(path: str) -> bool:
    try:
        return MARKER.encode() in Path(path).read_bytes()
    except OSError:
        return False


# ---- suppression files -----------------------------------------------------------------------------------------

def load_suppression_file(path: str) -> list[Suppression]:
    text = read_input_text(path, SuppressionError, "suppression file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SuppressionError(path, toml_error_line(exc, text), f"invalid TOML: {exc}") from None
    headers = [n for n, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*suppress\s*\]\]", line)]
    unknown = set(data) - {"suppress"}
    if unknown:
        key = sorted(unknown)[0]
        raise SuppressionError(path, _key_line(text, key, 1), f"unknown key '{key}' (expected [[suppress]] entries)")
    entries = data.get("suppress", [])
    if not isinstance(entries, list):
        raise SuppressionError(path, _key_line(text, "suppress", 1), "'suppress' must be an array of tables "
                                                                      "([[suppress]])")
    return [_entry(path, text, entry, headers[n] if n < len(headers) else 1) for n, entry in enumerate(entries)]


def _key_line(text: str, key: str, start: int) -> int:
    lines = text.splitlines()
    for n in range(start, len(lines) + 1):
        if n > start and re.match(r"\s*\[", lines[n - 1]):
            break
        if re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", lines[n - 1]):
            return n
    return start


def _entry(path: str, text: str, entry: Any, header: int) -> Suppression:
    if not isinstance(entry, dict):
        raise SuppressionError(path, header, "'suppress' must be an array of tables ([[suppress]])")
    for key in entry:
        if key not in _FILE_KEYS:
            raise SuppressionError(path, _key_line(text, key, header),
                                   f"[[suppress]]: unknown key '{key}' (known: {', '.join(sorted(_FILE_KEYS))})")
    for key in ("rule", "path", "function", "reason", "fingerprint"):
        if key in entry and not isinstance(entry[key], str):
            raise SuppressionError(path, _key_line(text, key, header), f"[[suppress]]: '{key}' must be a string")
    rules_value = entry.get("rules", [entry["rule"]] if "rule" in entry else [])
    if not isinstance(rules_value, list) or not all(isinstance(r, str) for r in rules_value):
        raise SuppressionError(path, _key_line(text, "rules", header), "[[suppress]]: 'rules' must be an array of "
                                                                        "strings")
    known = {r.value for r in RuleId}
    for rule in rules_value:
        if rule not in known:
            key = "rules" if "rules" in entry else "rule"
            raise SuppressionError(path, _key_line(text, key, header),
                                   f"[[suppress]]: unknown ruleId '{rule}' (known: {', '.join(sorted(known))})")
    if not str(entry.get("reason", "")).strip():
        raise SuppressionError(path, header, "[[suppress]]: every entry needs a 'reason'")
    if not any(k in entry for k in ("rule", "rules", "path", "function", "fingerprint")):
        raise SuppressionError(path, header, "[[suppress]]: an entry needs at least one of rule, path, function "
                                             "or fingerprint")
    return Suppression("file", path, header, tuple(rules_value), entry["reason"].strip(),
                       path=entry.get("path", ""), function=entry.get("function", ""),
                       fingerprint=entry.get("fingerprint", ""))


# ---- matching --------------------------------------------------------------------------------------------------

def _inline_match(s: Suppression, f: Finding) -> bool:
    if s.rule_ids and f.rule_id not in s.rule_ids:
        return False
    places = [f.loc] + ([f.acquire] if f.acquire is not None else [])
    return any(os.path.abspath(p.file) == os.path.abspath(s.file) and p.line in (s.line, s.line + 1)
               for p in places)


def _file_match(s: Suppression, f: Finding, rel: str, fingerprint: str) -> bool:
    if s.rule_ids and f.rule_id not in s.rule_ids:
        return False
    if s.fingerprint and s.fingerprint != fingerprint:
        return False
    if s.path and not glob_matches(s.path, rel):
        return False
    return not s.function or name_matches(s.function, f.function)


def apply_suppressions(result: AnalysisResult, suppressions: Sequence[Suppression],
                       relative: Callable[[str], str]) -> tuple[AnalysisResult, list[Suppression]]:
    """The result with suppressed findings moved to `suppressed`, and the suppressions that matched nothing."""
    used: set[Suppression] = set()
    kept: list[Finding] = []
    suppressed = list(result.suppressed)
    for f in result.findings:
        rel = relative(f.loc.file)
        fingerprint = f.fingerprint(rel)
        hits = [s for s in suppressions
                if (_inline_match(s, f) if s.kind == "inline" else _file_match(s, f, rel, fingerprint))]
        if not hits:
            kept.append(f)
            continue
        used.update(hits)
        suppressed.append(SuppressedFinding(f, hits[0], fingerprint))
    stale = [s for s in suppressions if s not in used]
    return dataclasses.replace(result, findings=tuple(kept), suppressed=tuple(suppressed)), stale
