"""Atomic writes: a reader never sees a half-written output file or report folder."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import InputError

# What a report folder may already hold: we replace our own reports, never a folder of someone else's files.
_REPORT_FILES = re.compile(r"index\.html|finding-\d+\.html|fixes\.patch|leakscan\.(sarif|json)")


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write next to the target, then rename over it. The parent folder must exist (InputError otherwise)."""
    target = Path(path)
    parent = target.parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise InputError(str(path), None, f"directory {parent} {what}")
    fd, tmp = tempfile.mkstemp(dir=str(parent), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, _default_mode())  # mkstemp makes 0600; an output file gets the usual mode
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def check_report_dir(out_dir: Path) -> None:
    """FileExistsError when `out_dir` exists and is not a folder holding nothing but an earlier report."""
    if out_dir.exists() and (not out_dir.is_dir() or any(
            not _REPORT_FILES.fullmatch(p.name) for p in out_dir.iterdir())):
        raise FileExistsError(f"{out_dir} exists and holds files that are not part of a report")


def replace_dir_atomic(out_dir: Path, files: Mapping[str, str]) -> list[Path]:
    """Write `files` (name -> text) into a fresh folder and swap it in place of `out_dir` at once.

    An existing `out_dir` is replaced only when it holds nothing but an earlier report (FileExistsError otherwise).
    """
    check_report_dir(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
    old: Path | None = None
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8", newline="\n")
        os.chmod(tmp, 0o777 & ~(0o666 ^ _default_mode()))
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
