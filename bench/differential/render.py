"""Print a `Program` as C, one call per line, and record where everything landed (the sidecar's line maps).

Every acquiring call sits alone on its line, so a (function, line) pair names one call both in LeakSanitizer's
stacks and in leakscan's `acquire` locations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .program import (
    Acquire,
    Assign,
    BoolOp,
    Bound,
    Break,
    CallWorker,
    Cmp,
    Cond,
    Continue,
    Discard,
    Func,
    Goto,
    If,
    Loop,
    Move,
    NullCheck,
    OutAcquire,
    Program,
    Realloc,
    Release,
    Return,
    Stmt,
    Use,
    walk,
)


@dataclass
class SiteInfo:
    key: str  # "s<id>" for generated sites, "L:<function>[:<role>]" for the library's own allocations
    func: str
    line: int
    cls: str
    kind: str
    callee: str


@dataclass
class Rendered:
    text: str
    sites: dict[str, SiteInfo] = field(default_factory=dict)
    lib_handouts: dict[str, set[str]] = field(default_factory=dict)  # library function -> site keys it returns
    failure_lines: set[int] = field(default_factory=set)  # lines that run only when an allocation fails
    failure_checks: dict[int, str] = field(default_factory=dict)  # line -> condition true on allocation failure
    realloc_self_lines: set[int] = field(default_factory=set)  # `p = realloc(p, n)`: an overwrite only on failure
    func_spans: dict[str, tuple[int, int]] = field(default_factory=dict)


def ctype(prog: Program, cls: str) -> str:
    return {"heap": "char *", "buf": f"struct {prog.prefix}_{prog.noun} *", "ctx": f"struct {prog.prefix}_ctx *",
            "file": "FILE *", "fd": "int "}[cls]


def null_of(cls: str) -> str:
    return "-1" if cls == "fd" else "NULL"


def cond_text(c: Cond, top: bool = True) -> str:
    if isinstance(c, Cmp):
        return f"{c.lhs} {c.op} {c.value}"
    assert isinstance(c, BoolOp)
    text = f"{cond_text(c.left, False)} {c.op} {cond_text(c.right, False)}"
    return text if top else f"({text})"


def bound_text(b: Bound) -> str:
    return {"const": str(b.value), "in": f"in[{b.value}]", "in+1": f"in[{b.value}] + 1"}[b.kind]


def is_null_test(cls: str, v: str) -> str:
    return f"{v} < 0" if cls == "fd" else f"!{v}"


def is_valid_test(cls: str, v: str) -> str:
    return f"{v} >= 0" if cls == "fd" else v


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    @property
    def next_line(self) -> int:
        return len(self.lines) + 1

    def emit(self, depth: int, text: str) -> int:
        self.lines.append("    " * depth + text if text else "")
        return len(self.lines)


def used_library(prog: Program) -> set[str]:
    p = prog.prefix
    used: set[str] = set()
    for f in prog.funcs:
        for s in walk(f.body):
            callee = getattr(s, "callee", "")
            how = getattr(s, "how", "")
            if callee == f"{p}_strdup" or (s.__class__ is Discard and callee == f"{p}_strdup"):
                used.add("str")
            if callee == f"{p}_xmalloc":
                used.add("xmalloc")
            if how == "xfree":
                used.add("xfree")
            if how == "take":
                used.add("take")
            if getattr(s, "kind", "") == "indirect" or how == "indirect_drop":
                used |= {"ops", "str", "xfree"}
            if getattr(s, "cls", "") == "buf":
                used.add("buf")
            if callee == f"{p}_{prog.noun}_{prog.verbs[2]}":
                used |= {"buf", "bufopen"}
            if getattr(s, "cls", "") == "ctx" or getattr(s, "kind", "") in ("field_heap", "field_param"):
                used.add("ctx")
            if getattr(s, "kind", "") == "field_local":
                used.add("pair")
            if isinstance(s, Use) and s.cls == "heap":
                used.add("peek")
        if f.struct_local:
            used.add("pair")
        if f.proto == "ctxfill":
            used.add("ctx")
        if f.res_cls == "buf":
            used.add("buf")
    return used


def _library(prog: Program, used: set[str]) -> list[tuple[str, str | None, str | None]]:
    """(text, site role marker, function) lines of the program's own helper library."""
    p, n = prog.prefix, prog.noun
    new, dele, opn = (f"{p}_{n}_{v}" for v in prog.verbs)
    out: list[tuple[str, str | None, str | None]] = []

    def fn(name: str, lines: list[str]) -> None:
        for text in lines:
            role = None
            if "@@" in text:
                text, role = text.split("@@")
            out.append((text, role, name))
        out.append(("", None, None))

    if "buf" in used:
        out += [(f"struct {p}_{n} {{", None, None), ("    char *data;", None, None), ("    size_t len;", None, None),
                ("};", None, None), ("", None, None)]
        fn(new, [f"static struct {p}_{n} *{new}(size_t len)", "{",
                 f"    struct {p}_{n} *b = malloc(sizeof *b);@@ret",
                 "    if (!b)", "        return NULL;",
                 "    b->data = calloc(len + 1, 1);@@data",
                 "    if (!b->data) {", "        free(b);", "        return NULL;", "    }",
                 "    b->len = len;", "    return b;", "}"])
        fn(dele, [f"static void {dele}(struct {p}_{n} *b)", "{", "    if (!b)", "        return;",
                  "    free(b->data);", "    free(b);", "}"])
        fn(f"{p}_{n}_put", [f"static void {p}_{n}_put(struct {p}_{n} *b, int v)", "{",
                            "    if (b->len > 0)", "        b->data[0] = (char)('a' + v);", "}"])
    if "bufopen" in used:
        fn(opn, [f"static int {opn}(size_t len, struct {p}_{n} **out)", "{",
                 f"    struct {p}_{n} *b = {new}(len);@@ret",
                 "    if (!b)", "        return -1;", "    *out = b;", "    return 0;", "}"])
    if "ctx" in used:
        out += [(f"struct {p}_ctx {{", None, None), ("    char *name;", None, None), ("    char *extra;", None, None),
                ("    int n;", None, None), ("};", None, None), ("", None, None)]
        fn(f"{p}_ctx_new", [f"static struct {p}_ctx *{p}_ctx_new(void)", "{",
                            f"    struct {p}_ctx *c = calloc(1, sizeof *c);@@ret", "    return c;", "}"])
        fn(f"{p}_ctx_free", [f"static void {p}_ctx_free(struct {p}_ctx *c)", "{", "    if (!c)", "        return;",
                             "    free(c->name);", *(["    free(c->extra);"] if prog.ctx_frees_extra else []),
                             "    free(c);", "}"])
    if "pair" in used:
        out += [(f"struct {p}_pair {{", None, None), ("    char *a;", None, None), ("    char *b;", None, None),
                ("};", None, None), ("", None, None)]
    if "str" in used:
        fn(f"{p}_strdup", [f"static char *{p}_strdup(const char *s)", "{", "    size_t n = strlen(s) + 1;",
                           "    char *p = malloc(n);@@ret", "    if (!p)", "        return NULL;",
                           "    memcpy(p, s, n);", "    return p;", "}"])
    if "xmalloc" in used:
        fn(f"{p}_xmalloc", [f"static void *{p}_xmalloc(size_t n)", "{", "    void *p = malloc(n);@@ret",
                            "    if (!p)", "        abort();", "    return p;", "}"])
    if "xfree" in used:
        fn(f"{p}_xfree", [f"static void {p}_xfree(void *p)", "{", "    free(p);", "}"])
    if "take" in used:
        fn(f"{p}_take", [f"static int {p}_take(char *s)", "{", "    int first = s ? s[0] : 0;", "    free(s);",
                         "    return first;", "}"])
    if "peek" in used:
        fn(f"{p}_peek", [f"static int {p}_peek(const char *s)", "{", "    return s[0] == 'k';", "}"])
    if "ops" in used:
        out += [(f"struct {p}_ops {{", None, None), ("    char *(*make)(const char *);", None, None),
                ("    void (*drop)(void *);", None, None), ("};", None, None), ("", None, None),
                (f"static const struct {p}_ops {p}_ops = {{ {p}_strdup, {p}_xfree }};", None, None),
                ("", None, None)]
    return out


