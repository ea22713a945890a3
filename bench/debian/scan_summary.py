"""Summarize saved `leakscan scan --format json` results as one Markdown table row each, plus the first diagnostics.

    python scan_summary.py RESULTS_DIR NAME...      # reads NAME.json and NAME.timing (key=value lines)
    python scan_summary.py --header

The .timing file is written by scan.sh: scan_seconds, and for compile databases clang_seconds and clang_errors.
Standard library only, so it reads results of any leakscan version.
"""
from __future__ import annotations

import json
import os
import sys

COLUMNS = ("codebase", "TUs", "degraded", "failed", "functions", "findings", "scan s", "clang -fsyntax-only s",
           "ratio", "clang errors")


def read_timing(path: str) -> dict[str, str]:
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as fh:
        return dict(line.strip().split("=", 1) for line in fh if "=" in line)


def row(results: str, name: str) -> tuple[str, list[str]]:
    with open(os.path.join(results, f"{name}.json"), encoding="utf-8") as fh:
        data = json.load(fh)
    t = read_timing(os.path.join(results, f"{name}.timing"))
    s = data["stats"]
    scan = float(t["scan_seconds"]) if "scan_seconds" in t else None
    clang = float(t["clang_seconds"]) if "clang_seconds" in t else None
    ratio = f"{scan / clang:.1f}x" if scan and clang else "-"
    cells = [name, s["tus"], s["degraded_tus"], s["failed_tus"], s["functions"], len(data["findings"]),
             f"{scan:.1f}" if scan is not None else "-", f"{clang:.1f}" if clang is not None else "-", ratio,
             t.get("clang_errors", "-")]
    diags = [f"  {d['severity']}: {d['file']}:{d['line']}: {d['message']}" for d in data.get("diagnostics", [])]
    return "| " + " | ".join(str(c) for c in cells) + " |", diags


def main(argv: list[str]) -> int:
    if argv[:1] == ["--header"]:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
        return 0
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    results, names = argv[0], argv[1:]
    for name in names:
        try:
            line, diags = row(results, name)
        except (OSError, ValueError, KeyError) as exc:
            print(f"{results}/{name}.json: cannot summarize: {exc}", file=sys.stderr)
            return 1
        print(line)
        for d in diags[:5]:
            print(d, file=sys.stderr)
        if len(diags) > 5:
            print(f"  ... {len(diags) - 5} more diagnostics", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
