"""The source-to-source conversion, on Python's own `ast`.

The passes run in TF's order on one function's tree:

1. `break`, `continue` and `return` inside compound statements become flag variables
   (`break_`, `continue_`, `do_return`/`retval_`): later statements of the block are
   guarded by `if not flag:` and loops get the flag as an extra test, so no jump is left for
   the functional forms to carry.
2. Calls become `ag__.converted_call(f, args, kwargs)` (so called functions are converted
   too), `and`/`or`/`not` become `ag__.and_`/`or_`/`not_`, `x if c else y` becomes
   `ag__.if_exp`, `assert` becomes `ag__.assert_stmt`.
3. Liveness (which variables are read later) and reaching definitions (which may already
   have a value) are computed on the result.
4. Each `if`, `while` and `for` becomes local functions for its branches/body plus
   `get_state`/`set_state` over the variables it changes, and a call of
   `ag__.if_stmt`/`while_stmt`/`for_stmt` (operators.py), which decide at trace time
   whether the statement is Python or graph control flow. Variables the statement changes
   are declared `nonlocal` in those functions; the ones used after it are its outputs.
"""
import ast
import copy
import itertools


AG = "ag__"


def _name(id_, ctx=None):
    return ast.Name(id=id_, ctx=ctx or ast.Load())


def _attr(name):
    return ast.Attribute(value=_name(AG), attr=name, ctx=ast.Load())


def _call(fn, args, keywords=()):
    return ast.Call(func=fn, args=list(args), keywords=list(keywords))


def _assign(target, value):
    return ast.Assign(targets=[_name(target, ast.Store())], value=value)


def _const(v):
    return ast.Constant(value=v)


def _not(flag):
    return _call(_attr("not_"), [_name(flag)])


def _stmts(src):
    return ast.parse(src).body


# --- names read and written ------------------------------------------------------------------

class _Scope:
    """Names an AST fragment reads and writes, not looking into nested function or class
    bodies (their reads count as reads where they are defined)."""

    def __init__(self):
        self.reads = set()
        self.writes = set()


def _targets(node, out):
    if isinstance(node, ast.Name):
        out.add(node.id)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for e in node.elts:
            _targets(e, out)
    elif isinstance(node, ast.Starred):
        _targets(node.value, out)
    return out


def _collect(node, scope, top=True):
    if isinstance(node, list):
        for n in node:
            _collect(n, scope, top)
        return scope
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        if not top:
            scope.writes.add(node.name)
            for n in ast.walk(node):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                    scope.reads.add(n.id)
            return scope
    if isinstance(node, ast.Lambda):
        for n in ast.walk(node.body):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                scope.reads.add(n.id)
        return scope
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        local = set()
        for g in node.generators:
            _targets(g.target, local)
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local:
                scope.reads.add(n.id)
            if isinstance(n, ast.NamedExpr):
                _targets(n.target, scope.writes)
        return scope
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load):
            scope.reads.add(node.id)
        else:
            scope.writes.add(node.id)
        return scope
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        scope.reads.add(node.target.id)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for a in node.names:
            scope.writes.add((a.asname or a.name).split(".")[0])
    if isinstance(node, ast.ExceptHandler) and node.name:
        scope.writes.add(node.name)
    for child in ast.iter_child_nodes(node):
        _collect(child, scope, False)
    return scope


