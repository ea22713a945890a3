"""Jobs in worker processes, one job at a time per worker, each with a deadline.

A worker that dies (libclang crashed) or overruns its deadline (libclang hung) costs only the job it was running:
it is killed, replaced by a fresh worker, and that job's outcome says what happened. Workers live for the whole
run otherwise, so per-process caches (declarations of shared headers) keep their value.
"""
from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")


@dataclass(frozen=True)
class Done(Generic[R]):
    value: R


@dataclass(frozen=True)
class Failed:
    """The job produced no result: `reason` is 'crashed', 'timeout' or 'error' (with `message`)."""
    reason: str
    message: str = ""


Outcome = Done[Any] | Failed


def _serve(conn: Any, fn: Callable[[Any], Any]) -> None:
    """Worker loop: receive (index, job), send (index, Done | Failed) back; None ends it."""
    gc.enable()  # a forked worker inherits the parent's paused collector (phase1 pauses it while results arrive)
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        index, job = item
        try:
            outcome: Any = Done(fn(job))
        except Exception as exc:  # a bug for this job: the others go on
            outcome = Failed("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send((index, outcome))
        except Exception as exc:  # the result cannot be pickled
            conn.send((index, Failed("error", f"{type(exc).__name__}: {exc}")))


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, fn), daemon=True, name="leakscan-worker")
        self.proc.start()
        child.close()
        self.index: int | None = None
        self.deadline = 0.0

    def give(self, index: int, job: Any, timeout: float) -> None:
        self.index = index
        self.deadline = time.monotonic() + timeout if timeout > 0 else float("inf")
        self.conn.send((index, job))

    def stop(self, kill: bool) -> None:
        if kill:
            self.proc.kill()  # only this worker, which we started
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(timeout=None if kill else 5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def run_jobs(fn: Callable[[J], R], jobs: Sequence[J], workers: int, timeout: float = 0.0,
             on_outcome: Callable[[int, Outcome], None] | None = None) -> list[Outcome]:
    """`fn(job)` for every job in at most `workers` processes (`fn` must be a module-level function); a job
    running longer than `timeout` seconds (0: no limit) is stopped. Outcomes in the order of `jobs`."""
    ctx = multiprocessing.get_context()
    outcomes: dict[int, Outcome] = {}
    pending = deque(range(len(jobs)))
    pool: list[_Worker] = []
    busy: list[_Worker] = []

    def finish(w: _Worker, outcome: Outcome, replace: bool) -> None:
        assert w.index is not None
        outcomes[w.index] = outcome
        busy.remove(w)
        if on_outcome:
            on_outcome(w.index, outcome)
        w.index = None
        if replace:
            pool.remove(w)
            w.stop(kill=True)

    try:
        while pending or busy:
            while pending and len(busy) < workers:
                idle = next((w for w in pool if w.index is None), None)
                if idle is None:
                    idle = _Worker(ctx, fn)
                    pool.append(idle)
                i = pending[0]
                try:
                    idle.give(i, jobs[i], timeout)
                except OSError:  # this idle worker died (killed from outside): another one takes the job
                    idle.index = None
                    pool.remove(idle)
                    idle.stop(kill=True)
                    continue
                pending.popleft()
                busy.append(idle)
            wait = min(w.deadline for w in busy) - time.monotonic()
            ready = multiprocessing.connection.wait(
                [w.conn for w in busy] + [w.proc.sentinel for w in busy],
                timeout=None if wait == float("inf") else max(wait, 0.0))
            for w in list(busy):
                if w.conn in ready:
                    try:
                        _, outcome = w.conn.recv()
                    except (EOFError, OSError):  # died while answering
                        finish(w, Failed("crashed"), replace=True)
                        continue
                    finish(w, outcome, replace=False)
                elif w.proc.sentinel in ready:
                    finish(w, Failed("crashed"), replace=True)
                elif time.monotonic() >= w.deadline:
                    finish(w, Failed("timeout"), replace=True)
    finally:
        for w in pool:
            w.stop(kill=w.index is not None)
    return [outcomes[i] for i in range(len(jobs))]
