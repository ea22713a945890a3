"""Progress of a scan on standard error: a bar per stage on a terminal (tqdm: count, current file, ETA), one plain
line per stage otherwise, nothing at all when quiet."""
from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

_UNITS = {"parse": ("TU", "translation units parsed"), "analyze": ("fn", "functions analyzed")}


class ScanProgress:
    def __init__(self, stream: TextIO | None = None, quiet: bool = False, terminal: bool | None = None,
                 redraw_seconds: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.redraw_seconds = redraw_seconds
        self.quiet = quiet
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self._bar: Any = None
        self._stage = ""
        self._started = time.perf_counter()
        self._first = 0

    def __call__(self, stage: str, done: int, total: int, item: str) -> None:
        if self.quiet:
            return
        if stage != self._stage:
            self.close()
            self._stage, self._started, self._first = stage, time.perf_counter(), done
            if self.terminal:
                from tqdm import tqdm
                unit = _UNITS.get(stage, ("", ""))[0]
                self._bar = tqdm(total=total, initial=done, desc=stage, unit=unit, file=self.stream, leave=False,
                                 dynamic_ncols=True, mininterval=self.redraw_seconds)
        if self._bar is not None:
            if item:
                self._bar.set_postfix_str(os.path.basename(item), refresh=False)
            self._bar.update(done - self._bar.n)
        if done == total:
            self._finish(done, total)

    def _finish(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if not self._stage:
            return
        what = _UNITS.get(self._stage, ("", self._stage))[1]
        reused = f" ({self._first} from the cache)" if self._stage == "parse" and self._first else ""
        self.stream.write(f"leakscan: {done}/{total} {what}{reused} in {time.perf_counter() - self._started:.1f} s\n")
        self.stream.flush()
        self._stage = ""

    def close(self) -> None:
        """Ends an unfinished bar (an error stopped the scan)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self._stage = ""