def _composite_base(node):
    """`self` of `self.a.b` / `d['k']`: a chain of attributes and constant subscripts on a
    name (TF's composite symbols), else None."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
            return None
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def composites_of(stmts):
    """{text: expression} of the composite symbols a block assigns (not looking into
    nested functions)."""
    out = {}

    def add(t):
        if isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                add(e)
        elif isinstance(t, (ast.Attribute, ast.Subscript)) and _composite_base(t):
            out[ast.unparse(t)] = t
    for s in stmts:
        for n in _walk_stmt(s, True):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    add(t)
            elif isinstance(n, (ast.AugAssign, ast.AnnAssign)) and n.value is not None:
                add(n.target)
    return out


def _with_ctx(expr, ctx):
    expr = copy.deepcopy(expr)
    for n in ast.walk(expr):
        if hasattr(n, "ctx"):
            n.ctx = ast.Load()
    expr.ctx = ctx
    return expr


def reads_of(node):
    return _collect(node, _Scope(), top=False).reads


def writes_of(node):
    return _collect(node, _Scope(), top=False).writes


# --- pass 1: break / continue / return -----------------------------------------------------------

class _Jumps:
    def __init__(self):
        self.counter = itertools.count(1)

    def fresh(self, base, taken):
        name = base
        while name in taken:
            name = f"{base}_{next(self.counter)}"
        taken.add(name)
        return name


def _contains(stmts, kinds, into_loops):
    for s in stmts:
        for n in _walk_stmt(s, into_loops):
            if isinstance(n, kinds):
                return True
    return False


def _walk_stmt(node, into_loops):
    """Nodes of a statement, not entering nested functions/classes (nor loops, unless
    into_loops)."""
    yield node
    for field, value in ast.iter_fields(node):
        children = value if isinstance(value, list) else [value]
        for c in children:
            if not isinstance(c, ast.AST):
                continue
            if isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                              ast.Lambda)):
                continue
            if not into_loops and isinstance(c, (ast.For, ast.While)):
                continue
            yield from _walk_stmt(c, into_loops)


def _guard_block(stmts, is_jump, replace, flag, into_loops):
    """Rewrites a block so that `is_jump` statements set `flag` (via `replace`) and what
    follows a statement that may jump runs under `if not flag:`. Returns (block, may_jump)."""
    out = []
    for i, s in enumerate(stmts):
        if is_jump(s):
            out.extend(replace(s))
            return out, True
        new_s, may = _guard_stmt(s, is_jump, replace, flag, into_loops)
        out.append(new_s)
        if may:
            rest, _ = _guard_block(stmts[i + 1:], is_jump, replace, flag, into_loops)
            if rest:
                out.append(ast.If(test=_not(flag), body=rest, orelse=[]))
            return out, True
    return out, False


def _guard_stmt(s, is_jump, replace, flag, into_loops):
    may = False
    if isinstance(s, ast.If):
        s.body, m1 = _guard_block(s.body, is_jump, replace, flag, into_loops)
        s.orelse, m2 = _guard_block(s.orelse, is_jump, replace, flag, into_loops)
        may = m1 or m2
    elif isinstance(s, (ast.With, ast.AsyncWith)):
        s.body, may = _guard_block(s.body, is_jump, replace, flag, into_loops)
    elif isinstance(s, ast.Try):
        s.body, m1 = _guard_block(s.body, is_jump, replace, flag, into_loops)
        m = [m1]
        for h in s.handlers:
            h.body, mh = _guard_block(h.body, is_jump, replace, flag, into_loops)
            m.append(mh)
        s.orelse, m3 = _guard_block(s.orelse, is_jump, replace, flag, into_loops)
        s.finalbody, m4 = _guard_block(s.finalbody, is_jump, replace, flag, into_loops)
        may = any(m) or m3 or m4
    elif isinstance(s, (ast.For, ast.While)) and into_loops:
        s.body, may = _guard_block(s.body, is_jump, replace, flag, into_loops)
        if may:
            _add_loop_guard(s, flag)
        s.orelse, m2 = _guard_block(s.orelse, is_jump, replace, flag, into_loops)
        may = may or m2
    return s, may


def _add_loop_guard(loop, flag):
    """The loop stops once `flag` is set: TF's extra test of the loop."""
    if isinstance(loop, ast.While):
        loop.test = _call(_attr("and_"), [
            ast.Lambda(args=_no_args(), body=_not(flag)),
            ast.Lambda(args=_no_args(), body=loop.test)])
    else:
        guards = getattr(loop, "_ag_extra", [])
        guards.append(flag)
        loop._ag_extra = guards


