"""Derive, from the code itself, the problem `code`s each API operation can answer (SPEC §10).

`make contract` (python -m tools.problem_codes) rewrites interface/problem_codes.py; a test checks that the
file is what this derivation gives today, and the API's own test runs check every problem it answers against
it (interface.errors). The OpenAPI document lists each operation's codes from that table.

How: mypy type-checks domain, application, projections and interface and resolves every name and attribute
to what it refers to (`claim.accept` → domain.claim.decision.ClaimDecision.accept), so the call graph follows
methods through the aggregates and their mixins. Python's own syntax tree gives each function's calls; a
call that builds a DomainError raises its `code` (a literal, a value typed `Literal[...]`, or the function's
own `code` parameter, whose callers then raise the codes they pass), or the class's default. An operation
answers the codes of everything its handler reaches. A function reached only through a table built at import
time is not followed: the test runs catch such a code the first time a test provokes it.
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mypy import build
from mypy.find_sources import create_source_list
from mypy.nodes import ClassDef, Decorator, FuncDef, OverloadedFuncDef, RefExpr, TypeInfo
from mypy.options import Options
from mypy.traverser import NameAndMemberCollector
from mypy.types import CallableType, LiteralType, Type, UnionType, get_proper_type

from domain.errors import DomainError, InvalidValue, NotFound

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "application", "projections", "interface")
TABLE = ROOT / "interface" / "problem_codes.py"

Span = tuple[int, int, int, int]


@dataclass
class Function:
    """One function (or method) of ours: what its names resolve to and the codes it raises itself."""

    fullname: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    targets: dict[Span, str] = field(default_factory=dict)
    literals: dict[Span, tuple[str, ...]] = field(default_factory=dict)
    codes: set[tuple[int, str]] = field(default_factory=set)
    #: the parameter whose value it raises as a code (name, position), and the status it raises it with
    passes: tuple[str, int, int] | None = None
    #: `except DomainError as e: raise InvalidValue(..., code=e.code)`: the status, and what the `try` calls
    relabels: list[tuple[int, set[str], set[int] | None]] = field(default_factory=list)


def _span(node: Any) -> Span:
    return (node.line, node.column, node.end_line or -1, node.end_column or -1)


def _ast_span(node: ast.expr) -> Span:
    return (node.lineno, node.col_offset, node.end_lineno or -1, node.end_col_offset or -1)


def _literals(typ: Type | None) -> tuple[str, ...]:
    proper = get_proper_type(typ) if typ is not None else None
    if isinstance(proper, LiteralType) and isinstance(proper.value, str):
        return (proper.value,)
    if isinstance(proper, UnionType):
        found = [_literals(item) for item in proper.items]
        return tuple(v for values in found for v in values)
    return ()


def _target(ref: Any, typ: Type | None) -> str | None:
    if isinstance(ref, RefExpr):
        node = ref.node
        if isinstance(node, FuncDef | Decorator | OverloadedFuncDef | TypeInfo):
            return node.fullname
    proper = get_proper_type(typ) if typ is not None else None
    if isinstance(proper, CallableType) and proper.definition is not None:
        return proper.definition.fullname
    return None


def _mypy_functions(defs: list[Any]) -> Iterator[FuncDef]:
    for node in defs:
        if isinstance(node, Decorator):
            node = node.func
        if isinstance(node, FuncDef):
            yield node
        elif isinstance(node, OverloadedFuncDef) and isinstance(node.impl, Decorator | FuncDef):
            yield node.impl.func if isinstance(node.impl, Decorator) else node.impl
        elif isinstance(node, ClassDef):
            yield from _mypy_functions(node.defs.body)


def _ast_functions(tree: ast.Module) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Each top-level function and method by the line of its `def` (mypy's line for it)."""
    found: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found[node.lineno] = node
            elif isinstance(node, ast.ClassDef):
                visit(node.body)

    visit(tree.body)
    return found