def render(prog: Program) -> Rendered:
    w = _Writer()
    r = Rendered(text="")
    for h in ("#define _POSIX_C_SOURCE 200809L", "#include <fcntl.h>", "#include <stdio.h>", "#include <stdlib.h>",
              "#include <string.h>", "#include <unistd.h>", ""):
        w.emit(0, h)
    used = used_library(prog)
    lib_kinds = {"ret": "lib", "data": "lib"}
    for text, role, fname in _library(prog, used):
        line = w.emit(0, text)
        if role and fname:
            key = f"L:{fname}" if role == "ret" else f"L:{fname}:{role}"
            callee = re.search(r"= (\w+)\(", text)
            r.sites[key] = SiteInfo(key, fname, line, "heap", lib_kinds[role], callee.group(1) if callee else "")
            if role == "ret":
                r.lib_handouts.setdefault(fname, set()).add(key)
    for g, cls in prog.globals.items():
        w.emit(0, f"static {ctype(prog, cls)}{g};")
    if prog.globals:
        w.emit(0, "")
    for f in prog.funcs:
        start = w.next_line
        _render_func(prog, f, w, r)
        r.func_spans[f.name] = (start, w.next_line - 1)
        w.emit(0, "")
    r.text = "\n".join(w.lines).rstrip("\n") + "\n"
    return r


