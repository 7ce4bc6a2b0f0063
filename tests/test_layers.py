"""Layers point one way: domain <- application <- projections <- interface, and no import circles.

Every module of the four packages is parsed (not imported), so an import inside a function or under
`if TYPE_CHECKING:` counts for the direction as much as one at the top of the file. For circles, every
import that runs counts (at load or inside a function); one only for the type checker does not (an
event module naming its aggregate in an annotation is the house pattern).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("domain", "application", "projections", "interface")

#: What each layer may not import: the layers above it and, for the domain, web and database libraries.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("application", "projections", "interface", "litestar", "sqlalchemy", "psycopg", "pydantic"),
    "application": ("projections", "interface"),
    "projections": ("interface",),
    "interface": (),
}


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is, and whether it runs when the module is loaded."""

    importer: str
    target: str
    line: int
    runs: str  # "at-load" (module level), "in-function", or "type-checking" (never at run time)
    names: tuple[str, ...] = ()  # `from target import a, b`: a and b may be modules too


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the four layers, by dotted name."""
    return {module_name(p): p for layer in LAYERS for p in sorted((ROOT / layer).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name a `from … import` names (relative imports resolved against `module`)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str, path: Path) -> Iterator[Import]:
    """Every import in the module's source, with the names `from x import y` may mean as modules too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"

    def visit(node: ast.AST, runs: str) -> Iterator[Import]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno, runs)
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            yield Import(module, _resolve(module, is_package, node), node.lineno, runs, names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for child in ast.iter_child_nodes(node):
                yield from visit(child, "type-checking" if runs == "type-checking" else "in-function")
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from visit(child, "type-checking")
            for child in node.orelse:
                yield from visit(child, runs)
        else:
            for child in ast.iter_child_nodes(node):
                yield from visit(child, runs)

    yield from visit(tree, "at-load")


def all_imports() -> list[Import]:
    return [i for name, path in modules().items() for i in imports_of(name, path)]


def layer_violations(imports: list[Import]) -> list[str]:
    """Each import against the direction of the layers, as `importer:line -> target`."""
    found = []
    for i in imports:
        layer = i.importer.split(".")[0]
        top = i.target.split(".")[0]
        if top in FORBIDDEN[layer] and top != layer:
            found.append(f"{i.importer}:{i.line} -> {i.target}")
    return sorted(set(found))


def import_graph(imports: list[Import], known: set[str], runs: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports by the imports that run as `runs` names."""
    graph: dict[str, set[str]] = {m: set() for m in known}
    for i in imports:
        if i.runs not in runs:
            continue
        # `from pkg import mod` imports the module pkg.mod; `from mod import name`, the module mod.
        for target in [f"{i.target}.{n}" for n in i.names if f"{i.target}.{n}" in known] or [i.target]:
            if target in known and target != i.importer:
                graph[i.importer].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def connect(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_every_layer_is_found() -> None:
    names = modules()
    for layer in LAYERS:
        assert layer in names, f"{layer}/__init__.py not found"
    assert len(names) > 100


def test_layers_point_one_way() -> None:
    """domain <- application <- projections <- interface: no import against the direction, anywhere in a file."""
    assert layer_violations(all_imports()) == []


def test_no_import_circles_among_our_modules() -> None:
    """No circle of imports that run, whether at load or inside a function (a function-level import
    hides a circle from the interpreter, not from a reader)."""
    graph = import_graph(all_imports(), set(modules()), runs=("at-load", "in-function"))
    assert cycles(graph) == []


@pytest.mark.parametrize(
    ("importer", "source", "expected"),
    [
        ("domain.values", "def f():\n    from interface import http\n", ["domain.values:2 -> interface"]),
        (
            "domain.values",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sqlalchemy\n",
            ["domain.values:3 -> sqlalchemy"],
        ),
        ("application.app", "from projections.runner import ReadSide\n", ["application.app:1 -> projections.runner"]),
        ("projections.db", "import interface.http\n", ["projections.db:1 -> interface.http"]),
        ("interface.http", "from domain.values import money\nfrom projections import db\n", []),
    ],
)
def test_the_check_sees_an_import_against_the_direction(
    importer: str, source: str, expected: list[str], tmp_path: Path
) -> None:
    """The check itself: an import at any depth of a file is seen, and only forbidden ones are reported."""
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    assert layer_violations(list(imports_of(importer, path))) == expected


def test_the_check_sees_a_circle_through_a_function(tmp_path: Path) -> None:
    """A circle closed by an import inside a function is found; one closed only for the type checker is not."""
    sources = {
        "projections.a": "from projections import b, d\n",
        "projections.b": "def f():\n    import projections.c\n",
        "projections.c": "from projections.a import x\n",
        "projections.d": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from projections import a\n",
    }
    imports: list[Import] = []
    for name, source in sources.items():
        path = tmp_path / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        imports += imports_of(name, path)
    graph = import_graph(imports, set(sources), runs=("at-load", "in-function"))
    assert cycles(graph) == [["projections.a", "projections.b", "projections.c"]]
    assert cycles(import_graph(imports, set(sources), runs=("at-load",))) == []


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return name.startswith("tests.") and (last.startswith("test_") or last == "conftest")


def test_no_module_under_tests_imports_a_test_module_or_a_conftest() -> None:
    """Fixtures live in conftest files (pytest finds them) and helpers in tests.builders: nothing under
    tests/ imports from a test module or a conftest."""
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for i in imports_of(module_name(path), path):
            for target in [i.target, *(f"{i.target}.{n}" for n in i.names)]:
                if _is_test_module(target):
                    found.append(f"{i.importer}:{i.line} -> {target}")
    assert found == []
