"""Precision (and recall, where a codebase lists the pairs it should have) of `leakscan pairs` against hand labels.

    python bench/pairs/score.py                      # every bench/pairs/*.toml, against its committed listing
    python bench/pairs/score.py redis.toml --pairs OUT.txt   # against a fresh `leakscan pairs -p ...` output

A label file (one per codebase) judges each exported pair by reading the code:

    [[pair]]
    acquirer = "sdsempty"
    releaser = "sdsfree"
    argument = 1                 # 1-based released argument
    verdict = "correct"          # or "incorrect"
    reason = "returns sdsnewlen(\"\", 0); sdsfree frees any sds"

`[[expected]]` entries (acquirer, releaser, argument, reason) are the pairs of two core modules labelled by hand:
recall = the share of them exported. `[not_pairs] functions` lists functions of those modules judged not to be
acquirers or releasers (getters, element removals, registrations): an exported pair using one counts as incorrect
whatever its verdict.
The listing (`<name>.pairs.txt` next to the label file) is the text output of `leakscan pairs` (medium and high).
"""
from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
_LINE = re.compile(r"^(high|medium)\s+\S+\s+.*?: (\S+)\(\)(?:, out-parameter \d+)? -> (\S+)\(\) argument (\d+)")

Key = tuple[str, str, int]


def listed_pairs(text: str) -> set[Key]:
    """(acquirer, releaser, 1-based argument) of every medium or high pair in `leakscan pairs` text output."""
    return {(m[2], m[3], int(m[4])) for line in text.splitlines() if (m := _LINE.match(line))}


def score(labels: dict, exported: set[Key]) -> dict[str, object]:
    verdicts = {(p["acquirer"], p["releaser"], int(p.get("argument", 1))): p["verdict"] for p in labels.get("pair", [])}
    decoys = set(labels.get("not_pairs", {}).get("functions", []))
    judged = [k for k in exported if k in verdicts]
    correct = [k for k in judged if verdicts[k] == "correct" and not {k[0], k[1]} & decoys]
    expected = {(m["acquirer"], m["releaser"], int(m.get("argument", 1))) for m in labels.get("expected", [])}
    out: dict[str, object] = {"exported": len(exported), "judged": len(judged), "correct": len(correct),
                              "precision": round(len(correct) / len(judged), 3) if judged else None,
                              "unjudged": sorted(k for k in exported if k not in verdicts)}
    if expected:
        out["expected"] = len(expected)
        out["recall"] = round(len(expected & exported) / len(expected), 3)
        out["missed"] = sorted(expected - exported)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("labels", nargs="*", help="label files (default: every bench/pairs/*.toml)")
    ap.add_argument("--pairs", help="`leakscan pairs` text output to score (default: <labels>.pairs.txt)")
    args = ap.parse_args(argv)
    files = [Path(f) if Path(f).exists() else HERE / f for f in args.labels] or sorted(HERE.glob("*.toml"))
    for f in files:
        labels = tomllib.loads(f.read_text(encoding="utf-8"))
        listing = Path(args.pairs) if args.pairs else f.with_suffix(".pairs.txt")
        result = score(labels, listed_pairs(listing.read_text(encoding="utf-8")))
        figures = ", ".join(f"{k} {v}" for k, v in result.items() if k not in ("unjudged", "missed"))
        print(f"{f.stem}: {figures}")
        for what in ("unjudged", "missed"):
            for k in result.get(what, []):  # type: ignore[attr-defined]
                print(f"    {what}: {k[0]} -> {k[1]} argument {k[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
