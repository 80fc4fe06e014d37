"""`oms-ld load`: chunking, the exit codes, and idempotent loading both ways into a fresh Oxigraph server.

The session's Virtuoso is loaded by `oms-ld load` itself (tests/backends.py), and test_backends.py
checks what it holds; here a read-write Oxigraph server of its own is loaded twice each way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from oms_ld.config import load_settings
from oms_ld.rdf.sources import load_sources
from oms_ld.store.loader import Target, chunks, collect_graphs, load, update_requests

from ..backends import Server, free_port, launch, program, stop_process
from ..conftest import FIXTURES, GRAPHS, ROOT, need

EX = "http://example.org/"


def triple(s: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.Triple:
    subject = ox.BlankNode(s[2:]) if s.startswith("_:") else ox.NamedNode(EX + s)
    return ox.Triple(subject, ox.NamedNode(EX + "p"), o)


def test_chunks_keep_blank_node_structures_whole() -> None:
    plain = [triple(f"s{i}", ox.Literal(str(i))) for i in range(10)]
    listed = [triple("_:a", ox.BlankNode("b")), triple("_:b", ox.BlankNode("c")), triple("_:c", ox.Literal("end"))]
    parts = chunks(plain[:5] + listed + plain[5:], size=4)
    assert sum(len(p) for p in parts) == 13
    holding = [p for p in parts if any(t in p for t in listed)]
    assert len(holding) == 1 and all(t in holding[0] for t in listed)
    assert all(len(p) <= 4 for p in parts if p is not holding[0])


def test_chunks_respect_the_byte_bound() -> None:
    long = [triple(f"s{i}", ox.Literal("x" * 1000)) for i in range(10)]
    assert all(len(p) <= 3 for p in chunks(long, size=100, max_bytes=3500))


def test_update_requests_replace_the_graph() -> None:
    g = EX + "g"
    requests = list(update_requests(g, [triple("a", ox.Literal("å\n\"")), triple("_:x", ox.Literal("1"))], size=1))
    assert requests[0].startswith(f"DROP SILENT GRAPH <{g}> ;\nINSERT DATA {{ GRAPH <{g}> {{")
    assert '"å\\n\\""' in requests[0]
    assert requests[1].startswith(f"INSERT {{ GRAPH <{g}> {{") and requests[1].endswith("WHERE {}")
    assert "DROP" not in requests[1]  # blank nodes: Virtuoso refuses them in INSERT DATA
    assert list(update_requests(g, [])) == [f"DROP SILENT GRAPH <{g}>"]


def oms_ld(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oms_ld", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)  # fmt: skip


def test_load_refuses_data_that_does_not_conform(tmp_path: Path) -> None:
    """Exit 1 with the report, before any request (the endpoint is closed: that would be exit 2)."""
    (tmp_path / "bad.ttl").write_bytes((FIXTURES / "invalid" / "label-missing-en.ttl").read_bytes())
    env = {**os.environ, "OMS_LD_DATA_DIR": str(tmp_path)}
    run = oms_ld("load", "--endpoint", f"http://127.0.0.1:{free_port()}/sparql", env=env)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Does not conform" in run.stdout and "nothing was loaded" in run.stderr


def test_load_into_an_unreachable_store_exits_2() -> None:
    run = oms_ld("load", "--endpoint", f"http://127.0.0.1:{free_port()}/sparql", "--timeout", "2")
    assert run.returncode == 2, run.stdout + run.stderr
    assert "cannot reach http://127.0.0.1:" in run.stderr


@pytest.fixture(scope="module")
def writable_oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A read-write Oxigraph server of this module's own."""
    binary = program("oxigraph")
    need(binary is not None, "oxigraph is not installed: pip install oxigraph (the test extras)")
    assert binary is not None
    workdir = tmp_path_factory.mktemp("oxigraph-rw")
    port = free_port()
    args = [binary, "serve", "--location", str(workdir / "db"), "--bind", f"127.0.0.1:{port}"]
    server = launch("oxigraph-rw", args, workdir, f"http://127.0.0.1:{port}/query")
    yield server
    stop_process(server.process)


def stored_graph(endpoint: str, graph: str) -> Graph:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(f"{endpoint}?{urllib.parse.urlencode({'query': query})}",
                                     headers={"Accept": "application/n-triples"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return Graph().parse(data=response.read(), format="nt")


def local_graph(triples: list[ox.Triple]) -> Graph:
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


@pytest.mark.parametrize("way", ["graph-store", "update"])
def test_loading_twice_leaves_what_one_load_left(writable_oxigraph: Server, way: str) -> None:
    base = writable_oxigraph.endpoint.removesuffix("/query")
    if way == "graph-store":
        target = Target(endpoint=f"{base}/query", graph_store=f"{base}/store")
    else:
        target = Target(endpoint=f"{base}/query", update_endpoint=f"{base}/update")
    config = load_settings()
    graphs = collect_graphs(load_sources(config), GRAPHS)
    first = load(target, graphs, chunk_size=150)
    second = load(target, graphs, chunk_size=150)
    assert first == second == {g: len(t) for g, t in graphs.items()}
    for graph, triples in graphs.items():
        assert isomorphic(stored_graph(target.endpoint, graph), local_graph(triples)), graph