def _no_args():
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                         kw_defaults=[], kwarg=None, defaults=[])


def lower_loop_jumps(stmts, jumps, taken):
    """break/continue of each loop in `stmts` (innermost first) become flags."""
    for s in stmts:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(s, field, None)
            if isinstance(block, list):
                if field == "handlers":
                    for h in block:
                        lower_loop_jumps(h.body, jumps, taken)
                else:
                    lower_loop_jumps(block, jumps, taken)
    out = []
    for s in stmts:
        if isinstance(s, (ast.For, ast.While)):
            out.extend(_lower_one_loop(s, jumps, taken))
        else:
            out.append(s)
    stmts[:] = out
    return stmts


def _lower_one_loop(loop, jumps, taken):
    pre = []
    if _contains(loop.body, ast.Continue, into_loops=False):
        flag = jumps.fresh("continue_", taken)
        body, _ = _guard_block(loop.body, lambda s: isinstance(s, ast.Continue),
                               lambda s: [_assign(flag, _const(True))], flag, False)
        loop.body = [_assign(flag, _const(False))] + body
    if _contains(loop.body, ast.Break, into_loops=False):
        flag = jumps.fresh("break_", taken)
        body, _ = _guard_block(loop.body, lambda s: isinstance(s, ast.Break),
                               lambda s: [_assign(flag, _const(True))], flag, False)
        loop.body = body
        _add_loop_guard(loop, flag)
        pre.append(_assign(flag, _const(False)))
        if loop.orelse:
            # a loop's else runs when no break left it
            orelse = loop.orelse
            loop.orelse = []
            return pre + [loop, ast.If(test=_not(flag), body=orelse, orelse=[])]
    return pre + [loop]


def _returns_always(stmts):
    for s in stmts:
        if isinstance(s, ast.Return):
            return True
        if isinstance(s, ast.If) and _returns_always(s.body) and _returns_always(s.orelse):
            return True
        if isinstance(s, (ast.With, ast.AsyncWith)) and _returns_always(s.body):
            return True
    return False