def analyse() -> dict[str, Function]:
    """Type-check our packages and read every function's references (about 20 s)."""
    options = Options()
    options.export_types = True
    options.preserve_asts = True
    options.incremental = False
    options.follow_imports = "silent"
    options.python_version = sys.version_info[:2]
    options.namespace_packages = True
    sources = create_source_list([str(ROOT / p) for p in PACKAGES], options)
    result = build.build(sources, options)
    functions: dict[str, Function] = {}
    for module, state in result.graph.items():
        if not module.startswith(PACKAGES) or state.tree is None or state.path is None:
            continue
        if not state.path.endswith(".py"):  # a folder of templates or assets, read as a namespace package
            continue
        by_line = _ast_functions(ast.parse(Path(state.path).read_text(encoding="utf-8")))
        for definition in _mypy_functions(state.tree.defs):
            node = by_line.get(definition.line)
            if node is None or node.name != definition.name:  # a method a plugin made (a dataclass's __init__)
                continue
            function = Function(definition.fullname, node)
            collector = NameAndMemberCollector()
            definition.accept(collector)
            for expr in [*collector.name_exprs, *collector.member_exprs]:
                typ = result.types.get(expr)
                target = _target(expr, typ)
                if target is not None:
                    function.targets[_span(expr)] = target
                if values := _literals(typ):
                    function.literals[_span(expr)] = values
            functions[function.fullname] = function
    return functions


def _error_class(fullname: str) -> type[DomainError] | None:
    module, _, name = fullname.rpartition(".")
    if not module.startswith(PACKAGES):
        return None
    try:
        candidate = getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None
    return candidate if isinstance(candidate, type) and issubclass(candidate, DomainError) else None


def status_of(error: type[DomainError]) -> int:
    """The HTTP status interface.errors answers an error with."""
    if issubclass(error, InvalidValue):
        return 422
    if issubclass(error, NotFound):
        return 404
    return int(getattr(error, "status", 409))


def _calls(function: Function) -> Iterator[tuple[ast.Call, str]]:
    for node in ast.walk(function.node):
        if isinstance(node, ast.Call):
            target = function.targets.get(_ast_span(node.func))
            if target is not None:
                yield node, target


