"""Paths relative to the scan root, for stable output."""
from __future__ import annotations

import os


def relative(path: str, root: str) -> str:
    if not path or not os.path.isabs(path):
        return path  # already relative to the root
    ap = path
    try:
        rel = os.path.relpath(ap, root)
    except ValueError:
        return ap
    return ap if rel.startswith("..") else rel
