"""HTML report: an index and one page per finding, self-contained, readable without JavaScript."""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup
from pygments.formatters import HtmlFormatter
from pygments.lexers import CLexer, CppLexer
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, _TokenType

from analyzer.fixes import combine_fixes, split_lines, suggest_fix, suggest_fixes
from analyzer.model import FINDING_KINDS, AnalysisResult, Finding, GrowthStack, PathEvent, human_bytes

__all__ = ["render_html"]

SourceReader = Callable[[str], "str | None"]

_HERE = Path(__file__).resolve().parent
_OUR_FILES = re.compile(r"index\.html|finding-\d+\.html|fixes\.patch")
_C_SUFFIXES = (".c", ".i")
# block comments, literals (with line continuations) and raw strings: what makes lexing a slice unsafe
_MULTILINE_RE = re.compile(r"/\*.*?(?:\*/|\Z)|//(?:[^\n\\]|\\.)*|\"(?:[^\"\\\n]|\\.)*\"?|'(?:[^'\\\n]|\\.)*'?"
                           r"|R\"([^(\s]{0,16})\(.*?\)\1\"", re.S)
_STYLE = "default"  # Pygments style
_CONTEXT_LINES = 3  # lines shown around each event before the rest collapses
_COLLAPSE_MIN = 6  # shorter runs without events stay open
_FALLBACK_RADIUS = 15  # lines around the events when the function's span is unknown
_MAX_GRAPH_NODES = 250
_FLAME_WIDTH = 1200.0
_FLAME_ROW = 18.0
_FLAME_MAX_DEPTH = 48
_TABLE_LIMIT = 200  # rows of the growth tables (the full data is in the flame graph)


# ---- entry point -----------------------------------------------------------------------------

def render_html(result: AnalysisResult, out_dir: Path, *, single_file: bool = False,
                source_reader: SourceReader | None = None) -> list[Path]:
    """Write the report for `result` and return the files written.

    A folder `out_dir` with `index.html`, `finding-<n>.html` per finding and `fixes.patch`
    (when fixes exist); with `single_file`, one HTML file (`out_dir` itself when it ends in
    `.html`, else `out_dir/index.html`). Everything is written to a temporary place first
    and moved in at the end, so a failure never leaves a half-written report.
    """
    out_dir = Path(out_dir)
    report = _build_report(result, source_reader or _file_reader(result.root), single_file)
    env = _environment()
    if single_file:
        target = out_dir if out_dir.suffix.lower() in (".html", ".htm") else out_dir / "index.html"
        text = env.get_template("single.html.j2").render(r=report, **_assets())
        return [_write_file_atomically(target, text)]
    files: dict[str, Callable[[], str]] = {
        "index.html": lambda: env.get_template("index.html.j2").render(r=report, **_assets())}
    for page in report.pages:
        files[page.filename] = functools.partial(
            lambda p: env.get_template("finding.html.j2").render(r=report, p=p, **_assets()), page)
    if report.patch:
        files["fixes.patch"] = lambda: report.patch
    return _write_dir_atomically(out_dir, files)


# ---- view models -----------------------------------------------------------------------------

@dataclass
class Token:
    cls: str
    text: str


@dataclass
class Bubble:
    number: int
    kind: str
    message: str
    indent: int
    anchor: str
    prev: str
    next: str


@dataclass
class CodeLine:
    number: int
    anchor: str
    tokens: list[Token]
    marked: str  # '' | 'event' | 'report'
    bubbles: list[Bubble] = field(default_factory=list)


@dataclass
class CodeBlock:
    collapsed: bool
    lines: list[CodeLine]


@dataclass
class SourceView:
    blocks: list[CodeBlock]
    first: int
    last: int


@dataclass
class GraphNode:
    x: float
    y: float
    w: float
    h: float
    label: str
    title: str
    cls: str
    href: str


@dataclass
class GraphEdge:
    d: str
    cls: str
    label: str
    lx: float
    ly: float


@dataclass
class GraphView:
    width: float
    height: float
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    engine: str
    note: str = ""


@dataclass
class FlameRect:
    x: float
    y: float
    w: float
    label: str
    title: str
    cls: str
    href: str


@dataclass
class FlameView:
    width: float
    height: float
    rects: list[FlameRect]


@dataclass
class GrowthRow:
    name: str
    where: str
    bytes: int
    objects: int
    share: float
    explained_bytes: int
    findings: list[tuple[int, str]]  # (number, href)


@dataclass
class StackView:
    bytes: int
    objects: int
    source: str
    frames: list[str]


@dataclass
class UnexplainedView:
    where: str
    function: str
    bytes: int
    objects: int
    candidates: list[str]
    stack: StackView


@dataclass
class GrowthView:
    total: int
    explained: int
    by_function: list[GrowthRow]
    by_site: list[GrowthRow]
    flame: FlameView | None
    unexplained: list[UnexplainedView]
    truncated: bool


@dataclass
class Row:
    """One finding as the index table shows it."""
    n: int
    href: str
    rule_id: str
    title: str
    level: str
    kind: str
    file: str
    line: int
    function: str
    message: str
    confidence: str
    evidence: str  # confirmed | static-only | none
    growth: int
    headline: str