def _argument(call: ast.Call, name: str, position: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if position < len(call.args) else None


def _values(function: Function, value: ast.expr) -> tuple[str, ...]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return (value.value,)
    return function.literals.get(_ast_span(value), ())


def _caught(function: Function, name: str) -> tuple[set[str], set[int] | None]:
    """What the `try` calls whose `except … as name` handler raises again with `name.code`, and the statuses
    of the errors the handler catches (None: any)."""
    for node in ast.walk(function.node):
        if not isinstance(node, ast.Try):
            continue
        for handler in node.handlers:
            if handler.name != name:
                continue
            inner = [c for stmt in node.body for c in ast.walk(stmt) if isinstance(c, ast.Call)]
            tried = {t for c in inner if (t := function.targets.get(_ast_span(c.func))) is not None}
            caught = function.targets.get(_ast_span(handler.type)) if handler.type is not None else None
            error = _error_class(caught) if caught is not None else None
            statuses = None if error is None or error is DomainError else {status_of(error)}
            return tried, statuses
    return set(), None


def _raises(function: Function) -> None:
    """The codes a function raises itself, and whether it raises a code its caller passes."""
    parameters = [a.arg for a in [*function.node.args.posonlyargs, *function.node.args.args]]
    defaults = dict(zip(reversed(parameters), reversed(function.node.args.defaults)))
    for call, target in _calls(function):
        error = _error_class(target)
        if error is None:
            continue
        status = status_of(error)
        value = _argument(call, "code", 99)
        if value is None:
            function.codes.add((status, error.code))
        elif isinstance(value, ast.Attribute) and value.attr == "code" and isinstance(value.value, ast.Name):
            function.relabels.append((status, *_caught(function, value.value.id)))
        elif isinstance(value, ast.Name) and value.id in parameters:
            function.passes = (value.id, parameters.index(value.id), status)
            if (default := defaults.get(value.id)) is not None:
                function.codes.update((status, code) for code in _values(function, default))
        else:
            function.codes.update((status, code) for code in _values(function, value))


def _passed(functions: dict[str, Function], function: Function) -> None:
    """The codes a function passes to one that raises what it is given."""
    for call, target in _calls(function):
        callee = functions.get(target)
        if callee is None or callee.passes is None:
            continue
        name, position, status = callee.passes
        method = isinstance(call.func, ast.Attribute) and callee.node.args.args[:1] != []
        offset = 1 if method and callee.node.args.args[0].arg in ("self", "cls") else 0
        value = _argument(call, name, position - offset)
        if value is not None:
            function.codes.update((status, code) for code in _values(function, value))


def reachable_codes(functions: dict[str, Function]) -> dict[str, set[tuple[int, str]]]:
    """Each function's codes with those of everything it reaches (a fixpoint over the call graph)."""
    for function in functions.values():
        _raises(function)
    for function in functions.values():
        _passed(functions, function)
    edges = {name: {t for t in f.targets.values() if t in functions and t != name} for name, f in functions.items()}
    codes = {name: set(f.codes) for name, f in functions.items()}
    while True:
        _close(codes, edges)
        before = sum(len(found) for found in codes.values())
        for name, function in functions.items():
            for status, tried, caught in function.relabels:
                found = {found for t in tried for found in codes.get(t, set())}
                codes[name] |= {(status, code) for was, code in found if caught is None or was in caught}
        if sum(len(found) for found in codes.values()) == before:
            return codes


def _close(codes: dict[str, set[tuple[int, str]]], edges: dict[str, set[str]]) -> None:
    changed = True
    while changed:
        changed = False
        for name, callees in edges.items():
            before = len(codes[name])
            for callee in callees:
                codes[name] |= codes[callee]
            changed = changed or len(codes[name]) != before


def operations() -> dict[str, str]:
    """Each API operation's handler: its full name → "METHOD /path"."""
    from litestar import Litestar
    from litestar.di import Provide

    from interface.app import CONTROLLERS
    from interface.errors import handler_name

    app = Litestar(
        route_handlers=list(CONTROLLERS), dependencies={"services": Provide(lambda: None, sync_to_thread=False)}
    )
    found: dict[str, str] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                if method not in ("HEAD", "OPTIONS"):
                    found[handler_name(handler)] = f"{method} {route.path}"
    return found


def table() -> dict[str, dict[int, tuple[str, ...]]]:
    """Each operation's handler → status → the codes it can answer (403, 404, 409, 422)."""
    functions = analyse()
    codes = reachable_codes(functions)
    answer: dict[str, dict[int, tuple[str, ...]]] = {}
    for handler in sorted(operations()):
        found = codes.get(handler, set())
        statuses = sorted({status for status, _ in found})
        answer[handler] = {s: tuple(sorted(code for status, code in found if status == s)) for s in statuses}
    return answer


def render(codes: dict[str, dict[int, tuple[str, ...]]]) -> str:
    lines = [
        '"""The problem `code`s each API operation can answer, by its handler and status. Generated by',
        "`make contract` (tools/problem_codes.py) from the code: do not edit; tests/api/test_problem_codes.py",
        'checks it is current."""',
        "",
        "CODES: dict[str, dict[int, tuple[str, ...]]] = {",
    ]
    for handler, statuses in codes.items():
        lines.append(f"    {handler!r}: {{")
        for status, names in statuses.items():
            joined = "".join(f"{name!r}, " for name in names)
            lines.append(f"        {status}: ({joined.rstrip()}),")
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines).replace("'", '"') + "\n"


def main() -> None:
    TABLE.write_text(render(table()), encoding="utf-8")
    print(f"wrote {TABLE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
