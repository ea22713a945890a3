"""Shared helpers for the report tests: a scratch git repository."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest


class GitRepo:
    """A throwaway git repository to prove that patches apply with `git apply`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q")

    def git(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=self.path, input=stdin, text=True,
                              capture_output=True, check=check)

    def write(self, rel: str, text: str) -> Path:
        path = self.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
        return path

    def apply(self, patch: str) -> None:
        """`git apply --check` then `git apply`; fails the test with git's message."""
        for extra in (["--check"], []):
            proc = self.git("apply", *extra, "-", stdin=patch, check=False)
            assert proc.returncode == 0, f"git apply {extra} failed: {proc.stderr}\n{patch}"

    def read(self, rel: str) -> str:
        return (self.path / rel).read_bytes().decode()


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    return GitRepo(tmp_path / "repo")


def render_html(result, out: Path, *, single_file: bool = False, source_reader=None) -> list[Path]:
    """What `leakscan report`/`scan --format html` do: fixes attached, then the report written atomically."""
    from analyzer.cli.output import write_html
    from analyzer.fixes import attach_fixes
    from reports.html.source import file_reader

    result = attach_fixes(result, source_reader or file_reader(result.root))
    return write_html(result, out, single_file=single_file, source_reader=source_reader)
