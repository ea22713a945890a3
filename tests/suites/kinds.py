"""Resource kinds the generated programs acquire: how each is spelled in C and in C++.

A shape's template names the resource only through placeholders (see `template.py`), so one shape
yields one program per kind: heap memory from the C allocator, C++ `new`/`new[]`, stdio streams and
POSIX descriptors.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str  # directory-safe name: 'malloc', 'newarr'
    type_c: str  # the handle's type
    acquire_c: str  # an expression acquiring one resource; `name` (const char *) is in scope
    release: str  # a statement releasing `@`
    touch: str  # a statement that uses `@` without taking it over
    heap: bool  # LeakSanitizer sees a lost one
    acquire_cxx: str = ""  # the C++ spelling, if different
    failed: str = "@ == NULL"  # the acquire failed (empty: cannot fail, as `new`)
    empty: str = "NULL"
    empty_cxx: str = "nullptr"
    raw_type: str = "void *"  # another member type a union can carry the handle in
    cxx_only: bool = False
    includes_c: tuple[str, ...] = ()
    includes_cxx: tuple[str, ...] = ()
    prelude_cxx: str = ""  # declarations a C++ program of this kind needs (the type `new` builds)

    def lang(self, shape_lang: str) -> str:
        """'c' or 'cpp': shapes that fit both languages follow the kind (new/new[] are C++)."""
        if shape_lang == "any":
            return "cpp" if self.cxx_only else "c"
        return shape_lang

    def type(self, lang: str) -> str:
        return self.type_c

    def acquire(self, lang: str) -> str:
        return self.acquire_cxx if lang == "cpp" and self.acquire_cxx else self.acquire_c

    def failed_test(self, lang: str) -> str:
        return self.failed.replace("NULL", "nullptr") if lang == "cpp" else self.failed

    def empty_value(self, lang: str) -> str:
        return self.empty_cxx if lang == "cpp" and self.empty == "NULL" else self.empty

    def is_set(self, lang: str) -> str:
        """`@` holds a resource (the negation of the empty value)."""
        return "@ >= 0" if self.empty == "-1" else f"@ != {self.empty_value(lang)}"


_FD = {"failed": "@ < 0", "empty": "-1", "empty_cxx": "-1", "raw_type": "unsigned int",
       "release": "close(@)", "touch": "(void)fcntl(@, F_GETFD)", "heap": False}

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("malloc", "char *", "malloc(strlen(name) + 1)", "free(@)", "@[0] = '\\0'", True,
         acquire_cxx="static_cast<char *>(malloc(strlen(name) + 1))"),
    Kind("calloc", "char *", "calloc(strlen(name) + 1, 1)", "free(@)", "@[0] = 'x'", True,
         acquire_cxx="static_cast<char *>(calloc(strlen(name) + 1, 1))"),
    Kind("realloc", "char *", "realloc(NULL, strlen(name) + 1)", "free(@)", "@[0] = '\\0'", True,
         acquire_cxx="static_cast<char *>(realloc(nullptr, strlen(name) + 1))"),
    Kind("strdup", "char *", "strdup(name)", "free(@)", "@[0] = 'x'", True),
    Kind("fopen", "FILE *", 'fopen(name, "r")', "fclose(@)", "(void)fgetc(@)", False),
    Kind("open", type_c="int", acquire_c="open(name, O_RDONLY)", includes_c=("fcntl.h", "unistd.h"),
         includes_cxx=("fcntl.h", "unistd.h"), **_FD),
    Kind("socket", type_c="int", acquire_c="socket(AF_UNIX, SOCK_STREAM, 0)",
         includes_c=("fcntl.h", "sys/socket.h", "unistd.h"),
         includes_cxx=("fcntl.h", "sys/socket.h", "unistd.h"), **_FD),
    Kind("new", "Buffer *", "new Buffer(name)", "delete @", "@->len = 0", True, failed="", cxx_only=True,
         prelude_cxx="struct Buffer {\n    explicit Buffer(const char *text) : len(strlen(text)) {}\n"
                     "    size_t len;\n};\n"),
    Kind("newarr", "char *", "new char[strlen(name) + 1]", "delete[] @", "@[0] = '\\0'", True, failed="",
         cxx_only=True),
    Kind("wmalloc", "wchar_t *", "malloc((strlen(name) + 1) * sizeof(wchar_t))", "free(@)", "@[0] = L'\\0'", True,
         includes_c=("wchar.h",)),
    # issue 10 programs spell their project's own API out; this kind only names the folder
    Kind("api", "void *", "NULL", "(void)@", "(void)@", True),
    Kind("wcsdup", "wchar_t *", 'wcsdup(L"entry")', "free(@)", "@[0] = L'x'", True, includes_c=("wchar.h",)),
)}

# the kinds most shapes use: two heap kinds, a stream and a descriptor in C, both forms of `new` in C++
DEFAULT = ("malloc", "strdup", "fopen", "open", "new", "newarr")
HEAP_C = ("malloc", "calloc", "realloc", "strdup")