def move_after_returns(stmts):
    """What follows an `if` one of whose branches always returns belongs to the other
    branch (TF's rewrite before lowering returns: the statements then stay reachable only
    where they are, so a tensor `if` sees a return on both sides)."""
    out = []
    i = 0
    while i < len(stmts):
        s = stmts[i]
        for field in ("body", "orelse", "finalbody"):
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                break
            block = getattr(s, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(s, field, move_after_returns(block))
        if isinstance(s, ast.Try):
            for h in s.handlers:
                h.body = move_after_returns(h.body)
        out.append(s)
        rest = stmts[i + 1:]
        if isinstance(s, ast.If) and rest:
            if _returns_always(s.body) and not _returns_always(s.orelse):
                s.orelse = move_after_returns(s.orelse + rest)
                return out
            if _returns_always(s.orelse) and not _returns_always(s.body):
                s.body = move_after_returns(s.body + rest)
                return out
        i += 1
    return out


def lower_returns(fn, jumps, taken):
    """`return` statements nested in compound statements become do_return/retval_."""
    body = fn.body
    nested = any(isinstance(n, ast.Return) for s in body if not isinstance(s, ast.Return)
                 for n in _walk_stmt(s, True))
    if not nested:
        return
    do_return = jumps.fresh("do_return", taken)
    retval = jumps.fresh("retval_", taken)

    def replace(s):
        return [_assign(do_return, _const(True)),
                _assign(retval, s.value if s.value is not None else _const(None))]

    new_body, _ = _guard_block(body, lambda s: isinstance(s, ast.Return), replace,
                               do_return, True)
    fn.body = ([_assign(do_return, _const(False)),
                _assign(retval, _call(_attr("UndefinedReturnValue"), []))] + new_body +
               [ast.Return(value=_call(_attr("retval"), [_name(retval)]))])


# --- pass 2: calls and expressions ----------------------------------------------------------------

class _Expressions(ast.NodeTransformer):
    def __init__(self, first_arg, features=frozenset()):
        self.first_arg = first_arg
        self.features = features

    def visit_FunctionDef(self, node):
        # nested functions are converted with their own tree (convert_function)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
                f.value.id == AG:
            return node
        if isinstance(f, ast.Name) and f.id == "super" and not node.args and \
                self.first_arg:
            # zero-argument super() needs the class cell of the original method
            node.args = [_name("__class__"), _name(self.first_arg)]
            return node
        if isinstance(f, ast.Name) and f.id in ("locals", "globals", "eval", "exec",
                                                "super", "vars"):
            return node
        if isinstance(f, ast.Name) and f.id == "print" and \
                "BUILTIN_FUNCTIONS" not in self.features:
            # as TF: print stays Python's (it prints while tracing) unless the function
            # asks for Feature.BUILTIN_FUNCTIONS
            return node
        pos = []
        star = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                star.append(_call(_name("tuple"), [a.value]))
            else:
                pos.append(a)
        args = ast.Tuple(elts=pos, ctx=ast.Load())
        for s in star:
            args = ast.BinOp(left=args, op=ast.Add(), right=s)
        if node.keywords:
            kw = ast.Dict(keys=[None if k.arg is None else _const(k.arg)
                                for k in node.keywords],
                          values=[k.value for k in node.keywords])
        else:
            kw = _const(None)
        return ast.copy_location(_call(_attr("converted_call"), [f, args, kw]), node)

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        fn = "and_" if isinstance(node.op, ast.And) else "or_"
        values = node.values
        out = values[-1]
        for v in reversed(values[:-1]):
            out = _call(_attr(fn), [ast.Lambda(args=_no_args(), body=v),
                                    ast.Lambda(args=_no_args(), body=out)])
        return ast.copy_location(out, node)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.copy_location(_call(_attr("not_"), [node.operand]), node)
        return node

    def visit_IfExp(self, node):
        self.generic_visit(node)
        return ast.copy_location(_call(_attr("if_exp"), [
            node.test, ast.Lambda(args=_no_args(), body=node.body),
            ast.Lambda(args=_no_args(), body=node.orelse),
            _const(ast.unparse(node.test))]), node)

    def visit_Expr(self, node):
        v = node.value
        if "LISTS" in self.features and isinstance(v, ast.Call) and \
                isinstance(v.func, ast.Attribute) and v.func.attr == "append" and \
                isinstance(v.func.value, ast.Name) and len(v.args) == 1 and not v.keywords:
            # Feature.LISTS: `l.append(x)` is `l = ag__.list_append(l, x)`, so that a
            # TensorArray (which returns a new one from each write) can be appended to
            name = v.func.value.id
            arg = self.visit(v.args[0])
            return ast.copy_location(_assign(name, _call(_attr("list_append"),
                                                         [_name(name), arg])), node)
        self.generic_visit(node)
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        if "EQUALITY_OPERATORS" not in self.features or len(node.ops) != 1 or \
                not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return node
        fn = "eq" if isinstance(node.ops[0], ast.Eq) else "not_eq"
        return ast.copy_location(_call(_attr(fn), [node.left, node.comparators[0]]), node)

    def visit_Assert(self, node):
        self.generic_visit(node)
        if "ASSERT_STATEMENTS" not in self.features:
            return node
        msg = node.msg if node.msg is not None else _const("Assertion failed")
        return ast.copy_location(ast.Expr(value=_call(_attr("assert_stmt"), [
            node.test, ast.Lambda(args=_no_args(), body=msg)])), node)

    def visit_Lambda(self, node):
        # a lambda's body is an expression of the function: its calls and logic convert
        # like the rest (a lambda handed to tf.cond calls a user helper converted)
        self.generic_visit(node)
        return node


# --- pass 3: liveness and reaching definitions ------------------------------------------------------

def _live_block(stmts, live_out):
    live = set(live_out)
    for s in reversed(stmts):
        live = _live_stmt(s, live)
    return live


def _live_stmt(s, live_out):
    if isinstance(s, ast.If):
        s._ag_live_out = set(live_out)
        return reads_of(s.test) | _live_block(s.body, live_out) | \
            _live_block(s.orelse, live_out)
    if isinstance(s, ast.While):
        exit_live = _live_block(s.orelse, live_out) if s.orelse else set(live_out)
        head = set(exit_live) | reads_of(s.test)
        while True:
            new = reads_of(s.test) | exit_live | _live_block(s.body, head)
            if new == head:
                break
            head = new
        s._ag_live_out = set(live_out)
        s._ag_live_head = head
        return head
    if isinstance(s, ast.For):
        exit_live = _live_block(s.orelse, live_out) if s.orelse else set(live_out)
        target = _targets(s.target, set())
        extra = set(getattr(s, "_ag_extra", []))
        head = set(exit_live) | extra
        while True:
            new = exit_live | extra | (_live_block(s.body, head) - target)
            if new == head:
                break
            head = new
        s._ag_live_out = set(live_out)
        s._ag_live_head = head
        return head | reads_of(s.iter)
    if isinstance(s, (ast.With, ast.AsyncWith)):
        inner = _live_block(s.body, live_out)
        for item in s.items:
            if item.optional_vars is not None:
                inner -= _targets(item.optional_vars, set())
            inner |= reads_of(item.context_expr)
        return inner
    if isinstance(s, ast.Try):
        after = _live_block(s.finalbody, live_out)
        handlers = set()
        for h in s.handlers:
            handlers |= _live_block(h.body, after)
        body = _live_block(s.body, _live_block(s.orelse, after) | handlers)
        return body | handlers
    if isinstance(s, ast.Return):
        return reads_of(s)
    sc = _collect(s, _Scope(), top=False)
    if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (set(live_out) - {s.name}) | sc.reads
    if isinstance(s, ast.AugAssign):
        return set(live_out) | sc.reads
    return (set(live_out) - sc.writes) | sc.reads


def _defined_block(stmts, maybe):
    maybe = set(maybe)
    for s in stmts:
        maybe = _defined_stmt(s, maybe)
    return maybe


def _defined_stmt(s, maybe):
    if isinstance(s, (ast.If, ast.While, ast.For)):
        s._ag_maybe_before = set(maybe)
        inner = set(maybe)
        if isinstance(s, ast.For):
            inner |= _targets(s.target, set())
        if not isinstance(s, ast.If):
            # a loop's body also sees what earlier iterations defined
            inner |= writes_of(s.body)
        out = _defined_block(s.body, inner) | _defined_block(s.orelse, inner)
        return maybe | out
    if isinstance(s, (ast.With, ast.AsyncWith)):
        for item in s.items:
            if item.optional_vars is not None:
                maybe |= _targets(item.optional_vars, set())
        return _defined_block(s.body, maybe)
    if isinstance(s, ast.Try):
        m = _defined_block(s.body, maybe)
        for h in s.handlers:
            m |= _defined_block(h.body, maybe | ({h.name} if h.name else set()))
        m = _defined_block(s.orelse, m)
        return _defined_block(s.finalbody, m)
    return maybe | writes_of(s)


def _at(node, stmt):
    """Places generated code on the first line of the statement it replaces (a traceback
    through it then shows that line: `if x > 0:`, `while i < n:`)."""
    if not hasattr(stmt, "lineno"):
        return node         # a guard the converter wrote: it takes its parent's line
    node.lineno, node.col_offset = stmt.lineno, stmt.col_offset
    node.end_lineno, node.end_col_offset = stmt.lineno, stmt.col_offset
    return node


# --- pass 4: control flow --------------------------------------------------------------------------

class _ControlFlow:
    def __init__(self, taken, global_names, params):
        self.taken = taken
        self.global_names = global_names
        self.params = params
        self.n = itertools.count(1)
        self.undefined = set()      # variables that may hold ag__.Undefined
        self.composites = {}        # text -> expression of attributes/items assigned

    def fresh(self, base):
        name = f"{base}_{next(self.n)}"
        while name in self.taken:
            name = f"{base}_{next(self.n)}"
        self.taken.add(name)
        return name

    def block(self, stmts):
        out = []
        for s in stmts:
            out.extend(self.stmt(s))
        return out

    def stmt(self, s):
        if isinstance(s, (ast.If, ast.While, ast.For)):
            # what the statement changes, seen before its inner statements are converted
            # (their assignments then move into local functions)
            s._ag_modified = writes_of(s.body) | (writes_of(s.orelse)
                                                  if isinstance(s, ast.If) else set())
            comp = composites_of(s.body + (s.orelse if isinstance(s, ast.If) else []))
            self.composites.update(comp)
            s._ag_composites = set(comp)
        if isinstance(s, ast.If):
            s.body = self.block(s.body)
            s.orelse = self.block(s.orelse)
            return self.convert_if(s)
        if isinstance(s, ast.While):
            s.body = self.block(s.body)
            s.orelse = self.block(s.orelse)
            return self.convert_while(s)
        if isinstance(s, ast.For):
            s.body = self.block(s.body)
            s.orelse = self.block(s.orelse)
            return self.convert_for(s)
        for field in ("body", "orelse", "finalbody"):
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                break
            block = getattr(s, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(s, field, self.block(block))
        if isinstance(s, ast.Try):
            for h in s.handlers:
                h.body = self.block(h.body)
        return [s]

    # helpers -----------------------------------------------------------------------------
    def _decl(self, names):
        names = sorted(n for n in names if n not in self.composites)
        out = []
        glob = [n for n in names if n in self.global_names]
        loc = [n for n in names if n not in self.global_names]
        if glob:
            out.append(ast.Global(names=glob))
        if loc:
            out.append(ast.Nonlocal(names=loc))
        return out

    def _fn(self, name, args, body, decl):
        return ast.FunctionDef(
            name=name, args=ast.arguments(posonlyargs=[], args=[ast.arg(arg=a)
                                                                 for a in args],
                                          vararg=None, kwonlyargs=[], kw_defaults=[],
                                          kwarg=None, defaults=[]),
            body=self._decl(decl) + (body or [ast.Pass()]), decorator_list=[], returns=None,
            type_params=[])

    def _state_fns(self, symbols, maybe_before):
        get_name, set_name = self.fresh("get_state"), self.fresh("set_state")
        loads = []
        for s in symbols:
            if s in self.params:
                loads.append(_name(s))
            else:
                expr = _with_ctx(self.composites[s], ast.Load()) if s in self.composites \
                    else _name(s)
                loads.append(_call(_attr("ldu"), [ast.Lambda(args=_no_args(), body=expr),
                                                  _const(s)]))
        get_fn = self._fn(get_name, [], [ast.Return(value=ast.Tuple(elts=loads,
                                                                       ctx=ast.Load()))], [])
        if symbols:
            target = ast.Tuple(elts=[_with_ctx(self.composites[s], ast.Store())
                                     if s in self.composites else _name(s, ast.Store())
                                     for s in symbols], ctx=ast.Store())
            set_body = [ast.Assign(targets=[target], value=_name("vars_"))]
        else:
            set_body = [ast.Pass()]
        set_fn = self._fn(set_name, ["vars_"], set_body, symbols)
        return get_fn, set_fn, get_name, set_name

    def _undefs(self, symbols, maybe_before):
        self.undefined.update(s for s in symbols if s not in maybe_before and
                              s not in self.params and s not in self.global_names)
        return [_assign(s, _call(_attr("Undefined"), [_const(s)]))
                for s in sorted(symbols) if s not in maybe_before and s not in self.params
                and s not in self.global_names]

    @staticmethod
    def _names_tuple(symbols):
        return ast.Tuple(elts=[_const(s) for s in symbols], ctx=ast.Load())

    # if -----------------------------------------------------------------------------------
    def _live_composites(self, s, live):
        """Attributes and items the statement assigns whose object is used later: they
        travel through the statement like variables (TF's composite symbols)."""
        return sorted(c for c in s._ag_composites
                      if _composite_base(self.composites[c]) in live)

    def convert_if(self, s):
        modified = s._ag_modified
        live = s._ag_live_out
        outs = sorted(m for m in modified if m in live) + self._live_composites(s, live)
        rest = sorted(m for m in modified if m not in live)
        symbols = outs + rest
        maybe = s._ag_maybe_before
        body_name, else_name = self.fresh("if_body"), self.fresh("else_body")
        body_fn = self._fn(body_name, [], s.body, modified)
        else_fn = self._fn(else_name, [], s.orelse, modified)
        get_fn, set_fn, get_name, set_name = self._state_fns(symbols, maybe)
        call = ast.Expr(value=_call(_attr("if_stmt"), [
            s.test, _name(body_name), _name(else_name), _name(get_name), _name(set_name),
            self._names_tuple(symbols), _const(len(outs))]))
        out = self._undefs(modified, maybe) + [get_fn, set_fn, body_fn, else_fn, call]
        return [_at(n, s) for n in out]

    # loops --------------------------------------------------------------------------------
    def _loop_opts(self, s):
        """A body opening with `set_loop_options(...)` (already a converted_call) gives the
        loop's options."""
        body = s.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call):
            c = body[0].value
            if isinstance(c.func, ast.Attribute) and c.func.attr == "converted_call":
                f, kw = c.args[0], c.args[2]
                if isinstance(f, ast.Attribute) and f.attr == "set_loop_options" or \
                        isinstance(f, ast.Name) and f.id == "set_loop_options":
                    s.body = body[1:] or [ast.Pass()]
                    if isinstance(kw, ast.Constant):
                        return ast.Dict(keys=[], values=[])
                    return _call(_attr("loop_options"), [],
                                 [ast.keyword(arg=None, value=kw)])
        return ast.Dict(keys=[], values=[])

    def convert_while(self, s):
        opts = self._loop_opts(s)
        modified = s._ag_modified
        symbols = sorted(m for m in modified if m in s._ag_live_head) + \
            self._live_composites(s, s._ag_live_head)
        maybe = s._ag_maybe_before
        test_name, body_name = self.fresh("loop_test"), self.fresh("loop_body")
        test_fn = self._fn(test_name, [], [ast.Return(value=s.test)], [])
        body_fn = self._fn(body_name, [], s.body, modified)
        get_fn, set_fn, get_name, set_name = self._state_fns(symbols, maybe)
        call = ast.Expr(value=_call(_attr("while_stmt"), [
            _name(test_name), _name(body_name), _name(get_name), _name(set_name),
            self._names_tuple(symbols), opts]))
        out = self._undefs(modified, maybe) + [get_fn, set_fn, test_fn, body_fn, call]
        out += s.orelse
        return [_at(n, s) for n in out]

    def convert_for(self, s):
        opts = self._loop_opts(s)
        target_names = _targets(s.target, set())
        modified = s._ag_modified | target_names
        symbols = sorted(m for m in modified if m in s._ag_live_head) + \
            self._live_composites(s, s._ag_live_head)
        maybe = s._ag_maybe_before
        body_name = self.fresh("loop_body")
        itr = self.fresh("itr")
        body = [ast.Assign(targets=[s.target], value=_name(itr))] + s.body
        body_fn = self._fn(body_name, [itr], body, modified)
        get_fn, set_fn, get_name, set_name = self._state_fns(symbols, maybe)
        extra = getattr(s, "_ag_extra", [])
        pre = []
        if extra:
            test_name = self.fresh("extra_test")
            cond = _not(extra[0])
            for f in extra[1:]:
                cond = _call(_attr("and_"), [ast.Lambda(args=_no_args(), body=cond),
                                             ast.Lambda(args=_no_args(), body=_not(f))])
            pre.append(self._fn(test_name, [], [ast.Return(value=cond)], []))
            extra_arg = _name(test_name)
        else:
            extra_arg = _const(None)
        call = ast.Expr(value=_call(_attr("for_stmt"), [
            s.iter, extra_arg, _name(body_name), _name(get_name), _name(set_name),
            self._names_tuple(symbols), opts]))
        out = self._undefs(modified, maybe) + [get_fn, set_fn] + pre + [body_fn, call]
        out += s.orelse
        return [_at(n, s) for n in out]


class _GuardedLoads(ast.NodeTransformer):
    """Reads of variables a converted statement may leave undefined go through ag__.ld,
    which raises Python's UnboundLocalError for them (TF's `ld`)."""

    def __init__(self, names):
        self.names = names

    def visit_Call(self, node):
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
                f.value.id == AG and f.attr == "ldu":
            return node
        self.generic_visit(node)
        return node

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.names:
            return ast.copy_location(_call(_attr("ld"), [node]), node)
        return node


# --- a whole function ---------------------------------------------------------------------------------

def _params(fn):
    a = fn.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    if a.vararg:
        names.append(a.vararg.arg)
    if a.kwarg:
        names.append(a.kwarg.arg)
    return names


def convert_function(fn, top=True, features=frozenset()):
    """Converts a FunctionDef in place (and the functions defined inside it). `features`
    are the optional ones of tf.autograph.experimental.Feature the function asked for."""
    taken = set()
    for n in ast.walk(fn):
        if isinstance(n, ast.Name):
            taken.add(n.id)
        elif isinstance(n, ast.arg):
            taken.add(n.arg)
    params = _params(fn)
    global_names = set()
    nonlocal_names = set()
    for n in _walk_stmt_list(fn.body):
        if isinstance(n, ast.Global):
            global_names.update(n.names)
        elif isinstance(n, ast.Nonlocal):
            nonlocal_names.update(n.names)
    for n in ast.walk(fn):
        if isinstance(n, (ast.For, ast.While)) and n.orelse:
            # as TF 2.21, which then runs the function as written
            kind = "for" if isinstance(n, ast.For) else "while"
            raise NotImplementedError(f"{kind}/else statement not yet supported")
    # nested functions first: each is a scope of its own
    for n in _walk_stmt_list(fn.body):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n is not fn:
            convert_function(n, top=False, features=features)
    jumps = _Jumps()
    fn.body = move_after_returns(fn.body)
    lower_loop_jumps(fn.body, jumps, taken)
    lower_returns(fn, jumps, taken)
    first = params[0] if fn.args.posonlyargs + fn.args.args else None
    fn.body = [_Expressions(first, features).visit(s) for s in fn.body]
    _live_block(fn.body, set())
    # variables of enclosing scopes (nonlocal, global) already have a value
    _defined_block(fn.body, set(params) | nonlocal_names | global_names)
    cf = _ControlFlow(taken, global_names, set(params))
    fn.body = cf.block(fn.body)
    if cf.undefined:
        fn.body = [_GuardedLoads(cf.undefined).visit(s) for s in fn.body]
    if not top:
        fn.decorator_list = [_Expressions(None, features).visit(d)
                             for d in fn.decorator_list]
    return fn


def _walk_stmt_list(stmts):
    """Nodes of a function body, entering nested functions' bodies once (their defs are
    yielded, not their contents)."""
    for s in stmts:
        stack = [s]
        while stack:
            n = stack.pop()
            yield n
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                              ast.Lambda)):
                continue
            stack.extend(ast.iter_child_nodes(n))
