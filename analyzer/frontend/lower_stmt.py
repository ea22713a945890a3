"""Statement lowering: the s_* handlers that turn statements into blocks and edges."""
from __future__ import annotations

import re

from clang.cindex import Cursor, CursorKind, SourceLocation, SourceRange, TokenKind

from analyzer import ir

from .context import LoweringContext, SwitchContext
from .cursors import _children, _end_loc, _is_reference, _loc, _strip, descendants, extent_parts, opcodes
from .fastc import expression_children, is_expression, kind_name, referenced

# `else` as the first token of the text between an if's then-branch and its else-branch
_ELSE_FIRST = re.compile(rb"[ \t\r\n\f\v;]*else(?![A-Za-z0-9_$])")


class StmtLowerer(LoweringContext):
    """Part of FunctionLowerer: statements to blocks, dispatched by cursor kind name (s_KIND)."""

    # ---- statements ------------------------------------------------------------------------
    def stmt(self, c: Cursor) -> None:
        handler = getattr(self, "s_" + kind_name(c), None)
        if handler is not None:
            handler(c)
        elif is_expression(c):
            self.expr(c, discarded=True)
        elif c.kind.is_declaration():
            pass
        else:
            self.opaque += 1
            self.module.unhandled(kind_name(c))
            for child in _children(c):
                self.stmt(child)

    def s_COMPOUND_STMT(self, c: Cursor) -> None:
        self.scopes.append([])
        for child in _children(c):
            if self.cur is None and child.kind not in (CursorKind.LABEL_STMT, CursorKind.CASE_STMT,
                                                        CursorKind.DEFAULT_STMT):
                if not self._contains_label(child):
                    continue
            first_temp = self.tmp
            self.stmt(child)
            if self.tmp > first_temp and self.cur is not None:
                # lowering temporaries die with their statement: stale ones would keep states apart at joins
                self.emit(ir.Kill(_end_loc(child), tuple(f"${n}" for n in range(first_temp + 1, self.tmp + 1))))
        scope = self.scopes.pop()
        if scope and self.cur is not None:
            self.emit(ir.Kill(_end_loc(c), tuple(scope)))

    def _contains_label(self, c: Cursor) -> bool:
        for d in descendants(c):
            if d.kind in (CursorKind.LABEL_STMT, CursorKind.CASE_STMT, CursorKind.DEFAULT_STMT):
                return True
        return False

    def s_NULL_STMT(self, c: Cursor) -> None:
        pass

    def s_DECL_STMT(self, c: Cursor) -> None:
        for d in _children(c):
            if kind_name(d) == "VAR_DECL":
                self.var_decl(d)
            elif d.kind.is_declaration():
                continue

    def var_decl(self, d: Cursor) -> None:
        storage = d.storage_class.name if hasattr(d, "storage_class") else ""
        if storage == "EXTERN":
            self.locals.pop(d, None)  # `extern char **environ;` in a body names the global
            return
        static = storage == "STATIC"
        init = None
        for child in _children(d):
            if is_expression(child):
                init = child
        if static:
            # initialized once, before the first call: not an assignment each time the declaration is reached
            self.locals.pop(d, None)
            self.module.note_global(d, init)
            return
        if init is not None and _is_reference(d.type) and self._alias(d, init):
            return
        place = ir.Var(self.declare(d))
        if init is None:
            return
        stripped = _strip(init)
        if kind_name(stripped) == "CALL_EXPR" and referenced(stripped) is not None and \
                kind_name(referenced(stripped)) == "CONSTRUCTOR":
            self.call(stripped, receiver=place, discarded=False)
            return
        if kind_name(stripped) == "LAMBDA_EXPR":
            self.expr(init)
            return
        src = self.expr(init)
        self.emit(ir.Assign(_loc(d), place, src))

    def _alias(self, d: Cursor, init: Cursor) -> bool:
        """`T &r = x;`: r names x's place for the rest of its scope (references cannot be re-seated)."""
        target = self.expr(init)
        if isinstance(target, (ir.Var, ir.Field, ir.Global, ir.Deref, ir.Index)):
            self.aliases[d] = target
            return True
        name = self.declare(d)  # bound to a temporary or a call's result: an ordinary local
        self.emit(ir.Assign(_loc(d), ir.Var(name), target))
        return True

    def s_RETURN_STMT(self, c: Cursor) -> None:
        kids = expression_children(c)
        value = self.expr(kids[0]) if kids else None
        self.emit(ir.Return(_loc(c), value))
        self.fn.edge(self.cur, self.exit)
        self.cur = None

    def s_IF_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        else_tok = self._else_offset(c)
        has_else = else_tok is not None
        body_count = 2 if has_else else 1
        head, bodies = kids[:-body_count], kids[-body_count:]
        self.scopes.append([])
        for h in head[:-1]:
            self.stmt(h)
        cond = head[-1] if head else None
        then_b, else_b, after = self.fn.new(), self.fn.new(), self.fn.new()
        if cond is not None and kind_name(cond) == "VAR_DECL":
            self.var_decl(cond)
            name = self.lookup(cond)
            self.branch_on_value(ir.Var(name) if name else ir.Unknown(), _loc(cond), then_b, else_b, cond)
        elif cond is not None:
            self.cond(cond, then_b, else_b)
        self.cur = then_b
        self.stmt(bodies[0])
        self.fn.edge(self.cur, after)
        self.cur = else_b
        if has_else:
            self.stmt(bodies[1])
        self.fn.edge(self.cur, after)
        self.cur = after if self.fn_reachable(after) else None
        scope = self.scopes.pop()
        if scope and self.cur is not None:
            self.emit(ir.Kill(_end_loc(c), tuple(scope)))

    def _else_offset(self, c: Cursor) -> int | None:
        kids = _children(c)
        if len(kids) < 2:
            return None
        # `else` is a keyword token between the last two children: tokenize that gap only (the whole statement
        # would make nested if/else chains quadratic)
        end_file, _, _, a = extent_parts(kids[-2])[1]
        start_file, _, _, b = extent_parts(kids[-1])[0]
        if not end_file or end_file != start_file or a >= b:
            # both children come from one macro expansion: no tokens between them. Decide from the shape:
            # `cond, then, else` (an init-statement or condition variable would not be a lone expression)
            return a if len(kids) == 3 and is_expression(kids[0]) else None
        gap = self.module.source_bytes(end_file)[a:b]
        if b"else" not in gap:
            return None  # no token spelled `else` starts between them
        if (m := _ELSE_FIRST.match(gap)) is not None:
            return a + m.end() - 4  # only blanks and `;` before it: the lexer's next token is that keyword
        # locations rebuilt from file offsets: a child expanded from a macro carries expansion locations, which
        # get_tokens does not accept (`if (p) QUEUE_INSERT(..); else QUEUE_INSERT(..);` would lose its else)
        tu = c.translation_unit
        source = tu.get_file(end_file)
        tokens = tu.get_tokens(extent=SourceRange.from_locations(SourceLocation.from_offset(tu, source, a),
                                                                 SourceLocation.from_offset(tu, source, b)))
        for tok in tokens:
            off = tok.extent.start.offset
            if a <= off < b and tok.kind == TokenKind.KEYWORD and tok.spelling == "else":
                return off
        return None

    def s_WHILE_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        cond, body = kids[-2], kids[-1]
        head = self.goto_new()
        body_b, after = self.fn.new(), self.fn.new()
        self.scopes.append([])
        if kind_name(cond) == "VAR_DECL":
            self.var_decl(cond)
            name = self.lookup(cond)
            self.branch_on_value(ir.Var(name) if name else ir.Unknown(), _loc(cond), body_b, after, cond)
        else:
            self.cond(cond, body_b, after)
        self.loops.append((head, after, len(self.scopes)))
        self.breaks.append((after, len(self.scopes)))  # `break` leaves the innermost loop or switch
        self.cur = body_b
        self.stmt(body)
        self.fn.edge(self.cur, head)
        self.loops.pop()
        self.breaks.pop()
        self.scopes.pop()
        self.cur = after if self.fn_reachable(after) else None

    def s_DO_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        body, cond = kids[0], kids[-1]
        body_b = self.goto_new()
        cond_b, after = self.fn.new(), self.fn.new()
        self.loops.append((cond_b, after, len(self.scopes)))
        self.breaks.append((after, len(self.scopes)))  # `break` leaves the innermost loop or switch
        self.stmt(body)
        self.loops.pop()
        self.breaks.pop()
        self.fn.edge(self.cur, cond_b)
        self.cur = cond_b if self.fn_reachable(cond_b) else None
        if self.cur is not None:
            self.cond(cond, body_b, after)
        self.cur = after if self.fn_reachable(after) else None

    def s_FOR_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        body = kids[-1]
        init, cond, inc, unknown_cond = _for_parts(c, kids)
        self.scopes.append([])
        if init is not None:
            self.stmt(init)
        head = self.goto_new()
        body_b, inc_b, after = self.fn.new(), self.fn.new(), self.fn.new()
        if unknown_cond:
            self.fn.edge(self.cur, body_b)
            self.fn.edge(self.cur, after)
        elif cond is not None:
            if kind_name(cond) == "VAR_DECL":
                self.var_decl(cond)
                self.fn.edge(self.cur, body_b)
                self.fn.edge(self.cur, after)
            else:
                self.cond(cond, body_b, after)
        else:
            self.fn.edge(self.cur, body_b)
        self.loops.append((inc_b, after, len(self.scopes)))
        self.breaks.append((after, len(self.scopes)))  # `break` leaves the innermost loop or switch
        self.cur = body_b
        self.stmt(body)
        self.fn.edge(self.cur, inc_b)
        self.loops.pop()
        self.breaks.pop()
        self.cur = inc_b if self.fn_reachable(inc_b) else None
        if inc is not None:
            self.expr(inc, discarded=True)
        self.fn.edge(self.cur, head)
        scope = self.scopes.pop()
        self.cur = after if self.fn_reachable(after) else None
        if scope and self.cur is not None:
            self.emit(ir.Kill(_end_loc(c), tuple(scope)))

    def s_CXX_FOR_RANGE_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        body = kids[-1]
        self.scopes.append([])
        loop_var = next((k for k in kids if kind_name(k) == "VAR_DECL"), None)
        range_op: ir.Operand = ir.Unknown("range")
        for k in kids[:-1]:
            if is_expression(k):
                range_op = self.expr(k)
        head = self.goto_new()
        body_b, after = self.fn.new(), self.fn.new()
        self.fn.edge(head, body_b)
        self.fn.edge(head, after)
        self.loops.append((head, after, len(self.scopes)))
        self.breaks.append((after, len(self.scopes)))  # `break` leaves the innermost loop or switch
        self.cur = body_b
        if loop_var is not None:
            # the loop variable is an element of the range (`for (auto *p : items_) delete p;`)
            self.emit(ir.Assign(_loc(loop_var), ir.Var(self.declare(loop_var)), ir.Index(range_op)))
        self.stmt(body)
        self.fn.edge(self.cur, head)
        self.loops.pop()
        self.breaks.pop()
        self.scopes.pop()
        self.cur = after

    def s_BREAK_STMT(self, c: Cursor) -> None:
        if not self.breaks:
            return
        target, depth = self.breaks[-1]
        self.kill_scopes(depth, _loc(c))
        self.fn.edge(self.cur, target)
        self.cur = None

    def s_CONTINUE_STMT(self, c: Cursor) -> None:
        if not self.loops:
            return
        target, _, depth = self.loops[-1]
        self.kill_scopes(depth, _loc(c))
        self.fn.edge(self.cur, target)
        self.cur = None

    def s_SWITCH_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        cond, body = kids[-2], kids[-1]
        self.scopes.append([])
        for k in kids[:-2]:
            self.stmt(k)
        value = None
        operand: ir.Operand | None = None
        if kind_name(cond) == "VAR_DECL":
            self.var_decl(cond)
        else:
            value = self.constant_condition(cond)
            operand = self.expr(cond)
        dispatch = self.cur
        after = self.fn.new()
        cases = self._case_values(body)
        matches = value is not None and value in cases
        if isinstance(operand, (ir.Unknown, ir.Const)):
            operand = None
        sw = SwitchContext(dispatch if dispatch is not None else self.fn.new(), value, matches, operand,
                           self.module.text(cond), tuple(v for v in cases if v is not None))
        self.switches.append(sw)
        self.breaks.append((after, len(self.scopes)))
        self.cur = None
        self.stmt(body)
        self.fn.edge(self.cur, after)
        self.switches.pop()
        self.breaks.pop()
        if dispatch is not None and not matches and not self._switch_has_default(body):
            self.fn.edge(self._case_edge(sw, None, _loc(c)), after)
        self.scopes.pop()
        self.cur = after if self.fn_reachable(after) else None

    def _switch_has_default(self, body: Cursor) -> bool:
        stack = [body]
        while stack:
            n = stack.pop()
            for k in _children(n):
                if kind_name(k) == "DEFAULT_STMT":
                    return True
                if kind_name(k) != "SWITCH_STMT":
                    stack.append(k)
        return False

    def _case_values(self, body: Cursor) -> list[int | None]:
        """The constant of every `case` of this switch (not of switches nested in it)."""
        values: list[int | None] = []
        stack = [body]
        while stack:
            n = stack.pop()
            for k in _children(n):
                if kind_name(k) == "CASE_STMT":
                    values.append(self._case_value(k))
                if kind_name(k) != "SWITCH_STMT":
                    stack.append(k)
        return values

    @staticmethod
    def _case_value(c: Cursor) -> int | None:
        kids = _children(c)  # the label's constant, then the statement it labels
        if len(kids) != 2:  # a GNU case range `case 1 ... 5:` (low, high, statement)
            return None
        value = opcodes().integer(kids[0])
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def _case_reachable(self, c: Cursor, sw: SwitchContext) -> bool:
        """With a constant controlling value, only its case (or the default when no case matches) is entered."""
        if sw.value is None:
            return True
        if kind_name(c) == "DEFAULT_STMT":
            return not sw.matches_a_case
        value = self._case_value(c)
        return value is None or value == sw.value

    def _case_edge(self, sw: SwitchContext, value: int | None, loc: ir.Loc) -> int:
        """The block control passes through from the dispatch to a case: assuming the tested value equals the
        case's constant (`value`), or, for the default (None), differs from every case's."""
        if sw.operand is None or (value is None and not sw.case_values):
            return sw.dispatch
        edge = self.fn.new()
        self.fn.edge(sw.dispatch, edge)
        if value is not None:
            self.fn.events[edge].append(ir.Branch(loc, True, f"{sw.text} == {value}"))
            self.fn.events[edge].append(ir.Assume(loc, sw.operand, "==", value))
        else:
            for v in sw.case_values:
                self.fn.events[edge].append(ir.Assume(loc, sw.operand, "!=", v))
        return edge

    def _case(self, c: Cursor) -> None:
        block = self.fn.new()
        self.fn.edge(self.cur, block)  # fallthrough
        if self.switches and self._case_reachable(c, self.switches[-1]):
            sw = self.switches[-1]
            label = self._case_value(c) if kind_name(c) == "CASE_STMT" else None
            if kind_name(c) == "CASE_STMT" and label is None:
                self.fn.edge(sw.dispatch, block)  # a case range or a constant we cannot read: assume nothing
            else:
                self.fn.edge(self._case_edge(sw, label, _loc(c)), block)
        self.cur = block
        kids = _children(c)
        if kids:
            self.stmt(kids[-1])

    s_CASE_STMT = s_DEFAULT_STMT = _case

    def s_LABEL_STMT(self, c: Cursor) -> None:
        block = self.labels.setdefault(c.spelling, self.fn.new())
        self.fn.edge(self.cur, block)
        self.cur = block
        for k in _children(c):
            self.stmt(k)

    def s_GOTO_STMT(self, c: Cursor) -> None:
        label = next((k for k in _children(c) if kind_name(k) == "LABEL_REF"), None)
        if label is None:
            self.cur = None
            return
        block = self.labels.setdefault(label.spelling, self.fn.new())
        self.fn.edge(self.cur, block)
        self.cur = None

    def s_INDIRECT_GOTO_STMT(self, c: Cursor) -> None:
        self.emit(ir.Halt(_loc(c), "computed goto"))
        self.cur = None

    def s_CXX_TRY_STMT(self, c: Cursor) -> None:
        kids = _children(c)
        start = self.goto_new()
        after = self.fn.new()
        self.stmt(kids[0])
        self.fn.edge(self.cur, after)
        for handler in kids[1:]:
            # conservatively: an exception may leave the try block before any of it ran
            self.cur = self.fn.new()
            self.fn.edge(start, self.cur)
            for k in _children(handler):
                if kind_name(k) == "COMPOUND_STMT":
                    self.stmt(k)
            self.fn.edge(self.cur, after)
        self.cur = after if self.fn_reachable(after) else None

    def s_GCC_ASM_STMT(self, c: Cursor) -> None:
        self.opaque += 1

    s_ASM_STMT = s_MS_ASM_STMT = s_GCC_ASM_STMT


