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


class OutputError(InputError):
    """An output file or folder that cannot be written: names the path and the reason, on one line."""

    def __init__(self, path: str | Path, message: str):
        super().__init__(str(path), None, message)


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _check_parent(path: str | Path, parent: Path) -> None:
    """The folder that will hold `path` exists and is a folder (OutputError naming the culprit otherwise)."""
    if parent.is_dir():
        return
    if parent.exists():
        raise OutputError(path, f"{parent} is not a directory")
    blocker = next((p for p in parent.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(path, f"{blocker} is not a directory")
    raise OutputError(path, f"directory {parent} does not exist")


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write next to the target, then rename over it. The parent folder must exist (OutputError otherwise, and
    when it cannot be written). Lone surrogates (sourcetext.read_source_exact) are written as the bytes they
    stand for."""
    return write_bytes_atomic(path, text.encode("utf-8", errors="surrogateescape"))


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """write_text_atomic for bytes: a reader sees the old file or the whole new one, never a part."""
    target = Path(path)
    _check_parent(path, target.parent)
    if target.is_dir():
        raise OutputError(path, "is a directory")
    try:
        fd, tmp = tempfile.mkstemp(dir=str(target.parent), prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(path, f"cannot write in {target.parent}: {_why(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _default_mode())  # mkstemp makes 0600; an output file gets the usual mode
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(path, f"cannot write: {_why(exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def check_report_dir(out_dir: Path) -> None:
    """FileExistsError when `out_dir` exists and is not a folder holding nothing but an earlier report."""
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir} is a file, not a report folder")
    if out_dir.exists() and any(not _REPORT_FILES.fullmatch(p.name) for p in out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} exists and holds files that are not part of a report")


def replace_dir_atomic(out_dir: Path, files: Mapping[str, str]) -> list[Path]:
    """Write `files` (name -> text) into a fresh folder and swap it in place of `out_dir` at once.

    An existing `out_dir` is replaced only when it holds nothing but an earlier report (FileExistsError otherwise).
    Its parent folders are created; OutputError when that, or writing, is not possible.
    """
    check_report_dir(out_dir)
    blocker = next((p for p in out_dir.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(out_dir, f"{blocker} is not a directory")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.", suffix=".tmp"))
    except OSError as exc:
        raise OutputError(out_dir, f"cannot create the report folder: {_why(exc)}") from None
    try:
        return _swap_in(out_dir, tmp, files)
    except OSError as exc:
        raise OutputError(out_dir, f"cannot write the report: {_why(exc)}") from None


def make_dirs(folder: Path) -> None:
    """`mkdir -p`, with an OutputError naming what is in the way."""
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(folder, f"{blocker} is not a directory")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(folder, f"cannot create the folder: {_why(exc)}") from None


def _swap_in(out_dir: Path, tmp: Path, files: Mapping[str, str]) -> list[Path]:
    old: Path | None = None
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8", errors="surrogateescape", newline="\n")
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
