"""The folders are the architecture: imports point one way, and Flask lives only at the web edge.

rdf (pure RDF and SPARQL) < store (the Store seam) < publishing (what a release holds) < web (HTTP)
< app (the factory) < export < the commands. `errors` and `config` are the foundation every layer
may use. Every import counts: module level, inside functions, and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "oms_ld"
#: The layer of each module, by dotted-name prefix (longest prefix wins).
LAYERS = {
    "oms_ld.errors": 0,
    "oms_ld.config": 0,
    "oms_ld.rdf": 1,
    "oms_ld.store": 2,
    "oms_ld.publishing": 3,
    "oms_ld.web": 4,
    "oms_ld.app": 5,
    "oms_ld.export": 6,
    "oms_ld.server": 7,
    "oms_ld.cli": 8,
    "oms_ld.__main__": 9,
    "oms_ld": 9,
}
#: Packages that belong to HTTP: only the web edge and the app factory may import them.
WEB_ONLY = ("flask", "werkzeug", "jinja2", "markupsafe", "flask_cors")
WEB_ALLOWED = ("oms_ld.web", "oms_ld.app")
#: Modules stay readable: a module past this many lines should be split.
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """Every module `name` imports (absolute names), wherever in the file the import stands."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target)
    return found


def layer(name: str) -> int:
    prefix = max((p for p in LAYERS if name == p or name.startswith(p + ".")), key=len)
    return LAYERS[prefix]


def test_every_module_has_a_layer() -> None:
    assert all(layer(name) >= 0 for name in MODULES)
    assert {"oms_ld.rdf.uris", "oms_ld.store.base", "oms_ld.publishing.publication", "oms_ld.web.http"} <= set(MODULES)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_the_layers(name: str) -> None:
    ours = {i for i in imports(name) if i == "oms_ld" or i.startswith("oms_ld.")}
    upward = sorted(i for i in ours if layer(i) > layer(name) and not (name == "oms_ld" and i == "oms_ld.app"))
    assert not upward, f"{name} (layer {layer(name)}) imports {upward}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_http_libraries_stay_at_the_web_edge(name: str) -> None:
    if name.startswith(WEB_ALLOWED):
        return
    web = sorted(i for i in imports(name) if i.split(".")[0] in WEB_ONLY)
    assert not web, f"{name} imports {web}: only web/ and the app factory may"


def test_no_import_cycles() -> None:
    graph = {name: {i for i in imports(name) if i in MODULES and i != name} for name in MODULES}
    # A package's __init__ is imported with each of its modules; that edge is not a dependency.
    for name, deps in graph.items():
        deps.difference_update(p for p in list(deps) if name.startswith(p + "."))
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep) :] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines (split it: at most {MAX_LINES})"


def test_the_layering_test_sees_function_local_imports() -> None:
    assert "oms_ld.web" in imports("oms_ld.app")  # imported inside create_app
