"""`leakscan watch URL [SRC...]`: scan once, then take heap snapshots of a live service and rewrite the report."""
from __future__ import annotations

import argparse
import datetime
import re
from pathlib import Path
from typing import Any

from analyzer.errors import ExitCode, InputError
from analyzer.fsio import check_report_dir, replace_dir_atomic
from analyzer.model import AnalysisResult, human_bytes
from analyzer.watch import SYMBOL_MODES, Update, Watch, WatchOptions

from .output import exit_code_for, with_fixes
from .progress import ScanProgress
from .scan import add_source_args, configured_scan

_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h|d)?")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
SHOWN = 10  # findings printed after each snapshot


def duration(text: str) -> float:
    """`60s`, `2h`, `1h30m`, `500ms`, `90` (seconds) -> seconds."""
    pos, total = 0, 0.0
    for m in _DURATION.finditer(text.strip()):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    if pos != len(text.strip()) or not text.strip() or total <= 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 60s, 2h, 1h30m, 500ms)")
    return total


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a snapshot count: {text!r} (1 or more)")
    return int(text)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("watch", help="heap snapshots of a live service over HTTP (pprof remote protocol), "
                                     "correlated with the static scan; the report rewritten after each")
    p.add_argument("url", help="the service: http://HOST:PORT (its /pprof/heap or /debug/pprof/heap), "
                               "or the heap page's URL")
    add_source_args(p)
    p.add_argument("--result", metavar="FILE", help="a saved JSON result (leakscan scan --format json) instead "
                                                    "of scanning")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="report folder: index.html, leakscan.sarif and leakscan.json, rewritten after each snapshot")
    p.add_argument("--interval", type=duration, default=60.0, metavar="TIME", help="between snapshots (default 60s)")
    stop = p.add_mutually_exclusive_group()
    stop.add_argument("--count", type=_count, metavar="N", help="stop after N snapshots")
    stop.add_argument("--duration", type=duration, metavar="TIME", help="stop after this long (e.g. 2h)")
    p.add_argument("--symbols", choices=SYMBOL_MODES, default="auto",
                   help="auto (default): the local binary where it is here, then the service's /pprof/symbol; "
                        "remote: only the service; local: only --binary, --search-path and the recorded paths")
    p.add_argument("--binary", help="the service's binary (or a .sym file of it), to symbolize locally")
    p.add_argument("--search-path", action="append", default=[], metavar="DIR",
                   help="where to find the binary and shared libraries named in the snapshots")
    p.add_argument("--timeout", type=duration, default=30.0, metavar="TIME", help="per request (default 30s)")
    p.add_argument("--retries", type=int, default=3, metavar="N",
                   help="retries of a failed request, with backoff 1s, 2s, 4s... (default 3)")
    p.add_argument("-q", "--quiet", action="store_true", help="one line per snapshot")
    p.set_defaults(run=cmd_watch)


def cmd_watch(args: argparse.Namespace, extra: list[str]) -> ExitCode:
    from analyzer.profiles.remote import FetchPolicy, PprofClient

    out = Path(args.output)
    _check_output(out)
    client = PprofClient(args.url, FetchPolicy(timeout=args.timeout, retries=max(0, args.retries)))
    static = with_fixes(_static_result(args, extra))
    binary = args.binary
    if binary and not Path(binary).is_file():
        raise InputError(binary, None, "no such file")
    options = WatchOptions(interval=args.interval, count=args.count, duration=args.duration, symbols=args.symbols,
                           binary=binary, search_paths=tuple(args.search_path))
    watch = Watch(static, client, options)
    _say(f"leakscan watch: {args.url}: {len(static.findings)} finding(s) from the static scan; a snapshot every "
         f"{args.interval:g}s" + (f", {args.count} in all" if args.count else "")
         + (f" for {args.duration:g}s" if args.duration else "") + f"; report in {out}")
    try:
        result = watch.run(lambda u: _on_update(u, out, args.quiet),
                           lambda exc: _say(f"leakscan: warning: snapshot skipped: {exc}"))
    except KeyboardInterrupt:
        if watch.result is None:
            raise
        _say(f"leakscan watch: stopped after {watch.number} snapshot(s); report kept in {out}")
        return exit_code_for(watch.result)
    except InputError as exc:
        if watch.result is not None:
            _say(f"leakscan watch: giving up after {watch.number} snapshot(s); report kept in {out}")
        raise exc from None
    assert result is not None
    _say(f"leakscan watch: done, {watch.number} snapshot(s); report: {out / 'index.html'}")
    return exit_code_for(result)


