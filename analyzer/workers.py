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
from multiprocessing.reduction import ForkingPickler
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


# A worker gets its next job while it still runs the current one, so that it starts it as soon as it has sent its
# result, instead of idling while the parent reads and unpickles that result (a large TU's IR takes a tenth of a
# second). Only small jobs are sent ahead: a job larger than the pipe's buffer would block the parent's send while
# the worker blocks sending its result.
PREFETCH = 2  # jobs a worker holds at most: the one it runs and the next
PREFETCH_MAX_BYTES = 32 << 10


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, fn), daemon=True, name="leakscan-worker")
        self.proc.start()
        child.close()
        self.queue: deque[int] = deque()  # the jobs sent, the one running first
        self.deadline = 0.0
        self.timeout = 0.0
        self.broken = False  # a send failed: it died, take nothing more

    @property
    def index(self) -> int | None:
        """The job it runs, None when idle."""
        return self.queue[0] if self.queue else None

    def can_take(self, data: bytes) -> bool:
        return not self.broken and len(self.queue) < PREFETCH and len(data) <= PREFETCH_MAX_BYTES

    def give(self, index: int, data: bytes, timeout: float) -> None:
        """Send a pickled (index, job); it starts now when the worker is idle, else after the current one."""
        self.conn.send_bytes(data)
        self.queue.append(index)
        self.timeout = timeout
        if len(self.queue) == 1:
            self._started()

    def _started(self) -> None:
        self.deadline = time.monotonic() + self.timeout if self.timeout > 0 else float("inf")

    def done(self) -> int:
        """The running job ended: the index of that job; the next one sent (if any) runs from now on."""
        index = self.queue.popleft()
        if self.queue:
            self._started()
        return index

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
    pickled: dict[int, bytes] = {}

    def payload(i: int) -> bytes:
        if i not in pickled:
            pickled[i] = bytes(ForkingPickler.dumps((i, jobs[i])))
        return pickled[i]

    def finish(w: _Worker, outcome: Outcome, replace: bool) -> None:
        index = w.done()
        outcomes[index] = outcome
        if on_outcome:
            on_outcome(index, outcome)
        if replace:  # the jobs sent ahead never started: they go back to the front of the queue
            pending.extendleft(reversed(w.queue))
            w.queue.clear()
            pool.remove(w)
            w.stop(kill=True)
        if not w.queue:
            busy.remove(w)

    def dispatch() -> None:
        while pending:
            data = payload(pending[0])
            target = next((w for w in pool if w.index is None), None)
            if target is None and len(pool) < workers:
                target = _Worker(ctx, fn)
                pool.append(target)
            if target is None and len(pending) > workers:  # near the end, the first worker free takes the job
                target = next((w for w in busy if w.can_take(data)), None)
            if target is None:
                return
            try:
                target.give(pending[0], data, timeout)
            except OSError:  # this worker died (killed from outside): another one takes the job
                target.broken = True
                if not target.queue:  # else its death is the outcome of the job it runs, seen by the wait
                    pool.remove(target)
                    target.stop(kill=True)
                continue
            pickled.pop(pending.popleft(), None)
            if target not in busy:
                busy.append(target)

    try:
        while pending or busy:
            dispatch()
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
