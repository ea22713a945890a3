"""The code base passes its own linters: ruff (incl. the clang wall, TID251) and mypy, as configured in pyproject."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    pytest.importorskip("ruff", reason="ruff is a test dependency (pyproject [test] extra)")
    proc = _run("ruff", "check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    pytest.importorskip("mypy", reason="mypy is a test dependency (pyproject [test] extra)")
    proc = _run("mypy", "--cache-dir", str(REPO / ".mypy_cache"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
