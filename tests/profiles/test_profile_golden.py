"""Golden dumps of tiny profiles in every format (regenerate: LEAKSCAN_REGEN_GOLDEN=1)."""

from __future__ import annotations

import importlib.util
import os

import pytest

from tests.profiles.realrun import DATA

_spec = importlib.util.spec_from_file_location("leakscan_make_golden", DATA / "make_golden.py")
assert _spec is not None and _spec.loader is not None
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)

REGEN = os.environ.get("LEAKSCAN_REGEN_GOLDEN") == "1"


@pytest.mark.parametrize("name", make_golden.input_names())
def test_golden_dump(name: str) -> None:
    golden = make_golden.GOLDEN / f"{name}.golden"
    got = make_golden.expected(name)
    if REGEN:
        golden.write_text(got)
    assert got == golden.read_text(), f"{name}: parse dump differs from {golden.name}"


def test_inputs_match_their_generator() -> None:
    """The checked-in inputs are exactly what make_golden.py writes."""
    for name, text in make_golden.INPUTS.items():
        assert (make_golden.GOLDEN / name).read_text() == text, name


def test_golden_inputs_round_trip_through_proto() -> None:
    """Every parsed golden input survives to_proto → parse with the same dump (ints rounded)."""
    from analyzer.profiles.model import dump_text
    from analyzer.profiles.pprof_proto import to_proto
    from analyzer.profiles.sniff import parse_data

    for name in make_golden.input_names():
        p = parse_data((make_golden.GOLDEN / name).read_bytes(), name)
        if any(isinstance(v, float) for s in p.samples for v in s.values):
            continue  # un-sampled estimates are rounded by the proto format
        back = parse_data(to_proto(p), name)
        strip = "\n".join(ln for ln in dump_text(back).splitlines()[1:] if not ln.startswith(
            ("Warning:", "SamplingRate:")))
        want = "\n".join(ln for ln in dump_text(p).splitlines()[1:] if not ln.startswith(
            ("Warning:", "SamplingRate:")))
        assert strip == want, name