def _for_parts(c: Cursor, kids: list[Cursor]) -> tuple[Cursor | None, Cursor | None, Cursor | None, bool]:
    """(init, condition, increment, condition unknown) of a `for`: libclang leaves out the parts that are absent, so
    they are told apart by the `;` tokens around them; a `for` written by a macro has its tokens elsewhere."""
    body = kids[-1]
    semis: list[int] = []
    depth = 0
    close = body.extent.start.offset
    for tok in c.get_tokens():
        s = tok.spelling
        if s == "(":
            depth += 1
        elif s == ")":
            depth -= 1
            if depth == 0:
                close = tok.extent.start.offset
                break
        elif s == ";" and depth == 1:
            semis.append(tok.extent.start.offset)
    parts = kids[:-1]
    if len(semis) >= 2 and any(k.extent.start.offset >= close for k in parts):
        semis = []  # the tokens are the macro's definition, the parts are at its invocation
    if len(semis) < 2:
        if len(parts) == 3:  # a `for` written by a macro (`TAILQ_FOREACH_SAFE`)
            return parts[0], parts[1], parts[2], False
        # which part is the condition is unknown: the loop may end at any turn
        return (parts[0] if parts else None), None, (parts[1] if len(parts) > 1 else None), bool(parts)
    init = cond = inc = None
    for k in parts:
        off = k.extent.start.offset
        if off < semis[0]:
            init = k
        elif off < semis[1]:
            cond = k
        elif off < close:
            inc = k
    return init, cond, inc, False