@dataclass
class Page:
    """One finding as its own page shows it."""
    row: Row
    filename: str
    prefix: str  # id prefix, unique per finding in the single-file report
    finding: Finding
    details: list[tuple[str, str]]
    rule_label: str
    rule_value: str
    pair: list[tuple[str, str]]
    pair_evidence: list[str]
    help: str
    events: list[tuple[Bubble, str, int, bool]]  # bubble, file, line, shown on the code
    source: SourceView | None
    source_note: str
    graph: GraphView | None
    fix: list[tuple[str, str]]  # (css class, diff line)
    stacks: list[StackView]
    prev_href: str
    next_href: str


@dataclass
class Report:
    title: str
    timestamp: str
    tool_version: str
    root: str
    summary: list[tuple[str, str]]
    rules: list[str]
    pairs_columns: list[str]
    pairs: list[list[str]]
    profiles: list[list[tuple[str, str]]]
    diagnostics: list[tuple[str, str, str]]
    rows: list[Row]
    filters: dict[str, list[str]]
    headline: str
    ranking: list[Row]
    growth: GrowthView | None
    pages: list[Page]
    patch: str
    single_file: bool
    index_href: str
    page_size: int = 200


# ---- building the report ---------------------------------------------------------------------

def _build_report(result: AnalysisResult, reader: SourceReader, single_file: bool) -> Report:
    findings = sorted(result.findings, key=lambda f: f.sort_key())
    snapshots = _snapshot_count(result.profiles)
    rows = [_row(n, f, result.root, snapshots, single_file) for n, f in enumerate(findings, 1)]
    texts = _SourceCache(result.root, reader)
    layouts = _layout_graphs(result.graphs, {f.function_usr for f in findings})
    fixes = [_fix_for(f, texts, result.root) for f in findings]
    pages = [_page(i, f, rows, result, texts, layouts, fixes[i], single_file)
             for i, f in enumerate(findings)]
    confirmed = [f for f in findings if f.evidence and f.evidence.status == "confirmed"]
    headline = ""
    if confirmed:
        grown = sum(f.evidence.growth_bytes for f in confirmed if f.evidence)
        headline = (f"{len(confirmed)} of {len(findings)} findings confirmed by heap growth: "
                    f"{human_bytes(grown)} over {_plural(snapshots, 'snapshot')}")
    ranking = sorted((r for r, f in zip(rows, findings, strict=True) if f.evidence),
                     key=lambda r: (r.evidence != "confirmed", -r.growth, r.n))
    stats = result.stats
    summary = [
        ("Findings", str(len(findings))),
        ("Files", str(stats.files)),
        ("Translation units", str(stats.tus)),
        ("Degraded TUs", str(stats.degraded_tus)),
        ("Failed TUs", str(stats.failed_tus)),
        ("Functions", str(stats.functions)),
        ("Scan time", f"{stats.seconds:.1f} s"),
        ("Rule files", str(len(stats.rules))),
        ("Inferred pairs", str(stats.inferred_pairs or len(result.pairs))),
    ]
    columns, pair_rows = _pairs_table(result.pairs)
    return Report(
        title="leakscan report", timestamp=result.timestamp, tool_version=result.tool_version,
        root=result.root, summary=summary, rules=list(stats.rules), pairs_columns=columns,
        pairs=pair_rows, profiles=[_plain_items(p) for p in result.profiles],
        diagnostics=[(f"{d.file}:{d.line}" if d.line else d.file, d.severity, d.message)
                     for d in result.diagnostics],
        rows=rows, filters=_filters(rows), headline=headline, ranking=ranking,
        growth=_growth_view(result, findings, rows), pages=pages,
        patch=_combined_patch(findings, texts, result.root), single_file=single_file,
        index_href="#top" if single_file else "index.html")


def _row(n: int, f: Finding, root: str, snapshots: int, single_file: bool) -> Row:
    kind = FINDING_KINDS.get(f.rule_id)
    evidence = f.evidence.status if f.evidence else "none"
    growth = f.evidence.growth_bytes if f.evidence else 0
    if evidence == "confirmed":
        headline = f"confirmed by heap growth: {human_bytes(growth)} over {_plural(snapshots, 'snapshot')}"
    elif f.evidence:
        headline = "static only: no heap growth observed at this site"
    else:
        headline = ""
    return Row(
        n=n, href=f"#finding-{n}" if single_file else f"finding-{n}.html", rule_id=f.rule_id,
        title=kind.title if kind else f.rule_id, level=f.level if kind else "warning", kind=f.kind,
        file=_display_path(f.loc.file, root), line=f.loc.line, function=f.function,
        message=_message(f), confidence=f.confidence, evidence=evidence, growth=growth,
        headline=headline)


def _message(f: Finding) -> str:
    try:
        return f.message
    except (KeyError, IndexError, ValueError):  # a rule id this version does not know
        return f"{f.rule_id}: {f.var or f.kind}"


