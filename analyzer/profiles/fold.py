"""Fold allocator frames off the leaf end of stacks, so the first frame left is the allocation site."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from analyzer.profiles.model import Profile, Sample
from analyzer.profiles.names import short_name
from analyzer.profiles.procmaps import is_allocator_mapping

# pprof's heap skip list (perl `RemoveUninterestingFrames`) plus sanitizer and valgrind entries.
ALLOCATOR_FUNCTIONS = frozenset({
    "calloc", "cfree", "malloc", "free", "memalign", "posix_memalign", "aligned_alloc",
    "pvalloc", "valloc", "realloc", "reallocarray", "strdup", "strndup",
    "do_malloc", "::do_malloc", "::do_malloc_or_cpp_alloc", "DoSampledAllocation",
    "simple_alloc::allocate", "__malloc_alloc_template::allocate",
    "__builtin_delete", "__builtin_new", "__builtin_vec_delete", "__builtin_vec_new",
    "operator new", "operator new[]", "operator delete", "operator delete[]",
    "__libc_malloc", "__libc_calloc", "__libc_realloc", "__libc_memalign",
    "__start_google_malloc", "__stop_google_malloc", "__start_malloc_hook", "__stop_malloc_hook",
})
ALLOCATOR_PATTERN = re.compile(
    r"^(tc_|__interceptor_|___interceptor_|__asan_|__lsan_|__sanitizer::|__asan::|__lsan::"
    r"|tcmalloc::|TCMalloc|MallocHook|HeapProfileTable|vg_replace_malloc|_vgr\d+ZU_)"
)


# jemalloc linked statically: its `je_`-prefixed internals, the profiler's backtrace and the C++ new path.
JEMALLOC_INTERNALS = re.compile(r"^(je_|prof_backtrace_impl$|i(m)?alloc(_body)?$)|(^|[\s*&])(fallback_impl|newImpl)$")


def is_allocator_function(name: str) -> bool:
    short = short_name(name)
    return (short in ALLOCATOR_FUNCTIONS or bool(ALLOCATOR_PATTERN.match(short))
            or bool(JEMALLOC_INTERNALS.search(short)))


def fold_allocator_frames(profile: Profile, extra: Sequence[str] = ()) -> Profile:
    """Drop leading allocator locations from every sample (never the whole stack).

    A location is an allocator frame when it lies in an allocator library mapping (libtcmalloc,
    the sanitizer runtimes, valgrind's preload) or when all its functions are allocator entry
    points. `extra` adds regular expressions for project wrappers (e.g. `^dm_xalloc$`).
    """
    extra_re = [re.compile(p) for p in extra]
    verdict: dict[int, bool] = {}

    def is_alloc(lid: int) -> bool:
        v = verdict.get(lid)
        if v is None:
            loc = profile.location(lid)
            if is_allocator_mapping(profile.mapping(loc.mapping_id)):
                v = True
            elif loc.lines:
                names = [profile.function(ln.function_id).name for ln in loc.lines]
                v = all(is_allocator_function(n) or any(r.search(short_name(n)) for r in extra_re)
                        for n in names)
            else:
                v = False
            verdict[lid] = v
        return v

    samples = []
    changed = False
    for s in profile.samples:
        k = 0
        while k < len(s.location_ids) - 1 and is_alloc(s.location_ids[k]):
            k += 1
        if k:
            changed = True
            s = Sample(s.location_ids[k:], s.values, s.labels, s.num_labels)
        samples.append(s)
    return replace(profile, samples=tuple(samples)) if changed else profile
