"""One generated program end to end: generate, write, compile, run every input under LSan, scan, judge."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import sidecar as sidecar_mod
from .generate import generate
from .interp import all_inputs
from .judge import Verdict, judge
from .leakscan_cli import ScanResult, scan
from .program import Program
from .render import render
from .sanitizer import Sanitizer, ToolchainError
from .shapes import site_tags
from .sidecar import Sidecar


@dataclass(frozen=True)
class Settings:
    seed: str
    work: Path  # sources, sidecars, leakscan output
    cache: Path  # binaries and run results, by content hash
    cc: str = "gcc"
    leakscan: tuple[str, ...] | None = None  # command prefix; None: this checkout through the current interpreter


def write_program(prog: Program, cov, folder: Path, name: str, index: int | None = None) -> tuple[Path, Sidecar]:
    """`folder/name.c` alone in its folder (leakscan scans the folder) and `folder/../name.json`."""
    rendered = render(prog)
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / f"{name}.c"
    src.write_text(rendered.text)
    data = sidecar_mod.make(prog, rendered, cov, site_tags(prog), src.name, index)
    (folder.parent / f"{name}.json").write_text(json.dumps(data, indent=1))
    return src, Sidecar(data)


def evaluate(prog: Program, cov, src: Path, side: Sidecar, settings: Settings, scan_out: Path) -> dict:
    """Run and scan a written program; the result record the report aggregates."""
    record: dict = {"label": prog.seed, "source": str(src), "shapes": side.data["shapes"], "status": "ok",
                    "detail": "", "runs": 0, "units": [], "findings": [], "errors": [], "diagnostics": []}
    san = Sanitizer(settings.cache, settings.cc)
    try:
        runs = san.run_all(src, all_inputs(prog))
    except ToolchainError as exc:
        record.update(status="compile-error", detail=str(exc))
        return record
    record["runs"] = len(runs)
    bad = [r for r in runs if r.error]
    if bad:
        record.update(status="unsafe", detail=f"inputs {list(bad[0].inputs)}: {bad[0].error}")
        return record
    result = scan(src.parent, scan_out, list(settings.leakscan) if settings.leakscan else None)
    if result.error:
        record.update(status="leakscan-error", detail=result.error)
        result = ScanResult((), (), result.exit_code, result.error)
    verdict: Verdict = judge(side, runs, result)
    if result.error:
        for u in verdict.units:
            u.signature = "leakscan-failed"
    record.update(verdict.to_dict())
    record["diagnostics"] = list(result.diagnostics)
    return record


def process(index: int, settings: Settings) -> dict:
    name = f"p{index:05d}"
    try:
        prog, cov = generate(settings.seed, index)
    except RuntimeError as exc:
        return {"label": f"{settings.seed}:{index}", "status": "generator-error", "detail": str(exc), "runs": 0,
                "units": [], "findings": [], "errors": [], "diagnostics": [], "shapes": []}
    folder = settings.work / "src" / name
    if folder.exists():
        shutil.rmtree(folder)
    src, side = write_program(prog, cov, folder, name, index)
    (settings.work / "scan").mkdir(parents=True, exist_ok=True)
    record = evaluate(prog, cov, src, side, settings, settings.work / "scan" / f"{name}.json")
    record["index"] = index
    return record