def _page(i: int, f: Finding, rows: list[Row], result: AnalysisResult, texts: _SourceCache,
          layouts: dict[str, GraphView], fix: str | None, single_file: bool) -> Page:
    row = rows[i]
    prefix = f"f{row.n}-"
    events = _events(f)
    text = texts.get(f.loc.file)
    source, note = None, ""
    if text is None:
        note = f"The source file {row.file} could not be read."
    else:
        source = _source_view(f, text, functools.partial(texts.highlighted, f.loc.file), events, prefix)
    shown = {b.number for block in (source.blocks if source else []) for line in block.lines
             for b in line.bubbles}
    event_rows = [(b, _display_path(ev.loc.file, result.root), ev.loc.line, b.number in shown)
                  for b, ev in events]
    graph = layouts.get(f.function_usr)
    if graph is not None and source is not None:
        graph = _link_graph(graph, prefix, source)
    label, value, pair, pair_evidence = _rule_source(f.rule_source, result.pairs)
    kind = FINDING_KINDS.get(f.rule_id)
    details = [("Rule", f.rule_id), ("Resource kind", f.kind), ("Function", f.function),
               ("Location", f"{row.file}:{f.loc.line}" + (f":{f.loc.col}" if f.loc.col else ""))]
    if f.acquire:
        details.append(("Acquired", f"{_display_path(f.acquire.file, result.root)}:{f.acquire.line}"
                        f" by {f.acquirer}()"))
    if f.var:
        details.append(("Variable", f.var))
    if f.expected:
        details.append(("Expected release", f"{f.expected}()"))
    if f.releaser and f.releaser != f.expected:
        details.append(("Released with", f"{f.releaser}()"))
    details.append(("Confidence", f.confidence))
    if f.evidence:
        details.append(("Profile evidence", row.headline + (f" ({f.evidence.summary})"
                                                            if f.evidence.summary else "")))
    stacks = [_stack_view(s, result.root) for s in (f.evidence.stacks if f.evidence else ())]
    prev_href = rows[i - 1].href if i > 0 else ""
    next_href = rows[i + 1].href if i + 1 < len(rows) else ""
    return Page(row=row, filename=f"finding-{row.n}.html", prefix=prefix, finding=f,
                details=details, rule_label=label, rule_value=value, pair=pair, pair_evidence=pair_evidence,
                help=kind.help if kind else "", events=event_rows, source=source,
                source_note=note, graph=graph, fix=_diff_lines(fix), stacks=stacks,
                prev_href=prev_href, next_href=next_href)


def _events(f: Finding) -> list[tuple[Bubble, PathEvent]]:
    path = list(f.path)
    if not path:  # no recorded path: show where it was acquired and where it is reported
        if f.acquire:
            path.append(PathEvent(f.acquire, f"{f.acquirer or 'resource'}() acquires the {f.kind}",
                                  "acquire"))
        path.append(PathEvent(f.loc, _message(f), "exit"))
    out = []
    for k, ev in enumerate(path, 1):
        kind = ev.kind if re.fullmatch(r"[a-z][a-z-]{0,20}", ev.kind or "") else "note"
        out.append((Bubble(k, kind, ev.message, 0, f"ev{k}", f"ev{k - 1}" if k > 1 else "",
                           f"ev{k + 1}" if k < len(path) else ""), ev))
    return out


_ORIGINS = {"builtin": "Built-in rule file", "rules": "Rule file", "user": "Rule file", "file": "Rule file",
            "cppcheck": "cppcheck library", "attribute": "Ownership attribute", "inferred": "Inferred pair"}


def _rule_source(source: str, pairs: Iterable[dict[str, Any]]
                 ) -> tuple[str, str, list[tuple[str, str]], list[str]]:
    """How the resource kind was defined: (label, value, the pair's fields, the pair's evidence)."""
    parts = source.split(":")
    at = next((i for i, p in enumerate(parts) if p in _ORIGINS and i + 1 < len(parts)), None)
    if at is None:
        return "Defined by", source or "unknown", [], []
    origin, rest = parts[at], ":".join(parts[at + 1:])
    label = _ORIGINS[origin] + (f" ({', '.join(parts[:at])})" if at else "")
    if origin != "inferred":
        return label, rest, [], []
    names = [x for x in re.split(r"[/,]", rest) if x]
    for pair in pairs:
        values = {str(v) for v in pair.values() if isinstance(v, (str, int))}
        if names and all(n in values for n in names):
            evidence = pair.get("evidence")
            lines = [str(x) for x in evidence] if isinstance(evidence, list) else []
            fields = [(k, v) for k, v in _plain_items(pair) if not (k == "evidence" and lines)]
            return label, rest, fields, lines
    return label, rest, [], []


def _diff_lines(diff: str | None) -> list[tuple[str, str]]:
    out = []
    for line in split_lines(diff or ""):
        line = line.rstrip("\r\n")
        if line.startswith(("---", "+++")):
            cls = "dh"
        elif line.startswith("@@"):
            cls = "dhunk"
        elif line.startswith("+"):
            cls = "dadd"
        elif line.startswith("-"):
            cls = "ddel"
        else:
            cls = "dctx"
        out.append((cls, line))
    return out


