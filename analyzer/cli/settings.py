"""Command-line flags over the project's configuration file: what a scan does, and where each choice came from."""
from __future__ import annotations

import argparse
import os
import shlex
from typing import Any

from analyzer.config import CONFIDENCES, EXECUTORS, FAIL_ON, FORMATS, EffectiveConfig, find_config, load_config, merge
from analyzer.errors import InputError
from analyzer.frontend.compdb import find_compile_commands
from analyzer.model import RuleId
from analyzer.phase1 import Limits
from analyzer.pipeline import Options
from analyzer.workflow import WorkflowOptions

__all__ = ["add_config_args", "add_output_args", "add_speed_args", "add_workflow_args", "effective_config",
           "scan_options", "workflow_options"]


def add_speed_args(p: argparse.ArgumentParser) -> None:
    """The incremental cache and where TUs are parsed."""
    p.add_argument("--cache-dir", metavar="DIR", default=None,
                   help="incremental cache folder (default: .leakscan-cache beside the compile database, else in "
                        "the scanned root)")
    p.add_argument("--no-cache", action="store_true", help="parse every TU; neither read nor write the cache")
    p.add_argument("--executor", choices=EXECUTORS, default=None,
                   help="parse TUs in local worker processes (default) or on a Dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="dask: the scheduler (tcp://host:8786); implies --executor dask (default: a local cluster)")
    p.add_argument("--ship-sources", action="store_true",
                   help="dask: send each TU's sources with its task (workers without the source tree)")


def add_config_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--config", metavar="FILE", help="configuration file (default: the nearest .leakscan.toml or "
                                                     "pyproject.toml with [tool.leakscan] above what is scanned)")
    g.add_argument("--no-config", action="store_true", help="ignore configuration files")
    p.add_argument("--exclude", action="append", default=None, metavar="GLOB",
                   help="git-style glob (relative to the root) of files not to scan or report (repeatable)")
    p.add_argument("--min-confidence", choices=CONFIDENCES, default=None,
                   help="lowest confidence of an inferred pair to use (default medium)")
    p.add_argument("--enable", action="append", default=None, metavar="RULEID[,RULEID]",
                   help="report only these ruleIds (repeatable)")
    p.add_argument("--disable", action="append", default=None, metavar="RULEID[,RULEID]",
                   help="do not report these ruleIds (repeatable)")
    p.add_argument("--root", metavar="DIR", default=None,
                   help="base of relative paths and fingerprints (default: the configuration file's folder)")


def add_workflow_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--baseline", metavar="OLD.json|OLD.sarif", default=None,
                   help="classify findings as new / unchanged / fixed against a saved result")
    p.add_argument("--fail-on", choices=FAIL_ON, default=None,
                   help="exit 1 on new findings, any finding, or never (default: new with --baseline, else any)")
    p.add_argument("--suppressions", action="append", default=None, metavar="FILE",
                   help="suppression file of [[suppress]] entries (repeatable)")
    p.add_argument("--diff-base", metavar="GIT_REV", default=None,
                   help="report only findings whose path touches lines changed since GIT_REV")


def add_output_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default=None, help="report format (default text)")
    p.add_argument("-o", "--output", default=None, help="output file (html: output folder); default stdout")


