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


# --- Tests do not time anything: a result that depends on the machine's speed is no result.

TESTS = ROOT / "tests"
#: The clocks of the `time` module: code that reads one is measuring a duration.
CLOCKS = {f"{name}{ns}" for name in ("monotonic", "perf_counter", "time", "process_time", "thread_time",
                                     "clock_gettime") for ns in ("", "_ns")}  # fmt: skip
#: The one place that may read a clock: the polling helper, to bound how long it waits (not to time a result).
CLOCK_ALLOWED = ("tests/polling.py", "wait_until")


def _name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else ""


def clock_reads(source: str) -> list[tuple[int, str, str]]:
    """Every use of a clock in `source`, by the grammar: (line, outermost function or "", the clock).

    Sees `time.monotonic()`, `import time as t; t.perf_counter`, `from time import monotonic as m`
    (the import itself counts) and a clock passed around uncalled (`clock = time.time`).
    """
    tree = ast.parse(source)
    modules: set[str] = set()  # names bound to the time module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.asname or alias.name for alias in node.names if alias.name == "time")
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if not function and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if isinstance(child, ast.ImportFrom) and child.module == "time" and not child.level:
                found.extend((child.lineno, inner, a.name) for a in child.names if a.name in CLOCKS or a.name == "*")
            elif isinstance(child, ast.Attribute) and child.attr in CLOCKS and _name(child.value) in modules:
                found.append((child.lineno, inner, child.attr))  # time.monotonic, t.perf_counter
            visit(child, inner)

    visit(tree, "")
    return found


def test_nothing_in_tests_reads_a_clock() -> None:
    """Issue #12: nothing in tests/ times anything. Waits go through tests/polling.py's wait_until."""
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        for line, function, clock in clock_reads(path.read_text(encoding="utf-8")):
            if (where, function) != CLOCK_ALLOWED:
                offenders.append(f"{where}:{line} ({function or 'module level'}) reads time.{clock}")
    assert not offenders, "tests must not time anything; poll with tests.polling.wait_until:\n" + "\n".join(offenders)


def test_the_clock_check_sees_every_way_to_read_a_clock() -> None:
    source = """
import time
import time as t
from time import monotonic as m, sleep
from time import perf_counter_ns

def f():
    import time as clock
    started = time.monotonic()
    clock.process_time()
    now = t.time
    time.sleep(0.1)
    def inner():
        return time.perf_counter()
    return m() - started
"""
    assert sorted(clock_reads(source)) == [
        (4, "", "monotonic"), (5, "", "perf_counter_ns"), (9, "f", "monotonic"), (10, "f", "process_time"),
        (11, "f", "time"), (14, "f", "perf_counter"),
    ]  # fmt: skip
    polling = TESTS / "polling.py"
    reads = clock_reads(polling.read_text(encoding="utf-8"))
    assert reads and {function for _, function, _ in reads} == {CLOCK_ALLOWED[1]}  # the helper is seen, and allowed
