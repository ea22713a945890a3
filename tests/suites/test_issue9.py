"""Issue 9 suite: every shape (cause or recall item) x resource kind x leaking/leak-free, scanned through the real
pipeline; the exact {(file, line, function, ruleId)} must equal the program's `// expect:` markers (none for a
leak-free variant). Programs today's analyzer gets wrong are in KNOWN_GAPS (strict xfail: remove a program from
the list once the analysis handles it)."""
from __future__ import annotations

import pytest

from tests.suites.runner import load_programs, scan_program

PROGRAMS = [p for p in load_programs() if p.issue == 9]

KNOWN_GAPS: set[str] = {
    "array_slot_readback-calloc-leak", "array_slot_readback-fopen-leak", "array_slot_readback-malloc-leak",
    "array_slot_readback-new-leak", "array_slot_readback-newarr-leak", "array_slot_readback-socket-leak",
    "borrow_wide-wcsdup-leak", "borrow_wide-wmalloc-leak", "callee_frees_returns-open-clean",
    "callee_frees_returns-open-leak", "fnptr_local-fopen-leak", "fnptr_local-malloc-leak", "fnptr_local-new-leak",
    "fnptr_local-newarr-leak", "fnptr_local-open-clean", "fnptr_local-strdup-leak", "fnptr_table-fopen-leak",
    "fnptr_table-malloc-leak", "fnptr_table-new-leak", "fnptr_table-newarr-leak", "fnptr_table-open-leak",
    "fnptr_table-realloc-leak", "gnu_mode-malloc-clean", "gnu_mode-malloc-leak", "gnu_mode-open-clean",
    "gnu_mode-open-leak", "gnu_mode-strdup-clean", "gnu_mode-strdup-leak", "gnu_mode-wcsdup-clean",
    "gnu_mode-wcsdup-leak", "index_after_loop-fopen-clean", "index_after_loop-malloc-clean",
    "index_after_loop-new-clean", "index_after_loop-newarr-clean", "index_after_loop-realloc-clean",
    "index_after_loop-socket-clean", "static_global_carrier-fopen-leak", "static_global_carrier-malloc-leak",
    "static_global_carrier-new-leak", "static_global_carrier-newarr-leak", "static_global_carrier-open-leak",
    "static_global_carrier-strdup-leak", "struct_field_readback-fopen-leak", "struct_field_readback-malloc-leak",
    "struct_field_readback-new-leak", "struct_field_readback-newarr-leak", "struct_field_readback-open-leak",
    "struct_field_readback-strdup-leak", "union_members-calloc-leak", "union_members-fopen-leak",
    "union_members-malloc-leak", "union_members-open-leak", "union_members-socket-leak", "union_members-strdup-leak",
    "virtual_release-fopen-leak", "virtual_release-malloc-leak", "virtual_release-new-leak",
    "virtual_release-newarr-leak", "virtual_release-open-clean", "xrealloc_noreturn-calloc-clean",
    "xrealloc_noreturn-malloc-clean", "xrealloc_noreturn-realloc-clean", "xrealloc_noreturn-strdup-clean",
    "xrealloc_other_tu-calloc-clean", "xrealloc_other_tu-malloc-clean", "xrealloc_other_tu-realloc-clean",
    "xrealloc_other_tu-strdup-clean",
}


def _params():
    return [pytest.param(p, id=p.id, marks=[pytest.mark.xfail(strict=True, reason="known gap")]
                         if p.id in KNOWN_GAPS else []) for p in PROGRAMS]


@pytest.mark.parametrize("program", _params())
def test_program(program):
    assert scan_program(program.path).findings == program.expected()


def test_known_gaps_name_programs():
    assert KNOWN_GAPS <= {p.id for p in PROGRAMS}
