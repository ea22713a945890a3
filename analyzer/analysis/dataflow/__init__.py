"""The path-sensitive ownership dataflow of one function, its defects, summary and ownership graph."""
from __future__ import annotations

from analyzer import ir
from analyzer.analysis.summaries import Resolver

from .engine import OwnershipAnalysis
from .state import Defect, FunctionResult, Resource, TrailStep

__all__ = ["Defect", "FunctionResult", "Resource", "TrailStep", "analyze_function"]


def analyze_function(fn: ir.Function, resolver: Resolver) -> FunctionResult:
    return OwnershipAnalysis(fn, resolver).run()
