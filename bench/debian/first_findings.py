"""Print the first N findings of a saved `leakscan scan --format json` result, one line each, for hand review.

    python bench/debian/first_findings.py RESULT.json [N]
"""
from __future__ import annotations

import collections
import json
import os
import sys


def main() -> int:
    data = json.loads(open(sys.argv[1], encoding="utf-8").read())
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    s = data["stats"]
    findings = data["findings"]
    print(f"tus={s['tus']} degraded={s['degraded_tus']} failed={s['failed_tus']} functions={s['functions']} "
          f"findings={len(findings)} seconds={s['seconds']}")
    print("by rule:", dict(collections.Counter(f["rule_id"] for f in findings)))
    print("by confidence:", dict(collections.Counter(f["confidence"] for f in findings)))
    root = data.get("root", "")
    for i, f in enumerate(findings[:n], 1):
        rel = os.path.relpath(f["loc"]["file"], root) if root else f["loc"]["file"]
        acq = f["acquire"]["line"] if f.get("acquire") else "?"
        print(f"{i:2}. {rel}:{f['loc']['line']} {f['function']}() [{f['rule_id']}] '{f['var']}' "
              f"by {f['acquirer']}() at {acq} ({f['confidence']}, {f['rule_source']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
