"""The import graph of bernoulli/ and ui/: no circles, no private names across modules, and the
library never imports the page (streamlit or ui).

Every import counts: at module level, inside functions and under ``if TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bernoulli", "ui")


def modules(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """Every module of the packages by its dotted name (a package by its own name)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _source(name: str, path: Path, node: ast.ImportFrom) -> str:
    """The dotted module an ImportFrom reads from, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def read_imports(root: Path, packages=PACKAGES):
    """(edges, private uses, every module each one imports) of the packages under root.

    edges: module -> the project's modules it imports. private: (module, what) for each
    ``from x import _y`` or ``x._y`` of another project module. imported: module -> every
    dotted name it imports, the outside world's too.
    """
    mods = modules(root, packages)
    edges, private, imported = {}, [], {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(), str(path))
        out, bound = set(), {}  # bound: local name -> project module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    out.add(alias.name)
                    if alias.asname:
                        bound[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = _source(name, path, node)
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    if full in mods:  # `from package import module`
                        out.add(full)
                        bound[alias.asname or alias.name] = full
                        continue
                    out.add(source)
                    if alias.name.startswith("_") and source in mods and source != name:
                        private.append((name, f"from {source} import {alias.name}"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and bound.get(node.value.id, name) != name
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                private.append((name, f"{bound[node.value.id]}.{node.attr}"))
        imported[name] = out
        edges[name] = {m for m in out if m in mods and m != name}
    return edges, private, imported


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while not part or part[-1] != v:
                part.append(stack.pop())
                on_stack.discard(part[-1])
            if len(part) > 1:
                found.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


GRAPH = read_imports(ROOT)


def test_the_graph_is_read():
    edges, _, imported = GRAPH
    assert "bernoulli.engine.dynamics" in edges["bernoulli.engine.sweep"]
    assert {"bernoulli.cli.challenge", "bernoulli.engine.optimize"} <= edges[
        "bernoulli.cli.commands"
    ]  # (in fit)
    assert "bernoulli.plots.style" in edges["bernoulli.plots.animated"]
    assert "streamlit" in imported["ui.classroom"]
    assert len(edges) > 50


def test_no_import_circles():
    assert cycles(GRAPH[0]) == []


def test_no_private_names_across_modules():
    assert GRAPH[1] == []


@pytest.mark.parametrize(
    "name", sorted(m for m in GRAPH[2] if m.split(".")[0] == "bernoulli"), ids=str
)
def test_the_library_never_imports_the_page(name):
    page = [m for m in GRAPH[2][name] if m.split(".")[0] in ("streamlit", "ui")]
    assert page == []


def test_the_checks_find_a_circle_and_a_private_name(tmp_path):
    package = tmp_path / "bernoulli"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from bernoulli import b\n\n\ndef f():\n    return b._hidden\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .c import C\n_hidden = 1\n"
    )
    (package / "c.py").write_text("def g():\n    from bernoulli.a import _x\n    import ui\n")
    edges, private, imported = read_imports(tmp_path, ("bernoulli",))
    assert cycles(edges) == [["bernoulli.a", "bernoulli.b", "bernoulli.c"]]
    assert private == [
        ("bernoulli.a", "bernoulli.b._hidden"),
        ("bernoulli.c", "from bernoulli.a import _x"),
    ]
    assert "ui" in imported["bernoulli.c"]
