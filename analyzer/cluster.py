"""Phase 1 on a Dask distributed cluster (--executor dask): one task per TU, results back as they finish.

`distributed` is imported only here, when the executor is used. With a scheduler address the tasks go to that
cluster, whose workers need this same analyzer package (and libclang) installed and either the source tree at the
same path or the sources shipped with each task (--ship-sources); without one a LocalCluster of worker processes
starts on this machine for the scan. A TU whose worker dies (libclang crashed) is retried by Dask on another worker
and, when it kills that one too, marked failed. The per-TU timeout is not enforced on a cluster.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from .errors import InputError
from .phase1 import Executor, Limits, Task, lower_task
from .shipping import SourceShipper
from .workers import Done, Failed, Outcome

log = logging.getLogger(__name__)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError("--executor dask", None, "needs the 'distributed' package (pip install distributed)") \
            from None
    return distributed


def _connect(distributed: Any, scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    """(client, the LocalCluster we started or None)."""
    if scheduler:
        try:
            return distributed.Client(scheduler, timeout="30s"), None
        except (OSError, TimeoutError) as exc:
            raise InputError(scheduler, None, f"cannot reach the Dask scheduler: {exc}") from None
    cluster = distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                       processes=True, dashboard_address=":0")
    return distributed.Client(cluster), cluster


def dask_executor(scheduler: str | None, ship_sources: bool, workers: int | None) -> Executor:
    def run(tasks: Sequence[Task], limits: Limits, record: Callable[[int, Outcome], None]) -> None:
        if not tasks:
            return
        distributed = _distributed()
        if not logging.getLogger().isEnabledFor(logging.INFO):  # Dask's own INFO lines only with -v
            for name in ("distributed", "bokeh", "tornado"):
                logging.getLogger(name).setLevel(logging.WARNING)
        shipper = SourceShipper() if ship_sources else None
        client, cluster = _connect(distributed, scheduler, workers)
        try:
            futures = {}
            for k, task in enumerate(tasks):
                if shipper is not None:
                    task = Task(task.job, True, shipper.sources(task.job))
                futures[client.submit(lower_task, task, pure=False)] = k
            for future in distributed.as_completed(futures):
                record(futures[future], _outcome(distributed, future))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    return run


def _outcome(distributed: Any, future: Any) -> Outcome:
    try:
        return Done(future.result())
    except distributed.KilledWorker:
        return Failed("crashed")
    except Exception as exc:  # a bug while lowering this TU: the others go on
        return Failed("error", f"{type(exc).__name__}: {exc}")
