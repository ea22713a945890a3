"""Markup injection through the real CLI: hostile function and file names from a heap profile (LeakSanitizer text,
as a program with such symbols would produce) and hostile source text end up in the HTML report as text only.
tests/reports/test_html.py checks the renderer on a hand-built result; this runs parse -> correlate -> render."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import without_progress
from tests.reports.test_html import ALLOWED_ATTRS, Page

REPO = Path(__file__).resolve().parents[2]
EVIL = "</textarea><script>alert(\"x\")</script>'\"<img src=x onerror=alert(1)>&amp;"

SOURCE = """#include <stdlib.h>
char *keep;
int evil(int n) {
    char *p = malloc(8); /* </textarea><script>alert('comment')</script> */
    if (n > 0)
        return n;
    free(p);
    return 0;
}
void grow(int n) {
    keep = malloc(n);
}
"""


def lsan_report(src: Path) -> str:
    """Two leaks: one at the finding's malloc (evidence), one elsewhere whose callers carry hostile names
    (unexplained growth)."""
    return f"""=================================================================
==7==ERROR: LeakSanitizer: detected memory leaks

Direct leak of 4096 byte(s) in 512 object(s) allocated from:
    #0 0x4a1b2c in malloc (/usr/lib/x86_64-linux-gnu/liblsan.so.0+0x1b2c)
    #1 0x401136 in evil {src}:4:15
    #2 0x401190 in caller{EVIL}(int) /srv/app/{EVIL}.cc:12:3
    #3 0x4011c0 in main /srv/app/main.c:3:5

Direct leak of 65536 byte(s) in 64 object(s) allocated from:
    #0 0x4a1b2c in malloc (/usr/lib/x86_64-linux-gnu/liblsan.so.0+0x1b2c)
    #1 0x401236 in grow {src}:11:12
    #2 0x401290 in ns::{EVIL}::run() /srv/app/{EVIL}.cc:40:9
    #3 0x4012c0 in main /srv/app/main.c:4:5

SUMMARY: LeakSanitizer: 69632 byte(s) leaked in 576 allocation(s).
"""


def test_profile_symbol_names_are_shown_as_text(tmp_path: Path) -> None:
    src_dir = tmp_path / "src"
    src_dir.mkdir()
    src = src_dir / "evil.c"
    src.write_text(SOURCE)
    report = tmp_path / "lsan.txt"
    report.write_text(lsan_report(src))
    out = tmp_path / "out"
    proc = without_progress(subprocess.run(
        [sys.executable, "-m", "analyzer", "scan", str(src_dir), "--heap", str(report),
                           "--format", "html", "-o", str(out)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=300))
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1, proc.stderr
    pages = sorted(out.glob("*.html"))
    assert [p.name for p in pages] == ["finding-1.html", "index.html"]
    shown = ""
    for path in pages:
        raw = path.read_text(encoding="utf-8")
        page = Page(raw)
        assert page.all("script") == [{}], f"unexpected <script> elements in {path.name}"
        assert raw.count("<script") == 1
        assert not page.all("img") and not page.all("textarea") and not page.all("iframe")
        for tag, attrs in page.elements:
            for name, value in attrs.items():
                assert not name.startswith("on") and name in ALLOWED_ATTRS, (path.name, tag, name)
                if name == "href":
                    assert re.fullmatch(r"#[\w-]+|finding-\d+\.html|index\.html|fixes\.patch", value or ""), value
        shown += page.joined
    # the profile's symbols reached the report, as the text they are (evidence stack and unexplained growth)
    assert f"caller{EVIL}" in shown
    assert f"ns::{EVIL}::run" in shown
    assert "<script>alert('comment')</script>" in shown
