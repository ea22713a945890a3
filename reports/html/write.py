"""Writing the report atomically: a whole folder swapped in at once, or a single file."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

_OUR_FILES = re.compile(r"index\.html|finding-\d+\.html|fixes\.patch")


def write_file_atomically(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_dir_atomically(out_dir: Path, files: dict[str, Callable[[], str]]) -> list[Path]:
    if out_dir.exists() and (not out_dir.is_dir() or any(
            not _OUR_FILES.fullmatch(p.name) for p in out_dir.iterdir())):
        raise FileExistsError(f"{out_dir} exists and holds files that are not part of a report")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
    old: Path | None = None
    try:
        for name, render in files.items():
            (tmp / name).write_text(render(), encoding="utf-8", newline="\n")
        os.chmod(tmp, 0o755)
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".old"))
            os.rename(out_dir, old / "report")
        os.rename(tmp, out_dir)
    except BaseException:
        if old is not None and not out_dir.exists():
            os.rename(old / "report", out_dir)  # put the previous report back
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return [out_dir / name for name in files]
