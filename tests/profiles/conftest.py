"""Fixtures for the profile tests: the real leaky program run under every profiler (session-cached)."""

from __future__ import annotations

import pytest

from tests.profiles import realrun


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


@pytest.fixture(scope="session")
def more() -> realrun.MoreRun:
    """leaky.cpp linked with jemalloc and plain, run under jemalloc profiling, heaptrack and massif (cached)."""
    if not realrun.have("g++"):
        pytest.skip("needs g++")
    return realrun.build_and_run_more()
