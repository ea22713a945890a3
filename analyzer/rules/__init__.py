"""Resource rules from every source, combined once into a frozen RuleSet.

Precedence, earlier wins (an acquirer, kind or reallocator defined twice keeps its first definition; releases
accumulate): the builtin rules/*.toml (by file name), the user's --rules files in order, cppcheck library files in
order, ownership attributes on the program's declarations, then inferred pairs and borrowers (`with_inferred`).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from analyzer import ir

from .attributes import apply_attribute_rules
from .cppcheck import load_cppcheck_cfg
from .inferred import PairRule, add_inferred
from .model import Acquire, Realloc, Release, ResourceKind, RuleError, RuleSet, RuleSetBuilder
from .toml import load_rule_files, load_rules_text

__all__ = ["Acquire", "PairRule", "Realloc", "Release", "ResourceKind", "RuleError", "RuleSet", "RuleSetBuilder",
           "build_ruleset", "load_rules", "load_rules_text", "with_inferred"]


def build_ruleset(rule_files: Iterable[str] = (), cppcheck_cfgs: Iterable[str] = (),
                  decls: Iterable[ir.FuncDecl] = ()) -> RuleSet:
    """The configured rules of a scan. Raises RuleError (an InputError) naming a malformed file."""
    rules = RuleSetBuilder()
    load_rule_files(rules, list(rule_files))
    for path in cppcheck_cfgs:
        load_cppcheck_cfg(path, rules)
    # ownership attributes are configuration written by the library's authors: applied even with --no-infer
    apply_attribute_rules(decls, rules)
    return rules.freeze()


def with_inferred(rules: RuleSet, pairs: Iterable[PairRule], borrowers: Mapping[str, str],
                  summarized: Iterable[str] = ()) -> RuleSet:
    """`rules` plus the confident inferred pairs and borrowers, which never override a configured rule."""
    builder = rules.builder()
    add_inferred(builder, pairs, borrowers, summarized)
    return builder.freeze()


def load_rules(extra_files: Iterable[str] = ()) -> RuleSet:
    """The builtin rules plus the given TOML files (no cppcheck files, no attributes)."""
    return build_ruleset(extra_files)
