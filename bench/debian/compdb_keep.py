"""Tidy a compile_commands.json in place: keep the entries under given source folders, drop repeated files.

    python3 compdb_keep.py DB SRC_ROOT DIR...   # keep entries whose file lies under SRC_ROOT/DIR
    python3 compdb_keep.py --check DB           # drop repeats; fail unless every listed file exists

Make-based builds recorded by bear list vendored dependencies, and many builds compile files twice (static and
shared objects); a scan should see each of the project's own files once. Standard library only (runs before any venv).
"""
from __future__ import annotations

import json
import os
import sys


def entry_file(entry: dict) -> str:
    return os.path.normpath(os.path.join(entry["directory"], entry["file"]))


def keep_under(entries: list[dict], root: str, dirs: list[str]) -> list[dict]:
    prefixes = tuple(os.path.join(os.path.realpath(root), d).rstrip("/") + "/" for d in dirs)
    return [e for e in entries if os.path.realpath(entry_file(e)).startswith(prefixes)]


def argv_of(entry: dict) -> list[str]:
    return entry.get("arguments") or entry.get("command", "").split()


def one_per_file(entries: list[dict]) -> list[dict]:
    """One entry per file, in first-seen order. Of a file's repeats keep the shortest command (the static object
    rather than the -fPIC one), ties broken by text, so the choice does not depend on the order of a parallel build."""
    chosen: dict[str, dict] = {}
    for e in entries:
        f = os.path.realpath(entry_file(e))
        old = chosen.get(f)
        if old is None or (len(argv_of(e)), argv_of(e)) < (len(argv_of(old)), argv_of(old)):
            chosen[f] = e
    return list(chosen.values())


def main(argv: list[str]) -> int:
    check = argv[:1] == ["--check"]
    args = argv[1:] if check else argv
    if (check and len(args) != 1) or (not check and len(args) < 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    db = args[0]
    try:
        with open(db, encoding="utf-8") as fh:
            entries = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"{db}: cannot read compile database: {exc}", file=sys.stderr)
        return 1
    before = len(entries)
    entries = one_per_file(entries if check else keep_under(entries, args[1], args[2:]))
    missing = [entry_file(e) for e in entries if not os.path.isfile(entry_file(e))]
    with open(db, "w", encoding="utf-8") as fh:
        json.dump(entries, fh, indent=2)
    print(f"{db}: {len(entries)} of {before} entries kept", file=sys.stderr)
    if check and (missing or not entries):
        print(f"{db}: {'no entries' if not entries else 'missing file ' + missing[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
