"""Heap profiles and leak reports: parse, symbolize, fold, diff and score growth."""

from analyzer.profiles.aggregate import allocation_site, function_rows, pick_metric, stack_totals
from analyzer.profiles.diff import IncompatibleProfiles, ProfileDiff, diff_profiles
from analyzer.profiles.errors import MalformedProfile, NotMyFormat, UnknownFormat
from analyzer.profiles.fold import fold_allocator_frames
from analyzer.profiles.growth import GrowthScore, score_growth
from analyzer.profiles.model import Frame, Profile, Sample, ValueType
from analyzer.profiles.prepare import open_profile, open_series
from analyzer.profiles.sniff import load_profile, load_series, parse_data
from analyzer.profiles.symbolize import SymbolizeOptions, symbolize

__all__ = [
    "Frame", "GrowthScore", "IncompatibleProfiles", "MalformedProfile", "NotMyFormat", "Profile",
    "ProfileDiff", "Sample", "SymbolizeOptions", "UnknownFormat", "ValueType", "allocation_site",
    "diff_profiles", "fold_allocator_frames", "function_rows", "load_profile", "load_series", "open_profile",
    "open_series",
    "parse_data", "pick_metric", "score_growth", "stack_totals", "symbolize",
]