def _static_result(args: argparse.Namespace, extra: list[str]) -> AnalysisResult:
    if args.result:
        if args.paths or args.build_dir or args.compile_commands:
            raise InputError(args.result, None, "--result replaces the scan: give no sources or -p with it")
        from .results import load_result
        return load_result(args.result)
    from analyzer.pipeline import run
    progress = ScanProgress()
    try:
        return run(configured_scan(args, extra)[1], progress=progress)
    finally:
        progress.close()


def _check_output(out: Path) -> None:
    """Fail before the scan, not after the first snapshot, when -o cannot take a report."""
    try:
        check_report_dir(out)
    except FileExistsError as exc:
        raise InputError(str(out), None, f"{exc.args[0]}; choose an empty or new folder") from None


def write_report(result: AnalysisResult, out: Path) -> None:
    """index.html (and a page per finding), leakscan.sarif and leakscan.json: swapped in at once."""
    from reports.html import render_html
    from reports.jsonout import render_json
    from reports.sarif import render_sarif
    files = render_html(result)
    files["leakscan.sarif"] = render_sarif(result)
    files["leakscan.json"] = render_json(result)
    replace_dir_atomic(out, files)


def _on_update(u: Update, out: Path, quiet: bool) -> None:
    write_report(u.result, out)
    when = datetime.datetime.fromtimestamp(u.at).strftime("%H:%M:%S")
    base = f"{u.baseline} in the baseline" if u.baseline != u.number else ""
    head = f"snapshot {u.number} at {when}: {human_bytes(u.total_bytes)} in use"
    if u.restart:
        head += f"; the service restarted ({u.restart}): new baseline"
    elif base:
        head += f" ({base})"
    confirmed = [f for f in u.result.findings if f.evidence and f.evidence.status == "confirmed"]
    head += f"; {len(confirmed)} confirmed of {len(u.result.findings)}"
    _say(head)
    if quiet:
        return
    for f in u.result.findings[:SHOWN]:
        ev = f.evidence
        if ev is None or ev.status != "confirmed":
            continue
        growth = f"+{human_bytes(ev.growth_bytes)}" if u.baseline > 1 else f"{human_bytes(ev.growth_bytes)} in use"
        rate = "" if ev.per_hour is None else f"{'+' if ev.per_hour >= 0 else ''}{human_bytes(round(ev.per_hour))}/h"
        _say(f"  {f.rank:>2}. {growth:<11} {rate:>13}  {ev.verdict:<9}  "
             f"{_short(f.loc.file, u.result.root)}:{f.loc.line}  {f.function}()  [{f.rule_id}]")
    timeline = u.result.timeline
    for site in (timeline.sites if timeline else ())[:SHOWN]:
        if not site.findings and site.verdict in ("growing", "plateaued"):
            where = f" {_short(site.file, u.result.root)}:{site.line}" if site.file else ""
            _say(f"      {site.verdict:<9} +{human_bytes(site.growth):<10} {site.function}(){where} (no finding)")


def _short(path: str, root: str) -> str:
    if root and path.startswith(root.rstrip("/") + "/"):
        return path[len(root.rstrip("/")) + 1:]
    return path


def _say(text: str) -> None:
    print(text, flush=True)
