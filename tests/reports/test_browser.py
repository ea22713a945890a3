"""The HTML report in headless Chromium: no console errors, every finding listed, JS enhancements work."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.reports.conftest import render_html

from .cdp import Browser, available
from .sample import small_result, synthetic_result

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not available(), reason="chromium is not installed (Debian package chromium)")]

SHOTS = Path(tempfile.gettempdir()) / "leakscan-report-screenshots"

VISIBLE_ROWS = "[...document.querySelectorAll('#findings-table tbody tr')].filter(r => !r.hidden).length"


@pytest.fixture
def browser(tmp_path: Path):
    with Browser(tmp_path / "profile") as b:
        yield b


def keep(path: Path) -> None:
    """Screenshots also go to a fixed place under /tmp, to look at after a run."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_error_detection_works(tmp_path: Path, browser: Browser) -> None:
    """The checks below mean something only if a broken page and a CSP violation are caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><p>x</p><script>missingFunction();</script>")
    browser.open(bad.as_uri())
    assert any("missingFunction" in e for e in browser.errors)
    browser.errors.clear()
    written = render_html(small_result(tmp_path / "src"), tmp_path / "out")
    index = written[0].read_text()
    injected = tmp_path / "injected.html"
    injected.write_text(index.replace("<main", "<script>document.title='owned'</script><main", 1))
    browser.open(injected.as_uri())
    assert browser.evaluate("document.title") != "owned"  # the page's CSP refused the injected script
    assert any("Content Security Policy" in e for e in browser.errors), browser.errors
    assert browser.evaluate("document.documentElement.dataset.js") == "ready"  # ours still ran


def test_index_lists_every_finding_and_pages_them(tmp_path: Path, browser: Browser) -> None:
    result = synthetic_result(tmp_path / "src", 250)
    render_html(result, tmp_path / "out")
    browser.open((tmp_path / "out" / "index.html").as_uri())
    assert browser.errors == []
    assert browser.evaluate("document.documentElement.dataset.js") == "ready"
    assert browser.evaluate("document.querySelectorAll('#findings-table tbody tr').length") == 250
    assert browser.evaluate(VISIBLE_ROWS) == 200
    assert "1\u2013200 of 250" in browser.evaluate("document.getElementById('pager-status').textContent")
    browser.evaluate("document.getElementById('pager-next').click()")
    assert browser.evaluate(VISIBLE_ROWS) == 50
    # filter by rule, then by file text: pagination follows the filter
    browser.evaluate("""(() => { const s = document.querySelector('#filters select[name=rule]');
        s.value = 'leak-on-overwrite'; s.dispatchEvent(new Event('change', {bubbles: true})); })()""")
    expected = sum(1 for f in result.findings if f.rule_id == "leak-on-overwrite")
    assert browser.evaluate(VISIBLE_ROWS) == expected
    browser.evaluate("""(() => { const s = document.querySelector('#filters select[name=rule]');
        s.value = ''; s.dispatchEvent(new Event('change', {bubbles: true}));
        const t = document.querySelector('#filters input[name=text]');
        t.value = 'mod001'; t.dispatchEvent(new Event('input', {bubbles: true})); })()""")
    assert browser.evaluate(VISIBLE_ROWS) == sum(1 for f in result.findings if "mod001" in f.loc.file)
    browser.evaluate("""(() => { const t = document.querySelector('#filters input[name=text]');
        t.value = ''; t.dispatchEvent(new Event('input', {bubbles: true}));
        const s = document.querySelector('#filters select[name=evidence]');
        s.value = 'confirmed'; s.dispatchEvent(new Event('change', {bubbles: true})); })()""")
    confirmed = sum(1 for f in result.findings if f.evidence and f.evidence.status == "confirmed")
    assert browser.evaluate(VISIBLE_ROWS) == confirmed
    # sort by '#' descending: two clicks on the header
    browser.evaluate("""(() => { const s = document.querySelector('#filters select[name=evidence]');
        s.value = ''; s.dispatchEvent(new Event('change', {bubbles: true}));
        const b = document.querySelector('#findings-table thead th button'); b.click(); b.click(); })()""")
    first = browser.evaluate("[...document.querySelectorAll('#findings-table tbody tr')].find(r => !r.hidden)"
                             ".cells[0].textContent.trim()")
    assert first == "250"
    assert browser.errors == []


def test_without_javascript_all_rows_are_visible(tmp_path: Path, browser: Browser) -> None:
    render_html(synthetic_result(tmp_path / "src", 250), tmp_path / "out")
    browser.open((tmp_path / "out" / "index.html").as_uri(), javascript=False)
    assert browser.evaluate(VISIBLE_ROWS) == 250  # evaluate still works with page scripts off
    assert browser.evaluate("document.getElementById('filters').hidden") is True
    assert browser.evaluate("document.documentElement.dataset.js") is None


def test_finding_page_shows_the_path(tmp_path: Path, browser: Browser) -> None:
    result = small_result(tmp_path / "src")
    render_html(result, tmp_path / "out")
    browser.open((tmp_path / "out" / "finding-1.html").as_uri())
    assert browser.errors == []
    bubbles = browser.evaluate("""[...document.querySelectorAll('.src .bubble')].map(b =>
        [b.querySelector('.num').textContent, b.querySelector('.text').textContent, b.offsetHeight > 0])""")
    assert [b[0] for b in bubbles] == ["1", "2", "3", "4", "5"]
    assert all(b[2] for b in bubbles), "every bubble is rendered"
    assert bubbles[-1][1] == "returns without releasing 'buf'"
    # each bubble sits right after the line of its event
    lines = browser.evaluate("""[...document.querySelectorAll('.src .bubble')].map(b => {
        let e = b.previousElementSibling; while (e && !e.classList.contains('line')) e = e.previousElementSibling;
        return e.id; })""")
    assert lines == ["f1-L9", "f1-L10", "f1-L13", "f1-L23", "f1-L24"]
    assert browser.evaluate("document.querySelectorAll('svg.ograph g.node').length") == 8
    assert browser.evaluate("document.querySelector('svg.ograph').getBBox().width") > 50
    shot = browser.screenshot(tmp_path / "finding-1.png")
    keep(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    browser.open((tmp_path / "out" / "index.html").as_uri())
    assert browser.errors == []
    assert browser.evaluate("document.querySelectorAll('#findings-table tbody tr').length") == 3
    assert browser.evaluate("document.querySelectorAll('.flame rect').length") >= 4
    keep(browser.screenshot(tmp_path / "index.png", full_page=True))


def test_collapsed_lines_open_on_demand(tmp_path: Path, browser: Browser) -> None:
    render_html(synthetic_result(tmp_path / "src", 3, files=1), tmp_path / "out")
    browser.open((tmp_path / "out" / "finding-1.html").as_uri())
    assert browser.errors == []
    assert browser.evaluate("document.querySelectorAll('details.fold').length") >= 1
    assert browser.evaluate("[...document.querySelectorAll('details.fold')].some(d => d.open)") is False
    browser.evaluate("document.querySelector('.src-tools button[data-fold=open]').click()")
    assert browser.evaluate("[...document.querySelectorAll('details.fold')].every(d => d.open)") is True
    browser.evaluate("document.querySelector('.src-tools button[data-fold=close]').click()")
    hidden_line = browser.evaluate("document.querySelector('details.fold .line').id")
    browser.evaluate(f"location.hash = '#{hidden_line}'")
    browser.settle()
    assert browser.evaluate("document.querySelector('details.fold').open") is True


def test_single_file_report_in_browser(tmp_path: Path, browser: Browser) -> None:
    render_html(small_result(tmp_path / "src"), tmp_path / "one.html", single_file=True)
    browser.open((tmp_path / "one.html").as_uri())
    assert browser.errors == []
    assert browser.evaluate("document.querySelectorAll('article.finding').length") == 3
    assert browser.evaluate("document.querySelectorAll('#findings-table tbody tr').length") == 3
    assert browser.evaluate("document.querySelectorAll('.bubble').length") == 5 + 3 + 1


def test_every_leaking_exit_is_marked_and_opens_its_path(tmp_path: Path, browser: Browser) -> None:
    """Issue 15: one finding for a resource lost on three exits; each exit is a bubble on the code and a path."""
    from analyzer.pipeline import Options, run
    from tests.e2e.test_grouped_exits import EXITS, exit_lines
    src = tmp_path / "src"
    src.mkdir()
    (src / "parse.c").write_text(EXITS)
    result = run(Options(paths=(str(src),), jobs=1))
    render_html(result, tmp_path / "out")
    browser.open((tmp_path / "out" / "index.html").as_uri())
    assert browser.errors == []
    assert browser.evaluate("document.querySelectorAll('#findings-table tbody tr').length") == 1
    assert "3 exits" in browser.evaluate("document.querySelector('.exit-count').textContent")
    browser.open((tmp_path / "out" / "finding-1.html").as_uri())
    assert browser.errors == []
    marked = browser.evaluate("[...document.querySelectorAll('.bubble[data-kind=\"exit\"]')]"
                              ".map(b => b.previousElementSibling ? b.closest('.src') !== null : false).length")
    assert marked == 3  # the shortest path's exit and the two others, as bubbles on the code
    lines = browser.evaluate("[...document.querySelectorAll('.bubble[data-kind=\"exit\"]')].map(b => {"
                             " let e = b.previousElementSibling; while (e && !e.classList.contains('line'))"
                             " e = e.previousElementSibling; return e ? +e.querySelector('.ln').textContent : 0; })")
    assert sorted(lines) == exit_lines(EXITS)
    assert browser.evaluate("document.querySelectorAll('details.exit').length") == 3
    browser.evaluate("document.querySelectorAll('details.exit')[2].open = true")
    assert browser.evaluate("document.querySelectorAll('details.exit')[2].querySelectorAll('li').length") > 2


def test_growth_chart_renders(tmp_path: Path, browser: Browser) -> None:
    """The example service scanned and correlated with three of its recorded heap snapshots: the growth chart
    draws one line per top site (the findings' bold), and each confirmed finding's page draws its stacks."""
    from analyzer.correlate import correlate_with_files
    from analyzer.pipeline import Options, run

    example = Path(__file__).resolve().parents[2] / "examples" / "dictserver"
    dumps = sorted(str(p) for p in (example / "profiles").glob("dictserver.*.heap"))[:3]
    result = correlate_with_files(run(Options(paths=(str(example),))), dumps,
                                  binary=str(example / "profiles" / "dictserver.sym"))
    assert result.timeline is not None
    render_html(result, tmp_path / "out")
    browser.open((tmp_path / "out" / "index.html").as_uri())
    assert browser.errors == []
    lines = browser.evaluate("document.querySelectorAll('#timeline svg.growth-chart polyline').length")
    assert lines == len(result.timeline.sites) >= 4
    bold = browser.evaluate("document.querySelectorAll('#timeline svg.growth-chart g.ch-confirmed').length")
    assert bold == sum(1 for s in result.timeline.sites if s.findings) == 3
    box = browser.evaluate("(() => { const b = document.querySelector('#timeline svg.growth-chart')"
                           ".getBoundingClientRect(); return [b.width, b.height]; })()")
    assert box[0] > 400 and box[1] > 100
    widths = browser.evaluate("[...document.querySelectorAll('#timeline polyline')].map(p => p.getBBox().width)")
    assert all(w > 300 for w in widths)  # every line spans the three snapshots
    stroke = browser.evaluate("getComputedStyle(document.querySelector('#timeline g.ch-confirmed polyline'))"
                              ".strokeWidth")
    assert float(stroke.rstrip("px")) > 2
    verdicts = browser.evaluate("[...document.querySelectorAll('#timeline .chart-legend tbody tr')].map(r => "
                                "[r.cells[1].textContent, r.cells[5].textContent])")
    assert ["dictserver::QueryCache::put", "plateaued"] in verdicts
    assert ["dictserver::TermDictionary::search", "growing"] in verdicts
    keep(browser.screenshot(tmp_path / "index-chart.png", full_page=True))
    browser.open((tmp_path / "out" / "finding-1.html").as_uri())
    assert browser.errors == []
    assert browser.evaluate("document.querySelectorAll('svg.growth-chart polyline').length") >= 1
    assert browser.evaluate("document.querySelector('svg.growth-chart polyline').getBBox().width") > 300
