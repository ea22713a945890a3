"""Identifier words: create/destroy verbs, getter and transfer words, stems shared by a pair's names."""
from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer import ir

# Acquire verb -> {release verb: strength}. 1.0 are the canonical pairs of the issue; lower ones are
# plausible but seen less often as a pair. Verbs not listed (get/find/lookup/begin/end/...) never pair.
VERB_PAIRS: dict[str, dict[str, float]] = {
    "create": {"destroy": 1, "del": 1, "delete": 1, "free": 1, "release": .8, "dispose": .8, "unref": .8,
               "cleanup": .6, "close": .6},
    "new": {"free": 1, "delete": 1, "del": 1, "destroy": 1, "release": .8, "unref": .8, "dispose": .8},
    "alloc": {"free": 1, "dealloc": 1, "release": .8, "destroy": .8, "del": .8, "delete": .8},
    "malloc": {"free": 1}, "calloc": {"free": 1}, "strdup": {"free": 1}, "strndup": {"free": 1},
    "dup": {"free": 1, "release": .8, "destroy": .8, "del": .8, "delete": .8, "unref": .8},
    "clone": {"free": .8, "destroy": .8, "delete": .8, "release": .8, "del": .8},
    "copy": {"free": .6, "destroy": .6, "delete": .6, "release": .6},
    "open": {"close": 1, "release": .6, "free": .6},
    "init": {"fini": 1, "deinit": 1, "uninit": 1, "destroy": .8, "cleanup": .8, "free": .8, "term": .8,
             "finalize": .8, "release": .6},
    "load": {"unload": 1, "del": 1, "free": .8, "destroy": .8, "release": .8, "delete": .8},
    "acquire": {"release": 1},
    "ref": {"unref": 1},
    "make": {"free": .8, "destroy": .8, "delete": .8},
    "connect": {"disconnect": 1, "close": .8, "free": .6},
    "construct": {"destruct": 1, "destroy": .8},
}
ACQUIRE_VERBS = sorted(VERB_PAIRS, key=len, reverse=True)
RELEASE_VERBS = sorted({r for rels in VERB_PAIRS.values() for r in rels}, key=len, reverse=True)
# Words that make a pointer-returning function a getter of a borrowed pointer.
GETTER_WORDS = frozenset({"get", "find", "lookup", "peek", "borrow", "current", "search", "begin", "end", "first",
                          "last", "next", "prev", "front", "back", "top", "default", "iter", "at"})
# Words meaning that a function taking T* may keep it: never inferred as a borrower.
TRANSFER_WORDS = frozenset({"set", "attach", "push", "add", "insert", "put", "give", "take", "adopt", "own", "move",
                            "register", "append", "prepend", "store", "steal", "transfer", "enqueue", "emplace",
                            "assign", "reset", "replace", "swap", "detach", "retain", "hold", "keep", "track",
                            "link", "bind", "queue", "submit", "post", "send", "cache", "install", "save"})
_NEGATIONS = frozenset({"un", "de", "re", "dis", "pre", "non"})  # 'unref' is no 'ref', 'reload' no 'load'
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@dataclass(frozen=True, slots=True)
class NameParts:
    before: tuple[str, ...]  # lower-case words before the verb (the stem)
    verb: str
    after: tuple[str, ...]
    prefix: str  # the stem as spelled in the name ('dm_pack', 'list', 'sds')


# ---- names -----------------------------------------------------------------------------------

def split_words(name: str) -> list[tuple[str, int, int]]:
    """Words of an identifier with their spans: snake_case, camelCase and ALLCAPS_Mixed."""
    out = []
    for m in re.finditer(r"[^_]+", name):
        for w in _CAMEL.finditer(m.group()):
            out.append((w.group().lower(), m.start() + w.start(), m.start() + w.end()))
    return out


def name_parts(name: str, verbs: list[str]) -> NameParts | None:
    """Split `name` around its first verb word, or a verb glued to the end of the last word ('sdsnew')."""
    words = split_words(name)
    for i, (w, start, _) in enumerate(words):
        if w in verbs:
            return NameParts(tuple(x[0] for x in words[:i]), w, tuple(x[0] for x in words[i + 1:]),
                             name[:start].rstrip("_"))
    if words:
        w, _, end = words[-1]
        for verb in verbs:
            if w.endswith(verb) and len(w) > len(verb) and w[:-len(verb)] not in _NEGATIONS:
                head = w[:-len(verb)]
                return NameParts((*(x[0] for x in words[:-1]), head), verb, (),
                                 name[:end - len(verb)].rstrip("_"))
    return None


def namespace(qualname: str) -> str:
    return qualname.rpartition("::")[0]


_METHOD_USR = re.compile(r"@(S|U|ST|SP|CT|C)[@>].*@F@")


def is_method(decl: ir.FuncDecl) -> bool:
    return bool(_METHOD_USR.search(decl.usr)) or decl.name.startswith("~")


def stem(words: tuple[str, ...]) -> tuple[str, ...]:
    # 'node_find_or_create' has the stem of 'node_free': getter words are weighed, not matched
    return tuple(w for w in words if w not in GETTER_WORDS and w not in ("or", "and"))


def stems_match(a: NameParts, r: NameParts) -> bool:
    if a.before:
        return r.before in (stem(a.before), a.before) and (not r.after or r.after == a.after)
    return not r.before and bool(a.after) and a.after == r.after


def glued(name: str, parts: NameParts) -> bool:
    """'sdsfree' (verb glued to the stem) versus 'sds_free' / 'sdsFree'."""
    prefix = parts.prefix
    return bool(prefix) and len(name) > len(prefix) and name[len(prefix)].islower()
