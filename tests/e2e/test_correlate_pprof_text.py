"""pprof --text --base (the story's input): function-level rows still rank the true missing free first.

tests/data/example_profiles/pprof-text-base-diff.txt is `google-pprof --text --show_bytes
--base=dictserver.0001.heap BIN dictserver.0005.heap` from a real run of examples/dictserver
(`BUILD_DIR=B bash examples/dictserver/gen_profiles.sh OUT heap`).
"""
import os
from pathlib import Path

from analyzer.correlate import correlate_with_files
from analyzer.pipeline import Options, run

ROOT = Path(__file__).resolve().parents[2]


def test_pprof_text_diff_ranks_the_missing_pack_release_first():
    result = run(Options(paths=(str(ROOT / "examples" / "dictserver"),), jobs=1))
    profile = ROOT / "tests" / "data" / "example_profiles" / "pprof-text-base-diff.txt"
    ranked = sorted(correlate_with_files(result, [str(profile)]).findings, key=lambda f: f.rank)
    top = ranked[0]
    assert (top.function, top.rule_id, top.evidence.status) == (
        "dictserver::TermDictionary::search", "resource-leak", "confirmed")
    assert top.evidence.growth_bytes > 2_000_000
    assert "function level" in top.evidence.summary
    statuses = {(os.path.basename(f.loc.file), f.function.rsplit("::", 1)[-1]): f.evidence.status for f in ranked}
    assert statuses == {("term_dict.cpp", "search"): "confirmed", ("term_dict.cpp", "reload"): "confirmed",
                        ("term_dict.cpp", "split_queries"): "confirmed", ("term_dict.cpp", "load_file"): "static-only"}
