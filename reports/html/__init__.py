"""HTML report: an index and one page per finding, self-contained, readable without JavaScript."""
from __future__ import annotations

import base64
import functools
import hashlib
import shutil  # noqa: F401  # kept: tests and bench/render_html.py patch reports.html.shutil.which
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

from analyzer.model import AnalysisResult, human_bytes
from reports.html.source import STYLE, SourceReader, file_reader
from reports.html.views import build_report

__all__ = ["render_html"]

_HERE = Path(__file__).resolve().parent.parent  # reports/: templates/ and static/ live there


def render_html(result: AnalysisResult, *, single_file: bool = False,
                source_reader: SourceReader | None = None) -> dict[str, str]:
    """The report's files by name: `index.html`, `finding-<n>.html` per finding and `fixes.patch` (when fixes
    exist); with `single_file`, only `index.html` holding everything."""
    report = build_report(result, source_reader or file_reader(result.root), single_file)
    env = _environment()
    if single_file:
        return {"index.html": env.get_template("single.html.j2").render(r=report, **_assets())}
    files = {"index.html": env.get_template("index.html.j2").render(r=report, **_assets())}
    for page in report.pages:
        files[page.filename] = env.get_template("finding.html.j2").render(r=report, p=page, **_assets())
    if report.patch:
        files["fixes.patch"] = report.patch
    return files


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["bytes"] = human_bytes
    env.filters["num"] = lambda v: f"{v:.1f}"
    env.filters["pct"] = lambda v: f"{v:.1%}"
    return env


@functools.lru_cache(maxsize=1)
def _static() -> tuple[str, str, str]:
    css = (_HERE / "static" / "report.css").read_text(encoding="utf-8")
    css += "\n" + HtmlFormatter(style=STYLE).get_style_defs(".src")
    js = (_HERE / "static" / "report.js").read_text(encoding="utf-8")
    # the inline script is allowed by its hash alone: injected markup could not run script
    digest = base64.b64encode(hashlib.sha256(js.encode()).digest()).decode()
    return css, js, f"'sha256-{digest}'"


def _assets() -> dict[str, Any]:
    css, js, script_hash = _static()
    return {"css": Markup(css), "js": Markup(js), "script_hash": script_hash}
