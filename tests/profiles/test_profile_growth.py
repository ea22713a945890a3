"""Growth scoring on hand-built snapshot series, and snapshot ordering."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analyzer.profiles import Frame, diff_profiles, score_growth
from analyzer.profiles.builder import ProfileBuilder
from analyzer.profiles.growth import fit, order_snapshots, sequence_number
from analyzer.profiles.model import Profile, ValueType

VT = (ValueType("inuse_objects", "count"), ValueType("inuse_space", "bytes"))
LEAK = [("leak_fn", "a.cpp", 10), ("main", "main.cpp", 5)]
PLATEAU = [("cache_fill", "b.cpp", 20), ("main", "main.cpp", 6)]
NOISE = [("scratch", "c.cpp", 30), ("main", "main.cpp", 7)]


def snapshot(path: str, values: dict[str, int], base: int = 0x1000) -> Profile:
    b = ProfileBuilder(2)
    for stack, v in ((LEAK, values.get("leak", 0)), (PLATEAU, values.get("plateau", 0)),
                     (NOISE, values.get("noise", 0))):
        locs = [b.symbolic_location([fr], base + 16 * i) for i, fr in enumerate(stack)]
        b.add_sample(locs, [v // 64, v])
    return b.build(sample_types=VT, source_path=path, source_format="test", symbolized=True)


def series(n: int = 10) -> list[Profile]:
    out = []
    for k in range(n):
        out.append(snapshot(f"/tmp/app.{k + 1:04d}.heap", {
            "leak": 400_000 * k,  # steady: 3.6 MB over the window
            "plateau": 0 if k == 0 else 5_000_000,  # bigger total rise, but all at once
            "noise": 65536 if k % 3 == 1 else 0,  # a live temporary caught in some dumps
        }, base=0x1000 * (k + 1)))  # different addresses in every snapshot (ASLR)
    return out


def test_steady_growth_outranks_plateau_and_noise() -> None:
    scores = score_growth(series())
    assert [g.site.function for g in scores] == ["leak_fn", "cache_fill", "scratch"]
    leak, plateau, noise = scores
    assert leak.r2 == pytest.approx(1.0) and leak.slope == pytest.approx(400_000)
    assert plateau.growth > leak.growth and plateau.score < leak.score / 4
    assert noise.score < plateau.score


def test_sequence_numbers_order_snapshots() -> None:
    profiles = series(4)
    shuffled = [profiles[2], profiles[0], profiles[3], profiles[1]]
    snaps = order_snapshots(shuffled)
    assert [s.profile.source_path for s in snaps] == [p.source_path for p in profiles]
    assert not snaps[0].timed and [s.x for s in snaps] == [1.0, 2.0, 3.0, 4.0]


def test_bytes_per_hour_from_timestamps() -> None:
    profiles = [replace(p, source_path=f"/tmp/snap-{i}.prof", time_nanos=int((100 + 600 * i) * 1e9))
                for i, p in enumerate(series(4))]
    leak = next(g for g in score_growth(profiles) if g.site.function == "leak_fn")
    assert leak.per_hour == pytest.approx(400_000 * 6)  # one snapshot every 10 minutes


def test_explicit_times_override() -> None:
    scores = score_growth(series(3), times=[0, 1800, 3600])
    leak = next(g for g in scores if g.site.function == "leak_fn")
    assert leak.per_hour == pytest.approx(400_000 * 2)


def test_needs_three_snapshots() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        score_growth(series(2))


def test_fit() -> None:
    assert fit([0, 1, 2], [1, 3, 5]) == (pytest.approx(2.0), pytest.approx(1.0))
    assert fit([0, 1, 2], [4, 4, 4]) == (0.0, 0.0)
    assert fit([1, 1, 1], [1, 2, 3]) == (0.0, 0.0)


@pytest.mark.parametrize("path, seq", [("/x/app.0007.heap", 7), ("app.0012.snap.heap", 12),
                                       ("sample.0003.heap.gz", 3), ("heap.prof", None)])
def test_sequence_number(path: str, seq: int | None) -> None:
    assert sequence_number(path) == seq


def test_diff_by_symbolized_stack_across_address_spaces() -> None:
    base, new = series(10)[1], series(10)[9]
    d = diff_profiles(base, new)
    assert [(s.site, s.delta) for s in d.sites if s.delta] == [
        (Frame("leak_fn", "a.cpp", 10), 3_200_000), (Frame("scratch", "c.cpp", 30), -65536)]
    assert d.delta_total == 3_200_000 - 65536
