"""Heap growth ↔ static findings: evidence per finding, ranking, and growth no finding explains.

Profiles are reduced to *growth per symbolized allocation stack* (never per address: stacks of
different processes are only comparable once symbolized):

* one heap snapshot: the bytes in use;
* two snapshots: last minus first;
* three or more: last minus first, ranked by the fitted steady growth (slope x window x R²,
  `analyzer.profiles.growth.score_growth`), so a leak outranks a cache that fills up and stops;
* a LeakSanitizer or valgrind report: the bytes leaked at exit (direct and possible leaks;
  indirect leaks count for the finding whose acquire site allocated them, else for the direct leak
  whose function they went through, else for nobody; still-reachable blocks are not leaks).

A stack explains a finding when its allocation site is the finding's acquire call: walking the
stack from the leaf, a frame in the finding's function within `line_tolerance` lines of the acquire
line, called into the acquirer (`tm_pack_create` ← `Dict::search`) or allocating directly (the
allocator frames are folded). Member findings (`leak-on-overwrite` of a field) also accept the
acquirer called from any method of the class: the leaked old value was allocated by whichever
method stored it.
"""
from __future__ import annotations

from collections.abc import Sequence

from analyzer.model import AnalysisResult

from .evidence import correlate
from .stacks import StackGrowth, growth_by_stack, load_profiles

__all__ = ["StackGrowth", "correlate", "correlate_with_files", "growth_by_stack", "load_profiles"]


def correlate_with_files(result: AnalysisResult, profiles: Sequence[str], *, binary: str | None = None,
                         search_paths: Sequence[str] = (), **options: object) -> AnalysisResult:
    """Load the profile files and correlate. Bad input raises an InputError (MalformedProfile,
    IncompatibleProfiles, SymFileError) whose text is one line naming the file."""
    return correlate(result, load_profiles(profiles, binary, search_paths), **options)  # type: ignore[arg-type]
