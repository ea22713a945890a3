"""Difference of two symbolized profiles, keyed by symbolized stack (never by raw address)."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.errors import InputError
from analyzer.profiles.aggregate import (
    Row,
    StackKey,
    allocation_site,
    function_rows,
    pick_metric,
    stack_totals,
)
from analyzer.profiles.model import Frame, Profile, Value


class IncompatibleProfiles(InputError):
    """The profiles cannot be compared (no common metric)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, None, message)


@dataclass(frozen=True)
class StackDelta:
    stack: StackKey
    site: Frame
    base: Value
    new: Value

    @property
    def delta(self) -> Value:
        return self.new - self.base


@dataclass(frozen=True)
class SiteDelta:
    site: Frame
    base: Value
    new: Value
    stacks: int

    @property
    def delta(self) -> Value:
        return self.new - self.base


@dataclass(frozen=True)
class ProfileDiff:
    metric: str
    unit: str
    base_total: Value
    new_total: Value
    stacks: tuple[StackDelta, ...]
    sites: tuple[SiteDelta, ...]
    warnings: tuple[str, ...]

    @property
    def delta_total(self) -> Value:
        return self.new_total - self.base_total

    def function_rows(self, lines: bool = False) -> list[Row]:
        """pprof `--text --base` rows: flat/cum per function of the per-stack deltas."""
        return function_rows(((s.stack, s.delta) for s in self.stacks), lines)


def diff_profiles(base: Profile, new: Profile, metric: str = "inuse_space") -> ProfileDiff:
    """new - base for every symbolized stack and every allocation site, largest growth first."""
    bi, ni = pick_metric(base, metric), pick_metric(new, metric)
    if bi < 0 or ni < 0:
        missing = base if bi < 0 else new
        have = ", ".join(vt.type for vt in missing.sample_types)
        raise IncompatibleProfiles(missing.source_path, f"no {metric} values (has {have})")
    warnings = []
    if base.source_format != new.source_format:
        warnings.append(f"comparing {base.source_format} with {new.source_format}")
    if new.sample_types[ni] != base.sample_types[bi]:
        warnings.append(f"comparing {base.sample_types[bi].type} with {new.sample_types[ni].type}")
    b, n = stack_totals(base, bi), stack_totals(new, ni)
    stacks = [StackDelta(k, allocation_site(k), b.get(k, 0), n.get(k, 0))
              for k in dict.fromkeys([*n, *b])]
    stacks.sort(key=lambda s: (-s.delta, -s.new, s.stack))
    by_site: dict[Frame, list[StackDelta]] = {}
    for s in stacks:
        by_site.setdefault(s.site, []).append(s)
    sites = [SiteDelta(site, sum(x.base for x in xs), sum(x.new for x in xs), len(xs))
             for site, xs in by_site.items()]
    sites.sort(key=lambda s: (-s.delta, -s.new, s.site))
    vt = new.sample_types[ni]
    return ProfileDiff(vt.type, vt.unit, sum(b.values()), sum(n.values()),
                       tuple(stacks), tuple(sites), tuple(warnings))
