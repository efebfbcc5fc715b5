"""The import structure: no loop between our modules, imports pointing one way (bot -> index -> corpus ->
the ground floor), and no import by a computed name.

Why a test: the layering is what lets a newcomer read one folder without the ones above it, and loops
and upward imports creep back one convenient ``import`` at a time. Every import counts, at module level,
inside functions and under ``TYPE_CHECKING`` (a dependency of types is still a dependency); the only
edges left out are a package ``__init__`` importing its own submodules (re-exporting them is fine).
Reproduce a finding with ``python3 -m pytest tests/test_layers.py -q``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Rank of each top-level package: a module may import its own rank or lower, never higher.
LAYERS = {"thaigov_qa": 0, "corpus": 1, "index": 2, "bot": 3}
TOP = 4
#: The command line and the operator's tools are their own top-level package, ``thaigov_app`` (a package
#: this table does not know is "top"); ``thaigov_qa`` is the ground floor (settings, errors, db, schema...)
#: with no exception: ``python3 -m thaigov_app`` is the module entry point.
TOP_MODULES: tuple[str, ...] = ()
#: Order inside ``index``: the tokeniser and the evaluation measures at the bottom, then building,
#: searching (reads what a build wrote), answering, rendering and follow-ups, and the CLI on top.
INDEX_LAYERS = {
    "index.lexical": 0,
    "index.evaluate": 0,
    "index.build": 1,
    "index.search": 2,
    "index.answer": 3,
    "index.reply": 4,
    "index.conversation": 4,
    "index.cli": 5,
}
#: Folders at the top of the repository that are not part of the product.
NOT_PRODUCT = {"tests", "bench", "eval", "docs", "build", "dist"}


def _packages() -> list[str]:
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if p.is_dir()
        and (p / "__init__.py").is_file()
        and p.name not in NOT_PRODUCT
        and not p.name.startswith(".")
    )


def _modules() -> dict[str, Path]:
    """Every module of our packages: dotted name -> file (a package is named by its ``__init__``)."""
    found: dict[str, Path] = {}
    for package in _packages():
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()
OURS = set(_packages())


def _resolve(name: str) -> str | None:
    """The module of ours ``name`` refers to (``a.b.c`` may be the attribute ``c`` of module ``a.b``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _computed_import(call: ast.Call) -> str | None:
    """For ``importlib.import_module(...)`` or ``__import__(...)``: the literal name, or "" if computed."""
    func = call.func
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if called not in ("import_module", "__import__"):
        return None
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return ""


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported name, line) for every import of ``module``; "" for an import by a computed name."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from pkg import mod`` imports the submodule; ``from mod import name`` the module.
                yield (f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base), node.lineno
        elif isinstance(node, ast.Call):
            literal = _computed_import(node)
            if literal is not None:
                yield literal, node.lineno


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    """Edges between our modules, and the imports by computed name found on the way."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    computed: list[str] = []
    for module, path in MODULES.items():
        is_package = path.name == "__init__.py"
        for name, line in _imports(module, path):
            if name == "":
                computed.append(f"{path.relative_to(ROOT)}:{line}")
                continue
            target = _resolve(name)
            if target is None or target == module:
                continue
            if is_package and target.startswith(module + "."):
                continue  # a package's __init__ re-exporting its own submodules
            edges[module].add(target)
    return edges, computed


EDGES, COMPUTED = _graph()


def _rank(module: str) -> int:
    if module in TOP_MODULES or module.startswith(tuple(m + "." for m in TOP_MODULES)):
        return TOP
    return LAYERS.get(module.split(".")[0], TOP)


def _index_rank(module: str) -> int | None:
    for prefix, rank in INDEX_LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return rank
    return None


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_walk_sees_the_product() -> None:
    """Guard against a walk that finds nothing (and so passes): the known packages and edges are there."""
    assert {"thaigov_qa", "thaigov_app", "corpus", "index", "bot"} <= OURS
    assert "index.search.retrieve" in EDGES["index.answer.answerer"]  # under TYPE_CHECKING
    assert "index.build.pipeline" in EDGES["bot.admin"]  # inside a function


def test_no_import_loop() -> None:
    loops = _cycles(EDGES)
    assert not loops, "import loops between our modules:\n" + "\n".join(" <-> ".join(c) for c in loops)


def test_imports_point_down() -> None:
    upward = []
    for module, targets in sorted(EDGES.items()):
        for target in sorted(targets):
            if _rank(target) > _rank(module):
                upward.append(f"{module} -> {target}")
            mine, theirs = _index_rank(module), _index_rank(target)
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{module} -> {target} (inside index)")
    assert not upward, "upward imports (bot -> index -> corpus -> ground floor):\n" + "\n".join(upward)


def test_no_import_by_computed_name() -> None:
    assert not COMPUTED, "imports by a computed name (importlib / __import__): " + ", ".join(COMPUTED)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import importlib\nimportlib.import_module(name)\n", [""]),
        ("__import__('corpus.text')\n", ["corpus.text"]),
        ("from importlib import import_module\nimport_module(f'{p}.cli')\n", ["importlib", ""]),
    ],
)
def test_computed_imports_are_recognised(tmp_path: Path, source: str, expected: list[str]) -> None:
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    assert [name for name, _ in _imports("probe", path) if name != "importlib"] == [
        e for e in expected if e != "importlib"
    ]


def test_a_loop_is_found() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
