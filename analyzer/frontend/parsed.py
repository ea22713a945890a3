"""What parsing one TU gives back to the pipeline, and which files are project code (no libclang needed here)."""
from __future__ import annotations

import os
from dataclasses import dataclass

from analyzer import ir


@dataclass(frozen=True)
class Parsed:
    """A TU's IR and the files its parse read: the main file and every file it included (absolute paths)."""
    module: ir.Module
    includes: tuple[str, ...] = ()
    clang_seconds: float = 0.0  # libclang's parse alone; the rest of module.parse_seconds is walking and lowering


SYSTEM_PREFIXES = ("/usr/", "/lib/", "/lib64/", "/opt/homebrew/", "/Library/", "/System/")


def default_is_project(path: str) -> bool:
    # libclang may spell system headers through its own install dir (`.../native/../lib/gcc/...`)
    norm = os.path.normpath(path)
    return (not norm.startswith(SYSTEM_PREFIXES) and "/site-packages/" not in norm
            and os.path.basename(norm) != "<built-in>")
