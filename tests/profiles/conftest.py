"""Fixtures for the profile tests: the real leaky program run under every profiler (session-cached)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import realrun  # noqa: E402

DATA = ROOT / "tests" / "data" / "profiles"


@pytest.fixture(scope="session")
def real() -> realrun.RealRun:
    """leaky.cpp built with tcmalloc, g++ LSan and plain, run under each profiler (cached)."""
    if not realrun.have_tcmalloc():
        pytest.skip("needs g++ and gperftools (libgoogle-perftools-dev)")
    return realrun.build_and_run()


@pytest.fixture(scope="session")
def lines() -> dict[str, int]:
    """Line numbers of the `// @marker` comments in leaky.cpp."""
    return realrun.markers()


def need(path: Path | None, what: str) -> Path:
    if path is None:
        pytest.skip(f"needs {what}")
    return path
