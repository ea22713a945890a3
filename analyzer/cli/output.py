"""Writing results: the chosen format to a file or stdout, HTML reports as folders; the scan's exit code."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from analyzer.errors import ExitCode, InputError
from analyzer.fixes import attach_fixes
from analyzer.fsio import make_dirs, replace_dir_atomic, write_text_atomic
from analyzer.model import AnalysisResult
from analyzer.sourcetext import read_source, read_source_exact, terminal_safe

FORMATS = ("text", "json", "sarif", "html")


def with_fixes(result: AnalysisResult) -> AnalysisResult:
    """Suggested fixes attached against the sources as they are now (a saved result may predate them)."""
    return attach_fixes(result, read_source)


def exact_patch(result: AnalysisResult) -> str:
    """Every fix as one patch that `git apply` takes, byte for byte: a source that is not UTF-8 keeps its bytes in
    the context lines (the fixes shown in reports are decoded with replacement characters)."""
    from reports.patch import unified_patch

    def read(path: str) -> str | None:  # a saved or hand-built result may name files relative to its root
        return read_source_exact(path if os.path.isabs(path) or not result.root else os.path.join(result.root, path))
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
    from reports.text import render_text
    return render_text(result, verbose_path=not quiet)


def emit(result: AnalysisResult, fmt: str, output: str | None, single_file: bool = False,
         quiet: bool = False) -> None:
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
        write_text_atomic(output, text)
    else:
        sys.stdout.write(text)


def exit_code_for(result: AnalysisResult) -> ExitCode:
    """3 when a TU failed or was only partly analyzed (missing include, not UTF-8...): the findings may be
    incomplete, and the diagnostics say why; else 1 with findings, 0 without."""
    if result.stats.failed_tus or result.stats.degraded_tus:
        return ExitCode.INCOMPLETE
    return ExitCode.FINDINGS if result.findings else ExitCode.CLEAN


def print_diagnostics(result: AnalysisResult, fmt: str, output: str | None) -> None:
    """Diagnostics go to stderr unless the text report on stdout already lists them."""
    if fmt == "text" and not output:
        return
    for d in result.diagnostics:
        print(terminal_safe(f"leakscan: {d.file}:{d.line}: {d.severity}: {d.message}"), file=sys.stderr)
