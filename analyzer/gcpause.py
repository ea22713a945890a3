"""Pause Python's cyclic garbage collector while a phase builds many long-lived, acyclic objects.

Lowering a TU creates hundreds of thousands of cursors and IR objects, and the main process of a scan receives every
TU's IR: each young-generation collection re-traverses the survivors, so with the collector running a TU's walk
spends over a tenth of its time in it (and the main process more as the program's IR grows). None of these objects
form reference cycles (they are freed by reference counting alone), so nothing is lost by pausing the collector;
it resumes as it was afterwards.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