def _signature(prog: Program, f: Func) -> str:
    if f.proto == "main":
        return "int main(int argc, char **argv)"
    if f.proto == "ret":
        return f"static {ctype(prog, f.res_cls)}{f.name}(const int *in)"
    if f.proto == "out":
        return f"static int {f.name}(const int *in, {ctype(prog, f.res_cls)}*out)"
    if f.proto == "ctxfill":
        return f"static void {f.name}(const int *in, struct {prog.prefix}_ctx *c)"
    return f"static int {f.name}(const int *in)"


def _render_func(prog: Program, f: Func, w: _Writer, r: Rendered) -> None:
    w.emit(0, _signature(prog, f))
    w.emit(0, "{")
    if f.proto == "main":
        w.emit(1, f"int in[{prog.inputs}];")
    if f.goto_style:
        w.emit(1, "int rc = -1;")
    for v, cls in f.locals.items():
        w.emit(1, f"{ctype(prog, cls)}{v} = {null_of(cls)};")
    if f.struct_local:
        w.emit(1, f"struct {prog.prefix}_pair st = {{ NULL, NULL }};")
    if f.proto == "main":
        w.emit(1, "")
        w.emit(1, f"if (argc != {prog.inputs + 1})")
        w.emit(2, "return 2;")
        w.emit(1, f"for (int i = 0; i < {prog.inputs}; i++) {{")
        w.emit(2, "in[i] = atoi(argv[i + 1]);")
        w.emit(2, "if (in[i] < 0 || in[i] > 2)")
        w.emit(3, "return 2;")
        w.emit(1, "}")
    ctx = _Ctx(prog, f, w, r)
    ctx.block(f.body, 1, failure=False)
    if f.goto_style:
        w.emit(0, "out:")
        for v in f.cleanup:
            cls = f.locals[v]
            _release_lines(prog, w, 1, v, cls, _cleanup_how(prog, cls), guard=cls in ("file", "fd"), nullify=False)
        w.emit(1, "return rc;")
    elif f.proto == "main":
        w.emit(1, "return 0;")
    w.emit(0, "}")


def _cleanup_how(prog: Program, cls: str) -> str:
    return {"heap": "free", "buf": "pair_del", "ctx": "ctx_free", "file": "fclose", "fd": "close"}[cls]


def release_call(prog: Program, how: str, lv: str) -> str:
    p = prog.prefix
    return {"free": f"free({lv});", "xfree": f"{p}_xfree({lv});", "take": f"(void){p}_take({lv});",
            "pair_del": f"{p}_{prog.noun}_{prog.verbs[1]}({lv});", "ctx_free": f"{p}_ctx_free({lv});",
            "fclose": f"fclose({lv});", "close": f"close({lv});", "indirect_drop": f"{p}_ops.drop({lv});"}[how]


def _release_lines(prog: Program, w: _Writer, depth: int, lv: str, cls: str, how: str, guard: bool,
                   nullify: bool) -> None:
    body = [release_call(prog, how, lv)] + ([f"{lv} = {null_of(cls)};"] if nullify else [])
    if guard:
        if len(body) == 1:
            w.emit(depth, f"if ({is_valid_test(cls, lv)})")
            w.emit(depth + 1, body[0])
        else:
            w.emit(depth, f"if ({is_valid_test(cls, lv)}) {{")
            for b in body:
                w.emit(depth + 1, b)
            w.emit(depth, "}")
    else:
        for b in body:
            w.emit(depth, b)


def use_text(prog: Program, s: Use) -> str:
    if s.cls == "heap":
        return f"{s.lv}[0] = 'k';" if s.id % 2 else f"(void){prog.prefix}_peek({s.lv});"
    return {"buf": f"{prog.prefix}_{prog.noun}_put({s.lv}, in[0]);", "ctx": f"{s.lv}->n++;",
            "file": f"(void)fgetc({s.lv});", "fd": f"(void)lseek({s.lv}, 0, SEEK_SET);"}[s.cls]


