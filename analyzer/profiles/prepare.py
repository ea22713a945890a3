"""The profile pipeline used by the CLI and correlation: load → symbolize → fold allocator frames."""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.profiles.fold import fold_allocator_frames
from analyzer.profiles.model import Profile
from analyzer.profiles.sniff import load_profile, load_series
from analyzer.profiles.symbolize import SymbolizeOptions, symbolize


def open_profile(path: str, options: SymbolizeOptions | None = None,
                 fold_extra: Sequence[str] = ()) -> Profile:
    """Load any supported profile, symbolize raw addresses, and fold allocator frames.

    Raises `MalformedProfile` for unreadable or broken input; symbolization problems are
    recorded in `Profile.warnings`.
    """
    prof = load_profile(path)
    if not prof.symbolized:
        prof = symbolize(prof, options)
    return fold_allocator_frames(prof, fold_extra)


def open_series(path: str, options: SymbolizeOptions | None = None,
                fold_extra: Sequence[str] = ()) -> list[Profile]:
    """Like `open_profile`, for every snapshot of a file that records several over time (massif)."""
    out = []
    for prof in load_series(path):
        if not prof.symbolized:
            prof = symbolize(prof, options)
        out.append(fold_allocator_frames(prof, fold_extra))
    return out
