"""Room for deeply nested code: a thread with a large stack and a recursion limit to match.

libclang's parser and the recursive-descent lowering both recurse once per nesting level: 250 nested blocks
(clang's bracket limit is 256) or a 10,000-branch `else if` chain (no limit at all) overflow the default stacks.
libclang normally parses on a helper thread of its own with an 8 MiB stack; LIBCLANG_NOTHREADS makes it parse on
the calling thread, which is the large one. The lowering bounds its own nesting (lower.MAX_NESTING) well below the
recursion limit set here, so a RecursionError never surfaces inside a libclang callback (where ctypes would print
it and cut the visit short).
"""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

STACK_BYTES = 512 << 20  # reserved address space: only the pages a deep walk touches are ever used
RECURSION_LIMIT = 400_000
_NO_THREADS = "LIBCLANG_NOTHREADS"


def run_with_deep_stack(fn: Callable[[], T]) -> T:
    """`fn()` on a thread with a large stack; its result returned, its exception re-raised here."""
    outcome: dict[str, object] = {}

    def body() -> None:
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread as is
            outcome["error"] = exc
        finally:
            sys.setrecursionlimit(old_limit)

    old_env = os.environ.get(_NO_THREADS)
    old_size = threading.stack_size()
    try:
        threading.stack_size(STACK_BYTES)
        thread = threading.Thread(target=body, name="leakscan-deep-stack", daemon=True)
        os.environ[_NO_THREADS] = "1"
        thread.start()
    except (RuntimeError, ValueError, MemoryError):  # no room for such a stack here: run as usual
        _restore(old_env)
        return fn()
    finally:
        threading.stack_size(old_size)
    try:
        thread.join()
    finally:
        _restore(old_env)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def _restore(old: str | None) -> None:
    if old is None:
        os.environ.pop(_NO_THREADS, None)
    else:
        os.environ[_NO_THREADS] = old
