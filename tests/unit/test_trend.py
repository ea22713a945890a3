"""Growth over time: the still growing / plateaued verdict and the rate per hour."""
from __future__ import annotations

import pytest

from analyzer.profiles.growth import rate_per_hour, trend


@pytest.mark.parametrize(("ys", "verdict"), [
    ([100, 200, 300], "growing"),  # a leak: steady
    ([100, 200, 300, 400, 500], "growing"),
    ([100, 130, 200, 260, 330], "growing"),  # irregular but still rising
    ([100, 600, 610], "plateaued"),  # a cache that filled up
    ([100, 400, 600, 610, 605], "plateaued"),
    ([100, 400, 600, 620, 640], "plateaued"),  # the last half rises at under a quarter of the whole rate
    ([300, 200, 300], "flat"),  # back where it started
    ([300, 300, 300], "flat"),
    ([300, 200, 100], "flat"),
])
def test_verdict(ys: list[int], verdict: str) -> None:
    assert trend([float(x) for x in range(len(ys))], ys) == verdict


def test_no_verdict_below_three_snapshots() -> None:
    assert trend([0.0, 1.0], [1, 2]) == ""


def test_uneven_spacing_counts() -> None:
    # the same bytes, but the last step took ten times as long: the growth has slowed to a crawl
    assert trend([0.0, 60.0, 660.0], [0, 600, 660]) == "plateaued"
    assert trend([0.0, 60.0, 120.0], [0, 600, 1200]) == "growing"


def test_rate_per_hour() -> None:
    assert rate_per_hour([0.0, 1800.0], [0, 1000]) == pytest.approx(2000.0)
    assert rate_per_hour([0.0, 60.0, 120.0], [0, 100, 200]) == pytest.approx(6000.0)
    assert rate_per_hour([5.0], [1]) is None and rate_per_hour([5.0, 5.0], [1, 2]) is None
