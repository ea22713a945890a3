"""Inferred create/destroy pairs and borrowers (analyzer.inference) as the last, weakest rule source."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from .model import Acquire, Release, RuleSetBuilder


class PairRule(Protocol):
    """What a confident inferred pair contributes (analyzer.inference.Pair satisfies it)."""

    @property
    def kind(self) -> str: ...
    @property
    def acquirer(self) -> str: ...
    @property
    def releaser(self) -> str: ...
    @property
    def out_arg(self) -> int | None: ...
    @property
    def release_arg(self) -> int: ...
    @property
    def source(self) -> str: ...


def add_inferred(rules: RuleSetBuilder, pairs: Iterable[PairRule], borrowers: Mapping[str, str],
                 summarized: Iterable[str] = ()) -> None:
    """Add confident pairs and borrowers.

    The inferred kinds are not registered as kinds: a guessed kind must not make a library's own cleanup
    (`p = calloc(..); ...; dm_pack_del(p)` inside `dm_pack_create`) a mismatched release against the builtin
    kinds. Missing kinds get the default NULL-invalid convention, right for the pointer handles pairs are inferred
    for. Acquirers in `summarized` keep one of their arguments: an acquire rule would make callers keep tracking
    what they passed (rules borrow every argument), so their summary speaks for them.
    """
    keep_summary = set(summarized)
    for p in pairs:
        acq = rules.acquire_for(p.acquirer)
        if acq is None and p.acquirer not in keep_summary:
            acq = Acquire(p.acquirer, p.kind, p.out_arg, p.source)
            rules.add_acquire(acq)
        if acq is None or acq.kind == p.kind:
            rules.add_release(Release(p.releaser, p.kind, p.release_arg, p.source))
    rules.borrows.update(borrowers)
