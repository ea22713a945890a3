"""HTML report: structure, escaping, atomic writes, graphs, growth and fixes."""
from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import reports.html as html_mod
from analyzer.model import (
    AnalysisResult,
    Diagnostic,
    Evidence,
    Finding,
    GrowthStack,
    PathEvent,
    ProfileFrame,
    ScanStats,
    SourceLoc,
    UnexplainedGrowth,
)
from tests.reports.conftest import render_html

from .sample import graph, small_result


class Page(HTMLParser):
    """Every element with its attributes, the text, and ids; enough to assert on a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.script_text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script":
            self.script_text.append(data)
        else:
            self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def by_class(self, cls: str) -> list[tuple[str, dict[str, str | None]]]:
        return [(t, a) for t, a in self.elements if cls in (a.get("class") or "").split()]

    @property
    def joined(self) -> str:
        return "".join(self.text)


def read(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def table_rows(page: Page) -> list[dict[str, str | None]]:
    return [a for t, a in page.elements if t == "tr" and "data-rule" in a]


# ---- structure -------------------------------------------------------------------------------

def test_folder_report_has_index_and_a_page_per_finding(tmp_path: Path) -> None:
    result = small_result(tmp_path / "src")
    written = render_html(result, tmp_path / "out")
    names = sorted(p.name for p in written)
    assert names == ["finding-1.html", "finding-2.html", "finding-3.html", "fixes.patch", "index.html"]
    assert all(p.is_file() for p in written)
    index = read(tmp_path / "out" / "index.html")
    rows = table_rows(index)
    assert [r["data-rule"] for r in rows] == ["resource-leak", "resource-leak", "leak-on-overwrite"]
    assert {a.get("href") for a in index.all("a")} >= {f"finding-{n}.html" for n in (1, 2, 3)}
    for label in ("Files", "Translation units", "Degraded TUs", "Functions", "Scan time", "Inferred pairs"):
        assert label in index.joined
    assert "builtin:libc.toml" in index.joined  # rule files used
    assert "degraded: 1 unknown cursor kind" in index.joined  # diagnostics
    first = read(tmp_path / "out" / "finding-1.html")
    bubbles = first.by_class("bubble")
    assert len(bubbles) == 5  # every path event drawn on the code
    assert [a.get("data-kind") for _, a in bubbles] == ["acquire", "branch", "branch", "branch", "exit"]
    assert "returns without releasing 'buf'" in first.joined
    assert "Built-in rule file" in first.joined and "libc.toml" in first.joined
    assert first.all("div", id="f1-L24")[0].get("data-mark") == "report"
    assert any(a.get("class") == "dadd" for _, a in first.elements)  # a suggested fix
    third = read(tmp_path / "out" / "finding-3.html")
    assert "Inferred pair" in third.joined and "malloc/free" in third.joined


def test_evidence_headline_ranking_and_growth(tmp_path: Path) -> None:
    index = read(render_html(small_result(tmp_path / "src"), tmp_path / "out")[0])
    text = " ".join(index.joined.split())
    assert "1 of 3 findings confirmed by heap growth: 1.8 GiB over 3 snapshots" in text
    assert "confirmed by heap growth: 1.8 GiB over 3 snapshots" in text
    ranking = [a for t, a in index.elements if t == "li" and "data-evidence" in a]
    assert [a["data-evidence"] for a in ranking] == ["confirmed", "static-only"]
    assert "Unexplained growth (1)" in text and "leak-on-overwrite #3" in text
    flame = index.by_class("fl-exp") + index.by_class("fl-unexp") + index.by_class("fl-mixed")
    assert {a.get("class") for _, a in flame} >= {"fl-exp", "fl-unexp"}
    assert "By function" in text and "By allocation site" in text
    assert "leaky.c:9" in text  # the allocation site of the confirmed leak


def test_without_profiles_no_growth_sections(tmp_path: Path) -> None:
    result = small_result(tmp_path / "src", with_profiles=False)
    index = read(render_html(result, tmp_path / "out")[0])
    assert "Heap growth" not in index.joined and "ranked by heap growth" not in index.joined
    assert all(r["data-evidence"] == "none" for r in table_rows(index))


def test_single_file_is_one_self_contained_page(tmp_path: Path) -> None:
    result = small_result(tmp_path / "src")
    written = render_html(result, tmp_path / "report.html", single_file=True)
    assert written == [tmp_path / "report.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "src"]
    text = written[0].read_text()
    page = Page(text)
    assert [a.get("id") for t, a in page.elements if t == "article"] == ["finding-1", "finding-2", "finding-3"]
    hrefs = {a.get("href") or "" for a in page.all("a")}
    assert not any(h.endswith(".html") for h in hrefs)
    assert {"#finding-1", "#finding-2", "#finding-3", "#top"} <= hrefs
    ids = [a["id"] for _, a in page.elements if a.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique across the whole file"
    folder = render_html(result, tmp_path / "one", single_file=True)
    assert folder == [tmp_path / "one" / "index.html"]


@pytest.mark.parametrize("single", [False, True])
def test_no_network_references(tmp_path: Path, single: bool) -> None:
    written = render_html(small_result(tmp_path / "src"), tmp_path / "out", single_file=single)
    for path in written:
        if path.suffix != ".html":
            continue
        page = read(path)
        assert not page.all("link") and not page.all("img") and not page.all("iframe")
        assert all(not a.get("src") for _, a in page.elements)
        for _, attrs in page.elements:
            for name, value in attrs.items():
                if name == "xmlns":
                    continue
                assert not re.match(r"\s*(https?:|//)", value or ""), (name, value)


def test_collapsed_context_between_far_events(tmp_path: Path) -> None:
    body = "".join(f"    n += {i};\n" for i in range(40))
    text = f"#include <stdlib.h>\nint f(int n)\n{{\n    char *p = malloc(4);\n{body}    if (n)\n        return n;\n" \
           "    free(p);\n    return 0;\n}\n"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "far.c").write_text(text)
    leak = Finding("resource-leak", "malloc", "f", SourceLoc("far.c", 46, 9), SourceLoc("far.c", 4, 15),
                   "malloc", var="p", expected="free", function_span=(3, 49),
                   path=(PathEvent(SourceLoc("far.c", 4, 15), "acquired", "acquire"),
                         PathEvent(SourceLoc("far.c", 46, 9), "returns", "exit")))
    result = AnalysisResult(root=str(tmp_path / "src"), findings=(leak,))
    render_html(result, tmp_path / "out")
    page = read(tmp_path / "out" / "finding-1.html")
    folds = page.by_class("fold")
    assert len(folds) == 1
    # lines 2..49 are all present (the signature too), the far middle inside <details>
    assert {a["id"] for t, a in page.elements if t == "div" and a.get("id", "").startswith("f1-L")} == {
        f"f1-L{n}" for n in range(2, 50)}
    raw = (tmp_path / "out" / "finding-1.html").read_text()
    details = raw[raw.index('<details class="fold">'):raw.index("</details>", raw.index('<details class="fold">'))]
    assert 'id="f1-L20"' in details and 'id="f1-L4"' not in details and 'id="f1-L46"' not in details


def test_missing_source_still_renders(tmp_path: Path) -> None:
    result = small_result(tmp_path / "src")
    render_html(result, tmp_path / "out", source_reader=lambda path: None)
    page = read(tmp_path / "out" / "finding-1.html")
    assert "could not be read" in page.joined
    assert "returns without releasing 'buf'" in page.joined  # the path is still listed
    assert not (tmp_path / "out" / "fixes.patch").exists()


def test_fallback_span_when_function_span_unknown(tmp_path: Path) -> None:
    result = small_result(tmp_path / "src")
    f = dataclasses.replace(result.findings[0], function_span=(0, 0))
    render_html(dataclasses.replace(result, findings=(f,)), tmp_path / "out")
    page = read(tmp_path / "out" / "finding-1.html")
    lines = [int(a["id"][4:]) for t, a in page.elements if t == "div" and a.get("id", "").startswith("f1-L")]
    assert min(lines) == 17 and max(lines) == 33  # 15 lines around the event, clipped to the file


# ---- graphs ----------------------------------------------------------------------------------

def graph_nodes(page: Page) -> list[dict[str, str | None]]:
    return [a for t, a in page.elements if t == "g" and "node" in (a.get("class") or "").split()]


def test_graph_with_graphviz(tmp_path: Path) -> None:
    if html_mod.shutil.which("dot") is None:
        pytest.skip("graphviz not installed")
    render_html(small_result(tmp_path / "src"), tmp_path / "out")
    page = read(tmp_path / "out" / "finding-1.html")
    assert len(graph_nodes(page)) == 8
    assert "graphviz dot" in page.joined
    assert "#f1-L9" in {a.get("href") for a in page.all("a")}  # nodes link to their line


def test_graph_layered_fallback_without_graphviz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_mod.shutil, "which", lambda name: None)
    render_html(small_result(tmp_path / "src"), tmp_path / "out")
    page = read(tmp_path / "out" / "finding-1.html")
    assert len(graph_nodes(page)) == 8
    assert len([a for t, a in page.elements if t == "g" and "edge" in (a.get("class") or "")]) == 8
    assert "layered layout" in page.joined
    third = read(tmp_path / "out" / "finding-3.html")  # a self loop and a cycle-free pair
    assert len(graph_nodes(third)) == 2


def test_graph_edge_cases(tmp_path: Path) -> None:
    result = small_result(tmp_path / "src", with_profiles=False)
    big = graph([(i, "var", f"v{i}", 9) for i in range(300)], [(i, i + 1, "flow") for i in range(299)])
    cyclic = graph([("a", "var", "a", 9), ("b", "var", "b", 10)], [("a", "b", "x"), ("b", "a", "y")])
    graphs = {"c:@F@parse": big, "c:@F@refill": cyclic}
    render_html(dataclasses.replace(result, graphs=graphs), tmp_path / "out")
    assert "too large to draw" in read(tmp_path / "out" / "finding-1.html").joined
    assert len(graph_nodes(read(tmp_path / "out" / "finding-3.html"))) == 2
    junk = {"c:@F@parse": {"nodes": "nope"}, "c:@F@refill": ["not", "a", "graph"]}
    render_html(dataclasses.replace(result, graphs=junk), tmp_path / "out")
    assert "No ownership graph" in read(tmp_path / "out" / "finding-1.html").joined


# ---- writing ---------------------------------------------------------------------------------

def test_failure_leaves_no_half_written_report(tmp_path: Path) -> None:
    result = small_result(tmp_path / "src")
    out = tmp_path / "out"
    render_html(result, out)
    before = {p.name: p.read_text() for p in out.iterdir()}

    def broken(path: str) -> str:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        render_html(dataclasses.replace(result, timestamp="later"), out, source_reader=broken)
    assert {p.name: p.read_text() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "src"]  # no temporary left
    with pytest.raises(RuntimeError):
        render_html(result, tmp_path / "fresh", source_reader=broken)
    assert not (tmp_path / "fresh").exists()


def test_failure_while_writing_keeps_previous_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = small_result(tmp_path / "src")
    out = tmp_path / "out"
    render_html(result, out)
    before = {p.name: p.read_text() for p in out.iterdir()}
    template = html_mod._environment().get_template("finding.html.j2")
    calls = {"n": 0}
    real = template.render

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("no space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(template, "render", flaky)
    with pytest.raises(OSError):
        render_html(dataclasses.replace(result, timestamp="later"), out)
    assert {p.name: p.read_text() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "src"]


def test_rewrite_replaces_previous_report(tmp_path: Path) -> None:
    result = small_result(tmp_path / "src")
    render_html(result, tmp_path / "out")
    render_html(dataclasses.replace(result, findings=result.findings[:1]), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["finding-1.html", "fixes.patch", "index.html"]


def test_refuses_to_replace_a_folder_with_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        render_html(small_result(tmp_path / "src"), out)
    assert (out / "notes.txt").read_text() == "mine"


def test_fixes_patch_applies_to_the_scanned_tree(tmp_path: Path, git_repo) -> None:
    result = small_result(tmp_path / "src")
    render_html(result, tmp_path / "out")
    patch = (tmp_path / "out" / "fixes.patch").read_text()
    git_repo.write("leaky.c", (tmp_path / "src" / "leaky.c").read_text())
    git_repo.apply(patch)
    out = git_repo.read("leaky.c")
    assert ("    if (strict && buf[0] == '#') {\n        free(buf);\n        fclose(fp);\n        return -4;\n    }"
            in out)


# ---- markup injection ------------------------------------------------------------------------

EVIL = "</textarea><script>alert(\"x\")</script>'\"<img src=x onerror=alert(1)>"

EVIL_C = """\
/* </textarea><script>alert('comment')</script> --> <!-- ]]> */
#include <stdlib.h>
const char *banner = "</textarea><script>alert(\\"string\\")</script>";
int evil(int n)
{
    char *p = malloc(8); // <script>alert('line comment')</script>
    if (n > 0)
        return "</textarea><script>alert(\\"string\\")</script>"[n];
    free(p);
    return 0;
}
"""


def evil_result(root: Path) -> AnalysisResult:
    folder = root / 'dir"<script>alert(1)<'
    folder.mkdir(parents=True)
    name = "script>'.c"
    (folder / name).write_text(EVIL_C)
    rel = f'dir"<script>alert(1)</{name}'
    assert (root / rel).is_file()
    stack = GrowthStack((ProfileFrame(f"evil{EVIL}", rel, 6), ProfileFrame("main<script>")), 4096, 2, EVIL)
    finding = Finding(
        rule_id="resource-leak", resource_kind=f"kind{EVIL}", function=f"ns::evil<{EVIL}>", loc=SourceLoc(rel, 8, 9),
        acquire=SourceLoc(rel, 6, 15), acquirer=f"malloc{EVIL}", var="p", expected="free",
        path=(PathEvent(SourceLoc(rel, 6, 15), f"acquired {EVIL}", f"acquire{EVIL}"),
              PathEvent(SourceLoc(rel, 8, 9), f"returns {EVIL}", "exit")),
        confidence=f"high{EVIL}", rule_source=f"inferred:{EVIL}/x", snippet=EVIL, function_usr=f"usr{EVIL}",
        function_span=(5, 11), evidence=Evidence(f"confirmed{EVIL}", 4096, 2, (stack,), EVIL))
    return AnalysisResult(
        root=str(root), findings=(finding,),
        diagnostics=(Diagnostic(rel, 1, f"degraded {EVIL}", f"warning{EVIL}"),),
        stats=ScanStats(files=1, tus=1, rules=(f"rules/{EVIL}.toml",)),
        pairs=({"acquirer": EVIL, f"key{EVIL}": [EVIL], "releaser": "x"},),
        graphs={f"usr{EVIL}": graph([(EVIL, f"kind{EVIL}", EVIL, 6), (1, "exit", "return", 8)],
                                    [(EVIL, 1, EVIL)])},
        unexplained=(UnexplainedGrowth(SourceLoc(rel, 6), f"fn{EVIL}", stack, (EVIL,)),),
        profiles=({"path": EVIL, "snapshots": EVIL},), timestamp=EVIL, tool_version=EVIL)


@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize("dot", [True, False])
def test_markup_injection_is_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single: bool,
                                     dot: bool) -> None:
    if not dot:
        monkeypatch.setattr(html_mod.shutil, "which", lambda name: None)
    result = evil_result(tmp_path / "src")
    written = [p for p in render_html(result, tmp_path / "out", single_file=single) if p.suffix == ".html"]
    assert len(written) == (1 if single else 2)
    for path in written:
        raw = path.read_text(encoding="utf-8")
        page = Page(raw)
        scripts = page.all("script")
        assert scripts == [{}], f"unexpected <script> elements in {path.name}"
        assert not page.all("img") and not page.all("textarea") and not page.all("iframe")
        for tag, attrs in page.elements:
            for name, value in attrs.items():
                assert not name.startswith("on"), (tag, name)
                assert name in ALLOWED_ATTRS, (tag, name)
                if name == "href":
                    assert re.fullmatch(r"#[\w-]+|finding-\d+\.html|index\.html|fixes\.patch", value or ""), value
        # the hostile text is shown as text
        assert "<script>alert(\"x\")</script>" in page.joined
        assert raw.count("<script>") == 1
    finding_page = Page((tmp_path / "out" / ("index.html" if single else "finding-1.html")).read_text())
    text = finding_page.joined
    assert "// <script>alert('line comment')</script>" in text  # the C comment, highlighted
    assert '"</textarea><script>alert(\\"string\\")</script>"[n]' in text  # the string literal
    assert "dir\"<script>alert(1)</script>'.c:8" in text  # the file name


ALLOWED_ATTRS = {
    "id", "class", "href", "lang", "charset", "name", "content", "http-equiv", "style", "title", "hidden",
    "type", "value", "placeholder", "role", "aria-label", "aria-labelledby", "xmlns", "viewbox", "width",
    "height", "x", "y", "rx", "d", "marker-end", "refx", "refy", "markerwidth", "markerheight", "orient",
    "text-anchor", "dominant-baseline", "preserveaspectratio", "data-page-size", "data-type", "data-nosort",
    "data-v", "data-rule", "data-kind", "data-file", "data-function", "data-confidence", "data-evidence",
    "data-level", "data-mark", "data-fold", "data-severity", "open", "data-baseline",
}
