"""Helpers for the workflow tests: the real CLI in a subprocess, projects written from snippets, git repositories."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import without_progress

REPO = Path(__file__).resolve().parents[2]


def leakscan(*args: str, cwd: Path | str | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return without_progress(subprocess.run(
        [sys.executable, "-m", "analyzer", *args], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=timeout))


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args], cwd=root,
                          capture_output=True, text=True, check=True)
    return proc.stdout


@pytest.fixture
def project(tmp_path: Path):
    def make(files: dict[str, str]) -> Path:
        return write(tmp_path / "proj", files)
    return make
