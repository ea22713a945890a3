"""C types as pair inference reads them: the pointee a function returns or takes, and how two bind."""
from __future__ import annotations

import re

GENERIC_BASES = frozenset({"void", "char", "signed char", "unsigned char"})
_QUALIFIERS = re.compile(r"\b(const|volatile|restrict|__restrict|__restrict__)\b")


def pointer(ctype: str) -> tuple[str, int]:
    """'const struct dm_pack *' -> ('dm_pack', 1); 'struct trie **' -> ('trie', 2); non-pointers -> (type, 0)."""
    t = " ".join(_QUALIFIERS.sub(" ", ctype).split())
    if "(" in t or "[" in t:
        return "", 0
    depth = 0
    while t.endswith("*"):
        depth += 1
        t = t[:-1].rstrip()
    return re.sub(r"^(struct|class|union|enum)\s+", "", t), depth


def bind(acq_base: str, rel_base: str) -> str | None:
    """How a resource of pointee acq_base binds to a releaser parameter of pointee rel_base (None: it does not):
    'specific' (the same named type), 'void-releaser' (a named type to void *) or 'generic' (void/char both)."""
    if acq_base == rel_base and acq_base not in GENERIC_BASES:
        return "specific"
    if acq_base not in GENERIC_BASES and rel_base == "void":
        return "void-releaser"
    if acq_base in GENERIC_BASES and rel_base in GENERIC_BASES and (acq_base == rel_base or "void" in (acq_base,
                                                                                                          rel_base)):
        return "generic"
    return None


