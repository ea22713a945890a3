"""C++ symbol names: demangling (cxxfilt) and normalization to pprof-style short names and join keys."""

from __future__ import annotations

import functools
import re

import cxxfilt

_ARGS_RE = re.compile(r"\([^()]*\)(\s*const)?")
_TEMPLATE_RE = re.compile(r"<[^<>]*>")
_ADDR_SUFFIX_RE = re.compile(r"<[0-9a-fA-F]+>$")
_LEADING_TYPE_RE = re.compile(r"^.*\s+(\w+::)")
_VERSION_TAG_RE = re.compile(r"@@?[A-Za-z_][\w.]*$")


@functools.lru_cache(maxsize=65536)
def demangle(name: str) -> str:
    """Demangle an Itanium C++ name; anything else (C names, already demangled) is returned as is."""
    base = _VERSION_TAG_RE.sub("", name)
    if not base.startswith("_Z"):
        return name
    try:
        return str(cxxfilt.demangle(base))
    except cxxfilt.InvalidName:
        return name


def strip_address_suffix(name: str) -> str:
    """Drop pprof's `<000000000000470d>` start-address suffix (not a template argument list)."""
    return _ADDR_SUFFIX_RE.sub("", name)


@functools.lru_cache(maxsize=65536)
def short_name(name: str) -> str:
    """pprof's `ShortFunctionName`: no argument lists, template arguments or leading return type.

    `(anonymous namespace)::f(int)` becomes `::f`, as pprof prints it.
    """
    fn = _VERSION_TAG_RE.sub("", name)
    prev = None
    while prev != fn:
        prev = fn
        fn = _ARGS_RE.sub("", fn)
    fn = _ADDR_SUFFIX_RE.sub("", fn)
    prev = None
    while prev != fn:
        prev = fn
        fn = _TEMPLATE_RE.sub("", fn)
    # A pseudo frame wholly in parentheses ("(in 3 places, below massif's threshold)") stays as it is.
    return _LEADING_TYPE_RE.sub(r"\1", fn) or name


def join_key(name: str) -> str:
    """Key for joining profile frames with static findings: `qualified::function`, no decorations."""
    return short_name(demangle(name)).lstrip(":") if name else name
