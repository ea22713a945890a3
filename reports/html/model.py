"""View model of the HTML report: the plain dataclasses the templates render."""
from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.model import Finding


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
    exits: int = 1  # the leaking exits this finding covers
    baseline: str = ""  # new | unchanged ('' without a baseline)


@dataclass
class ExitView:
    """One leaking exit of a finding, with the path that leads there."""
    number: int
    file: str
    line: int
    branch: str
    events: list[tuple[int, str, int, str]]  # (number, file, line, message)


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
    exits: list[ExitView] = field(default_factory=list)  # every place the resource is lost, the shortest first
    chart: ChartView | None = None  # the growth curve of the finding's allocation stacks


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
    chart: ChartView | None = None  # bytes in use per snapshot for the top sites
    workflow: list[tuple[str, str]] = field(default_factory=list)  # baseline, diff base, suppression counts
    suppressed: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # where, rule, function, msg, why
    stale: list[tuple[str, str]] = field(default_factory=list)  # where, what
    fixed: list[tuple[str, str, str, str]] = field(default_factory=list)  # where, rule, function, message


@dataclass
class ChartLine:
    """One series of the growth chart: an SVG polyline, its snapshots' dots, and its legend entry."""
    points: str  # "x,y x,y ..."
    dots: list[tuple[float, float, str]]  # x, y, tooltip
    cls: str  # colour class (ch-cN) plus ch-confirmed / ch-other
    label: str
    where: str
    growth: int
    rate: str  # "+1.2 MiB/h" or ""
    verdict: str  # growing | plateaued | flat | ""
    findings: list[tuple[int, str]]  # (number, href)


@dataclass
class ChartView:
    """A growth-over-time chart: bytes in use (y) per snapshot (x), as inline SVG."""
    width: float
    height: float
    left: float
    top: float
    plot_w: float
    plot_h: float
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    x_label: str
    lines: list[ChartLine]
    caption: str
    notes: list[str] = field(default_factory=list)
    series_label: str = "Allocation site"  # the legend's column heading for what each line is