def _fix_for(f: Finding, texts: _SourceCache, root: str) -> str | None:
    if f.fix:
        return f.fix
    text = texts.get(f.loc.file)
    if text is None:
        return None
    return suggest_fix(f, text, _display_path(f.loc.file, root))


def _combined_patch(findings: list[Finding], texts: _SourceCache, root: str) -> str:
    """One patch for all findings: findings on one statement share an edit."""
    given = [f.fix for f in findings if f.fix]
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if not f.fix:
            by_file[f.loc.file].append(f)
    made = []
    for path, group in sorted(by_file.items()):
        text = texts.get(path)
        if text is not None:
            made.append(suggest_fixes(group, text, _display_path(path, root)))
    return combine_fixes(given + made)


def _filters(rows: list[Row]) -> dict[str, list[str]]:
    return {
        "rule": sorted({r.rule_id for r in rows}),
        "kind": sorted({r.kind for r in rows}),
        "confidence": sorted({r.confidence for r in rows},
                             key=lambda c: ({"high": 0, "medium": 1, "low": 2}.get(c, 3), c)),
        "evidence": sorted({r.evidence for r in rows}),
    }


def _pairs_table(pairs: Iterable[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    preferred = ["acquirer", "create", "releaser", "destroy", "kind", "confidence", "evidence"]
    keys: list[str] = []
    for pair in pairs:
        for key in pair:
            if key not in keys:
                keys.append(str(key))
    columns = [k for k in preferred if k in keys] + sorted(k for k in keys if k not in preferred)
    rows = [[_plain(p.get(c, "")) for c in columns] for p in pairs]
    return columns, rows


def _plain_items(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(str(k), _plain(v)) for k, v in data.items()]


def _plain(value: Any, limit: int = 300) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, (int, bool)) or value is None:
        text = "" if value is None else str(value)
    elif isinstance(value, (list, tuple)) and all(isinstance(x, (str, int, float)) for x in value):
        text = "; ".join(str(x) for x in value)
    else:
        text = json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _snapshot_count(profiles: Iterable[dict[str, Any]]) -> int:
    """Snapshots behind the growth figures; each profile counts once unless it says more."""
    total = 0
    for p in profiles:
        for key in ("snapshots", "n_snapshots", "snapshot_count", "num_snapshots"):
            value = p.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                total += value
                break
            if isinstance(value, (list, tuple)) and value:
                total += len(value)
                break
        else:
            total += 1
    return total


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _display_path(path: str, root: str) -> str:
    if root and os.path.isabs(path):
        try:
            rel = os.path.relpath(path, root)
        except ValueError:
            return path
        if not rel.startswith(".."):
            return Path(rel).as_posix()
    return path


# ---- source code with the path drawn on it ---------------------------------------------------

class _SourceCache:
    """Source texts, read once per file, and highlighted lines, tokenized once per line range."""

    def __init__(self, root: str, reader: SourceReader) -> None:
        self.root = root
        self.reader = reader
        self.texts: dict[str, str | None] = {}
        self.lines: dict[str, list[str]] = {}
        self.inside: dict[str, set[int]] = {}  # lines that start inside a block comment or literal
        self.tokens: dict[str, dict[int, list[Token]]] = {}

    def get(self, path: str) -> str | None:
        if path not in self.texts:
            text = self.reader(path)
            self.texts[path] = text.replace("\r\n", "\n") if text is not None else None
        return self.texts[path]

    def highlighted(self, path: str, first: int, last: int) -> dict[int, list[Token]]:
        """Tokens of lines first..last (1-based), lexing from a line where no comment is open."""
        done = self.tokens.setdefault(path, {})
        missing = [n for n in range(first, last + 1) if n not in done]
        if not missing:
            return done
        if path not in self.lines:
            text = self.get(path) or ""
            self.lines[path] = split_lines(text)
            self.inside[path] = _continued_lines(text)
        lines, inside = self.lines[path], self.inside[path]
        start = missing[0]
        while start > 1 and start in inside:
            start -= 1
        chunk = "".join(lines[start - 1:missing[-1]])
        for k, tokens in enumerate(_highlight(chunk, path)):
            if start + k <= missing[-1]:
                done[start + k] = tokens
        return done


def _continued_lines(text: str) -> set[int]:
    """Line numbers whose first character is inside a multi-line comment or literal."""
    inside: set[int] = set()
    for m in _MULTILINE_RE.finditer(text):
        newlines = m.group().count("\n")
        if newlines:
            line = text.count("\n", 0, m.start()) + 1
            inside.update(range(line + 1, line + newlines + 1))
    return inside


def _file_reader(root: str) -> SourceReader:
    def read(path: str) -> str | None:
        full = Path(path) if os.path.isabs(path) or not root else Path(root) / path
        try:
            return full.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return None
    return read


@functools.cache
def _token_class(ttype: _TokenType) -> str:
    """The Pygments short class, or '' when the style gives it no look (fewer spans to render)."""
    while ttype not in STANDARD_TYPES:
        ttype = ttype.parent
    cls = STANDARD_TYPES[ttype]
    return cls if cls in _styled_classes() else ""


@functools.lru_cache(maxsize=1)
def _styled_classes() -> frozenset[str]:
    style = get_style_by_name(_STYLE)
    looks = ("color", "bold", "italic", "underline", "bgcolor", "border")
    styled = {STANDARD_TYPES.get(t) for t, s in style if any(s[k] for k in looks)}
    return frozenset(c for c in styled if c and c != "w")  # 'w' only greys visible whitespace


def _highlight(text: str, path: str) -> list[list[Token]]:
    """Pygments tokens split per line, so each line can carry its own annotations."""
    lexer_class = CLexer if path.lower().endswith(_C_SUFFIXES) else CppLexer
    lexer = lexer_class(stripnl=False, ensurenl=False)
    lines: list[list[Token]] = [[]]
    for _, ttype, value in lexer.get_tokens_unprocessed(text.replace("\r", " ")):
        cls = _token_class(ttype)
        for k, part in enumerate(value.split("\n")):
            if k:
                lines.append([])
            if not part:
                continue
            if lines[-1] and lines[-1][-1].cls == cls:
                lines[-1][-1] = Token(cls, lines[-1][-1].text + part)
            else:
                lines[-1].append(Token(cls, part))
    return lines


def _source_view(f: Finding, text: str, highlight: Callable[[int, int], dict[int, list[Token]]],
                 events: list[tuple[Bubble, PathEvent]], prefix: str) -> SourceView | None:
    lines = split_lines(text)
    if not lines:
        return None
    here = [(b, ev) for b, ev in events if _same_file(ev.loc.file, f.loc.file)]
    marks = {ev.loc.line for _, ev in here} | {f.loc.line}
    if f.acquire and _same_file(f.acquire.file, f.loc.file):
        marks.add(f.acquire.line)
    marks = {m for m in marks if 1 <= m <= len(lines)}
    first, last = f.function_span
    if not (1 <= first <= last <= len(lines)):
        if not marks:
            return None
        first = max(1, min(marks) - _FALLBACK_RADIUS)
        last = min(len(lines), max(marks) + _FALLBACK_RADIUS)
    first, last = min([first, *marks]), max([last, *marks])
    first = _signature_start(lines, first)
    tokens = highlight(first, last)
    by_line: dict[int, list[Bubble]] = defaultdict(list)
    for bubble, ev in here:
        if 1 <= ev.loc.line <= len(lines):
            indent = ev.loc.col - 1 if ev.loc.col > 0 else _indent_width(lines[ev.loc.line - 1])
            by_line[ev.loc.line].append(Bubble(
                bubble.number, bubble.kind, bubble.message, min(indent, 80), prefix + bubble.anchor,
                prefix + bubble.prev if bubble.prev else "", prefix + bubble.next if bubble.next else ""))
    near = {n for m in marks for n in range(m - _CONTEXT_LINES, m + _CONTEXT_LINES + 1)}
    near |= {first, last}
    blocks: list[CodeBlock] = []
    for number in range(first, last + 1):
        line = CodeLine(number, f"{prefix}L{number}", tokens.get(number, []),
                        "report" if number == f.loc.line else "event" if number in by_line else "",
                        by_line.get(number, []))
        collapsed = number not in near
        if blocks and blocks[-1].collapsed == collapsed:
            blocks[-1].lines.append(line)
        else:
            blocks.append(CodeBlock(collapsed, [line]))
    merged: list[CodeBlock] = []  # short collapsed runs are not worth a click
    for block in blocks:
        if block.collapsed and len(block.lines) < _COLLAPSE_MIN:
            block = CodeBlock(False, block.lines)
        if merged and not merged[-1].collapsed and not block.collapsed:
            merged[-1].lines.extend(block.lines)
        else:
            merged.append(block)
    return SourceView(merged, first, last)


def _signature_start(lines: list[str], first: int) -> int:
    """Step back over the function's signature, which the body span leaves out."""
    for _ in range(4):
        if first <= 1:
            break
        prev = lines[first - 2].strip()
        if not prev or prev.endswith((";", "}")) or prev.startswith(("#", "//", "/*", "*")):
            break
        first -= 1
    return first


def _indent_width(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _same_file(a: str, b: str) -> bool:
    return os.path.normpath(a) == os.path.normpath(b)


def _stack_view(stack: GrowthStack, root: str) -> StackView:
    frames = [fr.function + (f"  {_display_path(fr.file, root)}:{fr.line}" if fr.file else "")
              for fr in stack.frames]
    return StackView(stack.bytes, stack.objects, stack.source, frames)


# ---- ownership graph -------------------------------------------------------------------------

@dataclass
class _Graph:
    nodes: list[dict[str, Any]]
    edges: list[tuple[int, int, str]]


def _parse_graph(data: Any) -> _Graph | None:
    """networkx node-link data → plain lists; None when it is not in that shape."""
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        return None
    nodes = [n for n in data["nodes"] if isinstance(n, dict) and "id" in n]
    index = {_key(n["id"]): k for k, n in enumerate(nodes)}
    raw_edges = data.get("edges", data.get("links", []))
    edges = []
    for e in raw_edges if isinstance(raw_edges, list) else []:
        if isinstance(e, dict) and _key(e.get("source")) in index and _key(e.get("target")) in index:
            edges.append((index[_key(e["source"])], index[_key(e["target"])], str(e.get("kind", ""))))
    return _Graph(nodes, edges)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _node_label(node: dict[str, Any]) -> str:
    label = str(node.get("label") or node.get("id"))
    label = " ".join(label.split())
    return label if len(label) <= 40 else label[:39] + "…"


def _css_class(prefix: str, value: Any) -> str:
    text = re.sub(r"[^a-z0-9-]", "", str(value).lower())[:24]
    return f"{prefix}-{text or 'other'}"


def _layout_graphs(graphs: dict[str, Any], wanted: set[str]) -> dict[str, GraphView]:
    parsed: dict[str, _Graph] = {}
    views: dict[str, GraphView] = {}
    for usr in sorted(u for u in wanted if u and u in graphs):
        g = _parse_graph(graphs[usr])
        if g is None or not g.nodes:
            continue
        if len(g.nodes) > _MAX_GRAPH_NODES:
            views[usr] = GraphView(0, 0, [], [], "none",
                                   f"The ownership graph has {len(g.nodes)} nodes: too large to draw.")
            continue
        parsed[usr] = g
    if parsed and shutil.which("dot"):
        laid = _dot_layout(parsed)
        if laid is not None:
            views.update(laid)
            return views
    views.update({usr: _layered_layout(g) for usr, g in parsed.items()})
    return views


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_layout(graphs: dict[str, _Graph]) -> dict[str, GraphView] | None:
    """All graphs in one `dot -Tjson0` run; positions only: the SVG is drawn by our template."""
    chunks = []
    for k, g in enumerate(graphs.values()):
        chunks.append(f"digraph g{k} {{\n  graph [rankdir=TB, nodesep=0.25, ranksep=0.45];\n"
                      '  node [shape=box, fontname="Helvetica", fontsize=10, height=0.3];\n'
                      '  edge [fontname="Helvetica", fontsize=9];\n')
        for i, node in enumerate(g.nodes):
            chunks.append(f"  n{i} [label={_dot_string(_node_label(node))}];\n")
        for e, (a, b, kind) in enumerate(g.edges):
            label = f", label={_dot_string(kind[:24])}" if kind else ""
            chunks.append(f'  n{a} -> n{b} [id="e{e}"{label}];\n')
        chunks.append("}\n")
    try:
        proc = subprocess.run(["dot", "-Tjson0"], input="".join(chunks), capture_output=True,
                              text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    docs = _json_stream(proc.stdout)
    if len(docs) != len(graphs):
        return None
    try:
        return {usr: _from_dot(g, doc) for (usr, g), doc in zip(graphs.items(), docs, strict=True)}
    except (KeyError, ValueError, IndexError, TypeError):
        return None


def _json_stream(text: str) -> list[Any]:
    decoder = json.JSONDecoder()
    docs: list[Any] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return docs
        try:
            doc, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return docs
        docs.append(doc)


def _from_dot(g: _Graph, doc: dict[str, Any]) -> GraphView:
    _, _, width, height = (float(v) for v in doc["bb"].split(","))
    pad = 4.0
    nodes = []
    for obj in doc.get("objects", []):
        i = int(obj["name"][1:])
        x, y = (float(v) for v in obj["pos"].split(","))
        w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
        nodes.append(_graph_node(g.nodes[i], x - w / 2 + pad, height - y - h / 2 + pad, w, h))
    edges = []
    for e in doc.get("edges", []):
        kind = g.edges[int(e["id"][1:])][2]
        points: list[tuple[float, float]] = []
        end = None
        for part in e["pos"].split():
            if part.startswith("e,"):
                ex, ey = part[2:].split(",")
                end = (float(ex), float(ey))
            elif not part.startswith("s,"):
                px, py = part.split(",")
                points.append((float(px), float(py)))
        flip = [(x + pad, height - y + pad) for x, y in points]
        d = f"M{flip[0][0]:.1f},{flip[0][1]:.1f}"
        for k in range(1, len(flip) - 2, 3):
            d += " C" + " ".join(f"{x:.1f},{y:.1f}" for x, y in flip[k:k + 3])
        if end is not None:
            d += f" L{end[0] + pad:.1f},{height - end[1] + pad:.1f}"
        lx, ly = (float(v) for v in e.get("lp", "0,0").split(","))
        edges.append(GraphEdge(d, _css_class("e", kind), kind[:24], lx + pad, height - ly + pad))
    return GraphView(width + 2 * pad, height + 2 * pad, nodes, edges, "graphviz dot")


def _graph_node(node: dict[str, Any], x: float, y: float, w: float, h: float) -> GraphNode:
    line = node.get("line")
    kind = node.get("kind", "")
    where = f" (line {line})" if isinstance(line, int) and line > 0 else ""
    title = f"{kind}: {node.get('label', node.get('id'))}{where}" if kind else f"{_node_label(node)}{where}"
    # href is filled in per finding page, where the lines on show are known
    return GraphNode(round(x, 1), round(y, 1), round(w, 1), round(h, 1), _node_label(node), title,
                     _css_class("k", kind), f"L{line}" if isinstance(line, int) and line > 0 else "")


def _layered_layout(g: _Graph) -> GraphView:
    """Pure-Python fallback: layers by longest path over the condensation, barycentre order."""
    dg = nx.DiGraph()
    dg.add_nodes_from(range(len(g.nodes)))
    dg.add_edges_from((a, b) for a, b, _ in g.edges if a != b)
    cond = nx.condensation(dg)
    depth: dict[int, int] = {}
    for c in nx.topological_sort(cond):
        depth[c] = max((depth[p] + 1 for p in cond.predecessors(c)), default=0)
    layer_of = {n: depth[cond.graph["mapping"][n]] for n in dg}
    layers: dict[int, list[int]] = defaultdict(list)
    for n in sorted(dg, key=lambda n: (_line_of(g.nodes[n]), n)):
        layers[layer_of[n]].append(n)
    order: dict[int, float] = {}
    for d in sorted(layers):
        if d:
            layers[d].sort(key=lambda n: _barycentre(dg, n, order))
        for k, n in enumerate(layers[d]):
            order[n] = k
    char_w, node_h, gap_x, gap_y, pad = 6.0, 22.0, 18.0, 46.0, 8.0
    widths = {n: 16 + char_w * len(_node_label(g.nodes[n])) for n in dg}
    row_w = {d: sum(widths[n] for n in ns) + gap_x * (len(ns) - 1) for d, ns in layers.items()}
    total_w = max(row_w.values()) + 2 * pad
    pos: dict[int, tuple[float, float]] = {}
    nodes = []
    for d, ns in sorted(layers.items()):
        x = (total_w - row_w[d]) / 2
        y = pad + d * (node_h + gap_y)
        for n in ns:
            pos[n] = (x, y)
            nodes.append(_graph_node(g.nodes[n], x, y, widths[n], node_h))
            x += widths[n] + gap_x
    edges = []
    for a, b, kind in g.edges:
        (ax, ay), (bx, by) = pos[a], pos[b]
        sx, sy = ax + widths[a] / 2, ay + node_h
        tx, ty = bx + widths[b] / 2, by
        if layer_of[b] > layer_of[a]:
            path = f"M{sx:.1f},{sy:.1f} L{tx:.1f},{ty:.1f}"
            lx, ly = (sx + tx) / 2 + 4, (sy + ty) / 2
        else:  # back edge or loop: bow out to the right
            sx, sy = ax + widths[a], ay + node_h / 2
            tx, ty = bx + widths[b], by + node_h / 2
            bow = max(sx, tx) + 30 + 10 * abs(layer_of[a] - layer_of[b])
            path = f"M{sx:.1f},{sy:.1f} C{bow:.1f},{sy:.1f} {bow:.1f},{ty:.1f} {tx:.1f},{ty:.1f}"
            lx, ly = bow - 6, (sy + ty) / 2
            total_w = max(total_w, bow + 40)
        edges.append(GraphEdge(path, _css_class("e", kind), kind[:24], lx, ly))
    height = pad * 2 + (max(layers) + 1) * node_h + max(layers) * gap_y
    return GraphView(total_w, height, nodes, edges, "layered layout")


def _line_of(node: dict[str, Any]) -> int:
    line = node.get("line")
    return line if isinstance(line, int) else 1 << 30


def _barycentre(dg: nx.DiGraph, n: int, order: dict[int, float]) -> float:
    preds = [order[p] for p in dg.predecessors(n) if p in order]
    return sum(preds) / len(preds) if preds else float(order.get(n, 0))


def _link_graph(graph: GraphView, prefix: str, source: SourceView) -> GraphView:
    """Nodes link to their line on the page when that line is shown."""
    nodes = []
    for node in graph.nodes:
        href = ""
        if node.href.startswith("L"):
            line = int(node.href[1:])
            if source.first <= line <= source.last:
                href = f"#{prefix}L{line}"
        nodes.append(GraphNode(node.x, node.y, node.w, node.h, node.label, node.title, node.cls, href))
    return GraphView(graph.width, graph.height, nodes, graph.edges, graph.engine, graph.note)


# ---- heap growth: tables and icicle graph ----------------------------------------------------

@dataclass
class _Stack:
    stack: GrowthStack
    findings: list[int]


def _growth_view(result: AnalysisResult, findings: list[Finding], rows: list[Row]) -> GrowthView | None:
    if not result.unexplained and not any(f.evidence for f in findings):
        return None
    stacks: dict[tuple[Any, ...], _Stack] = {}
    for row, f in zip(rows, findings, strict=True):
        for s in f.evidence.stacks if f.evidence else ():
            key = (s.frames, s.bytes, s.objects, s.source)
            stacks.setdefault(key, _Stack(s, [])).findings.append(row.n)
    for u in result.unexplained:
        s = u.stack
        stacks.setdefault((s.frames, s.bytes, s.objects, s.source), _Stack(s, []))
    items = [x for x in stacks.values() if x.stack.bytes > 0]
    total = sum(x.stack.bytes for x in items)
    explained = sum(x.stack.bytes for x in items if x.findings)
    href = {r.n: r.href for r in rows}
    by_function: dict[str, GrowthRow] = {}
    by_site: dict[tuple[str, str], GrowthRow] = {}
    for x in items:
        s = x.stack
        for name in dict.fromkeys(fr.function for fr in s.frames):  # once per stack: recursion
            _add_growth(by_function.setdefault(name, GrowthRow(name, "", 0, 0, 0.0, 0, [])), x, href)
        if s.frames:
            leaf = s.frames[0]
            where = f"{_display_path(leaf.file, result.root)}:{leaf.line}" if leaf.file else ""
            _add_growth(by_site.setdefault((leaf.function, where),
                                           GrowthRow(leaf.function, where, 0, 0, 0.0, 0, [])), x, href)
    for grow in (*by_function.values(), *by_site.values()):
        grow.share = grow.bytes / total if total else 0.0
        grow.findings.sort()
    ordered_f = sorted(by_function.values(), key=lambda r: (-r.bytes, r.name))
    ordered_s = sorted(by_site.values(), key=lambda r: (-r.bytes, r.name, r.where))
    unexplained = [UnexplainedView(
        f"{_display_path(u.loc.file, result.root)}:{u.loc.line}" if u.loc else "", u.function,
        u.stack.bytes, u.stack.objects, list(u.candidates), _stack_view(u.stack, result.root))
        for u in sorted(result.unexplained, key=lambda u: -u.stack.bytes)]
    return GrowthView(total, explained, ordered_f[:_TABLE_LIMIT], ordered_s[:_TABLE_LIMIT],
                      _flame(items, href), unexplained,
                      len(ordered_f) > _TABLE_LIMIT or len(ordered_s) > _TABLE_LIMIT)


def _add_growth(row: GrowthRow, x: _Stack, href: dict[int, str]) -> None:
    row.bytes += x.stack.bytes
    row.objects += x.stack.objects
    if x.findings:
        row.explained_bytes += x.stack.bytes
    for n in x.findings:
        if (n, href[n]) not in row.findings:
            row.findings.append((n, href[n]))


@dataclass
class _FlameNode:
    name: str
    bytes: int = 0
    explained: int = 0
    findings: set[int] = field(default_factory=set)
    children: dict[str, _FlameNode] = field(default_factory=dict)


def _flame(items: list[_Stack], href: dict[int, str]) -> FlameView | None:
    """Icicle: the root on top, callers above callees; width = bytes grown."""
    root = _FlameNode("all growth")
    for x in items:
        node = root
        chain = [root]
        for fr in reversed(x.stack.frames):
            node = node.children.setdefault(fr.function, _FlameNode(fr.function))
            chain.append(node)
            if len(chain) > _FLAME_MAX_DEPTH:
                break
        for n in chain:
            n.bytes += x.stack.bytes
            if x.findings:
                n.explained += x.stack.bytes
                n.findings.update(x.findings)
    if root.bytes <= 0:
        return None
    rects: list[FlameRect] = []
    scale = _FLAME_WIDTH / root.bytes
    depth_max = 0

    def walk(node: _FlameNode, x: float, depth: int) -> None:
        nonlocal depth_max
        w = node.bytes * scale
        if w < 0.5:
            return
        depth_max = max(depth_max, depth)
        share = node.bytes / root.bytes
        if node.explained >= node.bytes:
            cls, state = "fl-exp", "explained by a finding"
        elif node.explained == 0:
            cls, state = "fl-unexp", "not explained by any finding"
        else:
            cls, state = "fl-mixed", f"{human_bytes(node.explained)} explained by findings"
        title = f"{node.name}: {human_bytes(node.bytes)} ({share:.1%}), {state}"
        link = href[next(iter(node.findings))] if len(node.findings) == 1 else ""
        chars = int((w - 6) / 6.5)
        label = node.name if len(node.name) <= chars else (node.name[:chars - 1] + "…" if chars > 3 else "")
        rects.append(FlameRect(round(x, 2), depth * _FLAME_ROW, round(w, 2), label, title, cls, link))
        for child in sorted(node.children.values(), key=lambda c: (-c.bytes, c.name)):
            walk(child, x, depth + 1)
            x += child.bytes * scale

    walk(root, 0.0, 0)
    return FlameView(_FLAME_WIDTH, (depth_max + 1) * _FLAME_ROW, rects)


# ---- jinja2 ----------------------------------------------------------------------------------

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
    css += "\n" + HtmlFormatter(style=_STYLE).get_style_defs(".src")
    js = (_HERE / "static" / "report.js").read_text(encoding="utf-8")
    # the inline script is allowed by its hash alone: injected markup could not run script
    digest = base64.b64encode(hashlib.sha256(js.encode()).digest()).decode()
    return css, js, f"'sha256-{digest}'"


def _assets() -> dict[str, Any]:
    css, js, script_hash = _static()
    return {"css": Markup(css), "js": Markup(js), "script_hash": script_hash}


# ---- writing ---------------------------------------------------------------------------------

def _write_file_atomically(target: Path, text: str) -> Path:
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


def _write_dir_atomically(out_dir: Path, files: dict[str, Callable[[], str]]) -> list[Path]:
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

