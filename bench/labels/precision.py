"""Precision of leakscan's first N findings on a real codebase, from findings labelled by hand.

    python bench/labels/precision.py RESULT.json LABELS.json [--first N] [--lost OLD_RESULT.json]

RESULT.json is `leakscan scan --format json` output; LABELS.json (one per codebase, beside this script) holds
{"codebase", "build", "revision", "labels": [{"file", "line", "function", "rule", "var", "acquire_line",
"verdict": "TP" | "FP", "reason"}]} with `file` relative to the scanned root. A finding matches a label by
(file, function, rule, var, acquire line, line), or without the line when the code is unchanged but the reported
exit moved. Prints the first N in leakscan's order with their verdicts, the precision, and the findings still to
label. With --lost, also lists labelled true findings of OLD_RESULT that the new result no longer reports.
"""
from __future__ import annotations

import argparse
import json
import os
import sys


def _key(f: dict, root: str) -> tuple:
    file = os.path.relpath(f["loc"]["file"], root) if root else f["loc"]["file"]
    acq = f["acquire"]["line"] if f.get("acquire") else 0
    return (file, f["function"], f["rule_id"], f.get("var", ""), acq, f["loc"]["line"])


def _label_keys(label: dict) -> tuple[tuple, tuple]:
    full = (label["file"], label["function"], label["rule"], label.get("var", ""), label.get("acquire_line", 0),
            label["line"])
    return full, full[:5]


def _index(labels: list[dict]) -> tuple[dict, dict]:
    exact, loose = {}, {}
    for lb in labels:
        full, short = _label_keys(lb)
        exact[full] = lb
        loose.setdefault(short, lb)
    return exact, loose


def _lookup(key: tuple, exact: dict, loose: dict) -> dict | None:
    return exact.get(key) or loose.get(key[:5])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("result")
    ap.add_argument("labels")
    ap.add_argument("--first", type=int, default=30)
    ap.add_argument("--lost", metavar="OLD_RESULT", help="list labelled true findings of an older result now gone")
    args = ap.parse_args(argv)
    result = json.load(open(args.result, encoding="utf-8"))
    labels = json.load(open(args.labels, encoding="utf-8"))
    exact, loose = _index(labels["labels"])
    root = result.get("root", "")
    findings = result["findings"]
    first = findings[:args.first]
    tp = fp = 0
    missing = []
    for i, f in enumerate(first, 1):
        key = _key(f, root)
        lb = _lookup(key, exact, loose)
        verdict = lb["verdict"] if lb else "??"
        tp += verdict == "TP"
        fp += verdict == "FP"
        if lb is None:
            missing.append(key)
        print(f"{i:2}. {verdict} {key[0]}:{key[5]} {key[1]}() [{key[2]}] '{key[3]}' "
              f"(score {f.get('score', '-')}) {lb['reason'] if lb else ''}")
    judged = tp + fp
    print(f"{labels['codebase']}: {len(findings)} findings; first {len(first)}: {tp} TP, {fp} FP, "
          f"{len(missing)} unlabelled; precision {100.0 * tp / judged if judged else 0:.1f}%")
    if args.lost:
        old = json.load(open(args.lost, encoding="utf-8"))
        now = {_key(f, root)[:5] for f in findings}
        for f in old["findings"]:
            key = _key(f, old.get("root", ""))
            lb = _lookup(key, exact, loose)
            if lb and lb["verdict"] == "TP" and key[:5] not in now:
                print(f"lost TP: {key[0]}:{key[5]} {key[1]}() [{key[2]}] '{key[3]}': {lb['reason']}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