def _rule_list(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    out = tuple(r.strip() for v in values for r in v.split(",") if r.strip())
    known = {r.value for r in RuleId}
    for r in out:
        if r not in known:
            raise InputError("--enable/--disable", None, f"unknown ruleId '{r}' (known: {', '.join(known)})")
    return out


def _absolute(path: str | None) -> str | None:
    return os.path.abspath(path) if path else path


def _outputs(args: argparse.Namespace) -> dict[str, str] | None:
    fmt, out = getattr(args, "format", None), getattr(args, "output", None)
    if fmt is None and out is None:
        return None
    return {fmt or "text": _absolute(out) or "-"}


def _not_negative(flag: str, value: float | None) -> float | None:
    if value is not None and value < 0:
        raise InputError(flag, None, "must not be negative (0: no limit)")
    return value


def _cli_values(args: argparse.Namespace, extra: list[str]) -> dict[str, Any]:
    compdb = getattr(args, "compile_commands", None)
    if getattr(args, "build_dir", None):
        compdb = find_compile_commands(args.build_dir)
    rules = getattr(args, "rules", None)
    cfgs = getattr(args, "cppcheck_cfg", None)
    return {
        "paths": tuple(os.path.abspath(p) for p in args.paths) if getattr(args, "paths", None) else None,
        "exclude": tuple(args.exclude) if getattr(args, "exclude", None) else None,
        "compile-commands": _absolute(compdb),
        "rules": tuple(os.path.abspath(r) for r in rules) if rules else None,
        "cppcheck-cfg": tuple(os.path.abspath(c) for c in cfgs) if cfgs else None,
        "infer": False if getattr(args, "no_infer", False) else None,
        "min-confidence": getattr(args, "min_confidence", None),
        "enable": _rule_list(getattr(args, "enable", None)),
        "disable": _rule_list(getattr(args, "disable", None)),
        "output": _outputs(args),
        "jobs": getattr(args, "jobs", None),
        "compiler-args": tuple(extra) if extra else None,
        "c-args": tuple(shlex.split(args.cflags)) if getattr(args, "cflags", None) else None,
        "cxx-args": tuple(shlex.split(args.cxxflags)) if getattr(args, "cxxflags", None) else None,
        "tu-timeout": _not_negative("--tu-timeout", getattr(args, "tu_timeout", None)),
        "max-file-size": _not_negative("--max-file-size", getattr(args, "max_file_size", None)),
        "root": _absolute(getattr(args, "root", None)),
        "baseline": _absolute(getattr(args, "baseline", None)),
        "fail-on": getattr(args, "fail_on", None),
        "suppressions": tuple(os.path.abspath(s) for s in args.suppressions) if getattr(args, "suppressions", None)
        else None,
        "diff-base": getattr(args, "diff_base", None),
        "cache": False if getattr(args, "no_cache", False) else None,
        "cache-dir": _absolute(getattr(args, "cache_dir", None)),
        "executor": getattr(args, "executor", None) or ("dask" if getattr(args, "scheduler", None) else None),
        "scheduler": getattr(args, "scheduler", None),
        "ship-sources": True if getattr(args, "ship_sources", False) else None,
    }


def effective_config(args: argparse.Namespace, extra: list[str]) -> EffectiveConfig:
    """Defaults < the configuration file < the command line. The file is looked for above the scanned paths, else
    above the compile database, else above the working folder."""
    cli = _cli_values(args, extra)
    if getattr(args, "no_config", False):
        return merge({}, cli)
    path = getattr(args, "config", None)
    if path is None:
        starts = list(cli["paths"] or ()) or ([cli["compile-commands"]] if cli["compile-commands"] else [])
        found = find_config(starts or [os.getcwd()])
        path = str(found) if found else None
    if path is None:
        return merge({}, cli)
    return merge(load_config(path), cli, os.path.abspath(path))


def scan_options(config: EffectiveConfig, timestamp: str = "", extra_flags: tuple[str, ...] = ()) -> Options:
    compdb = config["compile-commands"] or None
    if compdb and os.path.isdir(compdb):
        compdb = find_compile_commands(compdb)
    paths = tuple(config["paths"])
    if not compdb and not paths:
        raise InputError("leakscan", None, "nothing to scan: give source files or folders, or -p BUILD_DIR "
                                           "(or paths / compile-commands in the configuration)")
    enabled: tuple[RuleId, ...] | None = None
    if config["enable"] or config["disable"]:
        chosen = config["enable"] or tuple(r.value for r in RuleId)
        enabled = tuple(RuleId(r) for r in chosen if r not in config["disable"])
    return Options(paths=paths, compile_commands=compdb, rule_files=tuple(config["rules"]),
                   extra_flags=tuple(config["compiler-args"]) + tuple(extra_flags), c_flags=tuple(config["c-args"]),
                   cxx_flags=tuple(config["cxx-args"]), jobs=config["jobs"],
                   limits=Limits(tu_timeout=config["tu-timeout"],
                                 max_source_bytes=int(config["max-file-size"] * (1 << 20))),
                   infer=config["infer"], cppcheck_cfgs=tuple(config["cppcheck-cfg"]), root=config["root"] or None,
                   timestamp=timestamp, enabled_rules=enabled, exclude=tuple(config["exclude"]),
                   min_confidence=config["min-confidence"], cache=config["cache"],
                   cache_dir=config["cache-dir"] or None, executor=config["executor"],
                   scheduler=config["scheduler"] or None, ship_sources=config["ship-sources"])


def workflow_options(config: EffectiveConfig, inline_files: tuple[str, ...] = ()) -> WorkflowOptions:
    return WorkflowOptions(exclude=tuple(config["exclude"]), exclude_base=config["root"] or os.getcwd(),
                           suppression_files=tuple(config["suppressions"]),
                           inline_files=inline_files, baseline=config["baseline"], diff_base=config["diff-base"])


def fail_on(config: EffectiveConfig) -> str:
    return config["fail-on"] or ("new" if config["baseline"] else "any")
