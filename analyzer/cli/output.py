"""Writing results: the chosen format to a file or stdout, HTML reports as folders; the scan's exit code."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from analyzer.errors import ExitCode, InputError
from analyzer.fixcheck import FixChecker
from analyzer.fixes import attach_fixes
from analyzer.fsio import make_dirs, replace_dir_atomic, write_text_atomic
from analyzer.model import AnalysisResult
from analyzer.sourcetext import read_source, read_source_exact, terminal_safe

FORMATS = ("text", "json", "sarif", "html", "github", "codeclimate")


def with_fixes(result: AnalysisResult, checker: FixChecker | None = None) -> AnalysisResult:
    """Suggested fixes attached against the sources as they are now (a saved result may predate them); with a
    checker, only fixes whose patched file compiles with its TU's compile command."""
    return attach_fixes(result, read_source, checker.compiles if checker is not None else None)


def exact_patch(result: AnalysisResult) -> str:
    """Every fix as one patch that `git apply` takes, byte for byte: a source that is not UTF-8 keeps its bytes in
    the context lines (the fixes shown in reports are decoded with replacement characters)."""
    from reports.patch import unified_patch

    def where(path: str) -> str:  # a saved or hand-built result may name files relative to its root
        return path if os.path.isabs(path) or not result.root else os.path.join(result.root, path)

    def read(path: str) -> str | None:
        return read_source_exact(where(path))
    if all(read(f) == read_source(where(f)) for f in {e.file for e in result.patch}):
        return unified_patch(result.patch, read, result.root)  # all UTF-8: the (checked) fixes as attached
    return unified_patch(attach_fixes(result, read).patch, read, result.root)


def write_html(result: AnalysisResult, out: str | Path, *, single_file: bool = False, source_reader=None) -> list[Path]:
    """The HTML report: a folder swapped in atomically, or with `single_file` one file (`out` itself when it ends
    in .html, else `out/index.html`)."""
    from reports.html import render_html
    out = Path(out)
    files = render_html(result, single_file=single_file, source_reader=source_reader)
    exact = exact_patch(result) if "fixes.patch" in files and source_reader is None else ""
    if exact:
        files["fixes.patch"] = exact
    if single_file:
        target = out if out.suffix.lower() in (".html", ".htm") else out / "index.html"
        make_dirs(target.parent)
        return [write_text_atomic(target, files["index.html"])]
    return replace_dir_atomic(out, files)


def render(result: AnalysisResult, fmt: str, quiet: bool = False) -> str:
    if fmt == "json":
        from reports.jsonout import render_json
        return render_json(result)
    if fmt == "sarif":
        from reports.sarif import render_sarif
        return render_sarif(result)
    if fmt == "github":
        from reports.github import render_github
        return render_github(result)
    if fmt == "codeclimate":
        from reports.codeclimate import render_codeclimate
        return render_codeclimate(result)
    from reports.text import render_text
    return render_text(result, verbose_path=not quiet)


def emit(result: AnalysisResult, fmt: str, output: str | None, single_file: bool = False,
         quiet: bool = False, make_dirs: bool = False) -> None:
    """The report in `fmt` to `output` (stdout when None); `make_dirs` creates its folder (configured outputs), else
    a missing folder is an input error."""
    if fmt == "html":
        if not output:
            raise InputError("--format html", None, "needs -o DIR")
        try:
            write_html(result, output, single_file=single_file)
        except FileExistsError as exc:
            why = exc.args[0] if exc.args and isinstance(exc.args[0], str) else f"{output} exists"
            raise InputError(output, None, f"{why}; choose an empty or new folder") from None
        return
    text = render(result, fmt, quiet)
    if output:
        if make_dirs:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(output, text)
    else:
        sys.stdout.write(text)


def exit_code_for(result: AnalysisResult, fail_on: str = "any") -> ExitCode:
    """3 when a TU failed or was only partly analyzed (missing include, not UTF-8...): the findings may be
    incomplete, and the diagnostics say why; else 1 when findings fail the run (`fail_on`: any finding, only new
    ones against the baseline, or none), 0 otherwise. Suppressed findings never fail it."""
    if fail_on == "none":
        return ExitCode.CLEAN
    if result.stats.failed_tus or result.stats.degraded_tus:
        return ExitCode.INCOMPLETE
    failing = [f for f in result.findings if fail_on == "any" or f.baseline_state != "unchanged"]
    return ExitCode.FINDINGS if failing else ExitCode.CLEAN


def print_diagnostics(result: AnalysisResult, outputs: dict[str, str] | str, output: str | None = None) -> None:
    """Diagnostics go to stderr unless the text report on stdout already lists them."""
    targets = outputs if isinstance(outputs, dict) else {outputs: output or "-"}
    if targets.get("text") == "-":
        return
    for d in result.diagnostics:
        print(terminal_safe(f"leakscan: {d.file}:{d.line}: {d.severity}: {d.message}"), file=sys.stderr)
