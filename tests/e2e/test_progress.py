"""Progress of a real scan (real libclang) as a terminal shows it: a bar per stage with the current file, counts
and an ETA, each ending in one plain line; nothing when quiet."""
from __future__ import annotations

import io
from pathlib import Path

from analyzer.cli.progress import ScanProgress
from analyzer.pipeline import Options, run

SOURCES = {
    "alpha.c": "#include <stdlib.h>\nint alpha(int n) { char *p = malloc(n); if (n) return 1; free(p); return 0; }\n",
    "beta.c": "int beta(int n) { return n + 1; }\nint gamma(int n) { return beta(n) * 2; }\n",
}


def _scan(tmp_path: Path, progress: ScanProgress) -> None:
    for name, text in SOURCES.items():
        (tmp_path / name).write_text(text)
    run(Options(paths=(str(tmp_path),), jobs=2), progress=progress)
    progress.close()


def test_terminal_bars_name_the_file_and_end_in_one_line_per_stage(tmp_path: Path) -> None:
    out = io.StringIO()
    _scan(tmp_path, ScanProgress(out, terminal=True, redraw_seconds=0))
    text = out.getvalue()
    assert "\r" in text, "a bar redrawn in place"
    assert "parse" in text and "TU" in text and "analyze" in text and "fn" in text
    assert "alpha.c" in text or "beta.c" in text, "the current file"
    assert "<" in text, "tqdm's remaining-time estimate"
    lines = [ln for ln in text.replace("\r", "\n").splitlines() if ln.startswith("leakscan: ")]
    assert lines[0].startswith("leakscan: 2/2 translation units parsed in ")
    assert lines[1].startswith("leakscan: 3/3 functions analyzed in ")


def test_not_a_terminal_one_line_per_stage_and_quiet_nothing(tmp_path: Path) -> None:
    out = io.StringIO()
    _scan(tmp_path, ScanProgress(out, terminal=False))
    assert [ln.split(" in ")[0] for ln in out.getvalue().splitlines()] == [
        "leakscan: 2/2 translation units parsed", "leakscan: 3/3 functions analyzed"]
    quiet = io.StringIO()
    _scan(tmp_path, ScanProgress(quiet, quiet=True, terminal=True))
    assert quiet.getvalue() == ""
