"""`--format github`: GitHub Actions workflow commands (`::warning file=...,line=...::message`), one annotation per
finding on its line, so that a pull request shows them on the diff without code scanning."""
from __future__ import annotations

from analyzer.model import AnalysisResult

from .paths import relative

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """The message part, as the Actions runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title): also ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: AnalysisResult) -> str:
    lines = []
    for f in result.findings:
        command = _COMMAND.get(f.level, "warning")
        state = f" ({f.baseline_state})" if f.baseline_state else ""
        title = f"leakscan {f.rule_id}{state}"
        message = f"{f.message} in {f.function}()"
        if f.exits:
            message += "\nalso lost at line(s) " + ", ".join(str(x.loc.line) for x in f.exits)
        if f.fix is not None:
            message += "\na fix is suggested (leakscan scan --fix-diff FILE)"
        props = {"file": relative(f.loc.file, result.root), "line": str(f.loc.line), "title": title}
        if f.loc.col:
            props["col"] = str(f.loc.col)
        head = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        lines.append(f"::{command} {head}::{escape_data(message)}")
    for s in result.workflow.stale_suppressions:
        props = {"file": relative(s.file, result.root), "line": str(max(s.line, 1)), "title": "leakscan stale "
                 "suppression"}
        head = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        lines.append(f"::warning {head}::{escape_data('this suppression matches no finding: remove it')}")
    new = sum(1 for f in result.findings if f.baseline_state == "new")
    summary = f"leakscan: {len(result.findings)} finding(s)"
    if result.workflow.baseline:
        summary += f", {new} new, {len(result.workflow.fixed)} fixed"
    if result.suppressed:
        summary += f", {len(result.suppressed)} suppressed"
    lines.append(f"::notice title=leakscan::{escape_data(summary)}")
    return "\n".join(lines) + "\n"