class _Ctx:
    def __init__(self, prog: Program, f: Func, w: _Writer, r: Rendered) -> None:
        self.prog, self.f, self.w, self.r = prog, f, w, r

    def site(self, s: Stmt, line: int, cls: str, kind: str, callee: str) -> None:
        key = f"s{s.site}"
        self.r.sites[key] = SiteInfo(key, self.f.name, line, cls, kind, callee)

    def block(self, stmts: list[Stmt], depth: int, failure: bool) -> None:
        for s in stmts:
            start = self.w.next_line
            self.stmt(s, depth, failure)
            if failure:
                self.r.failure_lines.update(range(start, self.w.next_line))

    def sub(self, head: str, body: list[Stmt], depth: int, failure: bool,
            check_line_failure: str | None = None) -> None:
        """`head (...)` followed by a body: braces unless the body is one simple statement."""
        only = body[0] if len(body) == 1 else None
        simple = isinstance(only, (Return, Goto, Continue, Break, Assign, Discard)) or \
            (isinstance(only, Acquire) and not only.decl) or (isinstance(only, Use) and not only.guard)
        if simple:
            line = self.w.emit(depth, head)
            if check_line_failure is not None:
                self.r.failure_checks[line] = check_line_failure
            self.block(body, depth + 1, failure)
        else:
            line = self.w.emit(depth, head + " {")
            if check_line_failure is not None:
                self.r.failure_checks[line] = check_line_failure
            self.block(body, depth + 1, failure)
            self.w.emit(depth, "}")

    def stmt(self, s: Stmt, depth: int, failure: bool) -> None:
        prog, w = self.prog, self.w
        if isinstance(s, Acquire):
            call = f"{s.callee}({', '.join(s.args)})"
            text = f"{ctype(prog, s.cls)}{s.dst} = {call};" if s.decl else f"{s.dst} = {call};"
            self.site(s, w.emit(depth, text), s.cls, s.kind, s.callee)
        elif isinstance(s, Discard):
            cast = "" if s.kind in ("malloc", "calloc", "strdup") else "(void)"
            self.site(s, w.emit(depth, f"{cast}{s.callee}({', '.join(s.args)});"), s.cls, s.kind, s.callee)
        elif isinstance(s, OutAcquire):
            call = f"{s.callee}({', '.join((*s.args, '&' + s.var))})"
            if s.on_fail is None:
                self.site(s, w.emit(depth, f"(void){call};"), s.cls, s.kind, s.callee)
            else:
                start = w.next_line
                self.sub(f"if ({call} != 0)", s.on_fail, depth, failure or s.failure_only,
                         check_line_failure=f"{call} != 0" if s.failure_only else None)
                self.site(s, start, s.cls, s.kind, s.callee)
        elif isinstance(s, Realloc):
            if s.tmp is None:
                line = w.emit(depth, f"{s.var} = realloc({s.var}, {s.size});")
                self.site(s, line, "heap", "realloc_self", "realloc")
                self.r.realloc_self_lines.add(line)
            else:
                self.site(s, w.emit(depth, f"char *{s.tmp} = realloc({s.var}, {s.size});"), "heap", "realloc_tmp",
                          "realloc")
                self.sub(f"if (!{s.tmp})", s.on_fail or [], depth, True, check_line_failure=f"!{s.tmp}")
                w.emit(depth, f"{s.var} = {s.tmp};")
        elif isinstance(s, NullCheck):
            test = is_null_test(s.cls, s.var)
            self.sub(f"if ({test})", s.body, depth, failure or s.failure_only,
                     check_line_failure=test if s.failure_only else None)
        elif isinstance(s, Release):
            _release_lines(prog, w, depth, s.lv, s.cls, s.how, s.guard, s.nullify)
        elif isinstance(s, Use):
            if s.guard:
                w.emit(depth, f"if ({is_valid_test(s.cls, s.lv)})")
                w.emit(depth + 1, use_text(prog, s))
            else:
                w.emit(depth, use_text(prog, s))
        elif isinstance(s, Move):
            w.emit(depth, f"{s.dst} = {s.src};")
            if s.nullify_src:
                w.emit(depth, f"{s.src} = {null_of(s.cls)};")
        elif isinstance(s, If):
            self.sub(f"if ({cond_text(s.cond)})", s.then, depth, failure)
            if s.els is not None:
                self.sub("else", s.els, depth, failure)
        elif isinstance(s, Loop):
            self.sub(f"for (int {s.var} = 0; {s.var} < {bound_text(s.bound)}; {s.var}++)", s.body, depth, failure)
        elif isinstance(s, Return):
            w.emit(depth, f"return {s.value};" if s.value else "return;")
        elif isinstance(s, Goto):
            w.emit(depth, "goto out;")
        elif isinstance(s, Continue):
            w.emit(depth, "continue;")
        elif isinstance(s, Break):
            w.emit(depth, "break;")
        elif isinstance(s, Assign):
            w.emit(depth, f"{s.var} = {s.value};")
        elif isinstance(s, CallWorker):
            call = f"{s.callee}({', '.join(s.args)})"
            if s.site is not None:
                self.site(s, w.emit(depth, f"{call};"), "heap", "ctxfill", s.callee)
            elif s.on_fail is None:
                w.emit(depth, f"(void){call};")
            else:
                self.sub(f"if ({call} != 0)", s.on_fail, depth, failure)
        else:  # pragma: no cover - every statement type is handled above
            raise TypeError(s)
