"""Push the published graphs to a remote triple store, idempotently. No Flask here.

Two ways in, both replace each graph whole, so running a load twice leaves the store as one load did:

* Graph Store Protocol (``--graph-store URL``): one HTTP ``PUT URL?graph=<iri>`` per graph; PUT replaces.
* SPARQL Update (otherwise): ``DROP SILENT GRAPH <g>`` then ``INSERT DATA`` in chunks, so that stores with
  a statement size limit (Virtuoso) accept them. Triples that share blank nodes stay in one chunk, and
  such chunks use ``INSERT {…} WHERE {}``, because Virtuoso refuses blank nodes in ``INSERT DATA``.

Requests go through urllib with both Basic and Digest handlers, so the store's challenge picks the
scheme (Virtuoso's ``/sparql-auth`` wants Digest), and nothing is installed process-wide. After the
push, the triples per graph are counted through the query endpoint and compared with what was sent.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import SourceError, StoreError
from ..rdf.formats import PARSE_FORMATS
from ..rdf.queries import iri_ref
from ..rdf.sources import Sources

log = logging.getLogger(__name__)

#: Triples per SPARQL Update request: Virtuoso turns each into SQL and limits its size.
CHUNK_TRIPLES = 2000
#: …and bytes per request, for graphs with long literals.
CHUNK_BYTES = 512 * 1024
USER_AGENT = "oms-ld-loader"


@dataclass(frozen=True)
class Target:
    """Where to load: the query endpoint (for checking), and the update or Graph Store endpoint."""

    endpoint: str
    update_endpoint: str = ""
    graph_store: str = ""
    user: str = ""
    password: str = ""
    timeout: float = 60.0


def collect_graphs(
    sources: Sources, graphs: Mapping[str, str], extra: Mapping[str, str] | None = None
) -> dict[str, list[ox.Triple]]:
    """The triples to publish per graph IRI: the content groups (`graphs`: group → IRI) and `extra` files.

    Files are parsed natively, as the embedded store loads them, so every backend holds the same terms.
    """
    loaded: dict[str, list[ox.Triple]] = {}
    named = [(graphs[group], path) for group, files in sources.files.items() for path in files]
    for iri, path in [*named, *((iri, Path(file)) for iri, file in (extra or {}).items())]:
        try:
            quads = ox.parse(path=str(path), format=PARSE_FORMATS[path.suffix])
            loaded.setdefault(iri, []).extend(dict.fromkeys(q.triple for q in quads))
        except (KeyError, OSError, SyntaxError) as exc:
            raise SourceError(f"{path}: cannot load: {exc}") from exc
    return {iri: list(dict.fromkeys(triples)) for iri, triples in loaded.items()}


def _blank_nodes(triple: ox.Triple) -> list[str]:
    return [term.value for term in (triple.subject, triple.object) if isinstance(term, ox.BlankNode)]


def chunks(
    triples: Sequence[ox.Triple], size: int = CHUNK_TRIPLES, max_bytes: int = CHUNK_BYTES
) -> list[list[ox.Triple]]:
    """Split `triples` into chunks of about `size` triples (and `max_bytes`), never splitting a blank node.

    Triples connected through blank nodes form one unit (a blank node label only means the same node
    within one request), so a unit larger than `size` makes one larger chunk.
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        nodes = _blank_nodes(triple)
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    units: dict[str, list[ox.Triple]] = {}
    ordered: list[list[ox.Triple]] = []
    for triple in triples:
        nodes = _blank_nodes(triple)
        if not nodes:
            ordered.append([triple])
            continue
        key = root(nodes[0])
        if key not in units:
            units[key] = []
            ordered.append(units[key])
        units[key].append(triple)
    result: list[list[ox.Triple]] = []
    current: list[ox.Triple] = []
    current_bytes = 0
    for unit in ordered:
        unit_bytes = sum(len(str(t)) for t in unit)
        if current and (len(current) + len(unit) > size or current_bytes + unit_bytes > max_bytes):
            result.append(current)
            current, current_bytes = [], 0
        current.extend(unit)
        current_bytes += unit_bytes
    if current:
        result.append(current)
    return result


def update_requests(graph: str, triples: Sequence[ox.Triple], size: int = CHUNK_TRIPLES) -> Iterator[str]:
    """The SPARQL Update requests that replace `graph` with `triples`: the first one also drops the graph."""
    g = iri_ref(graph)
    prefix = f"DROP SILENT GRAPH {g} ;\n"
    parts = chunks(triples, size)
    if not parts:
        yield prefix.removesuffix(" ;\n")
    for part in parts:
        body = "\n".join(f"{t} ." for t in part)
        if any(_blank_nodes(t) for t in part):
            yield f"{prefix}INSERT {{ GRAPH {g} {{\n{body}\n}} }} WHERE {{}}"
        else:
            yield f"{prefix}INSERT DATA {{ GRAPH {g} {{\n{body}\n}} }}"
        prefix = ""


class _Http:
    """urllib with Basic and Digest credentials for every URL of the target (chosen by the challenge)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        handlers: list[urllib.request.BaseHandler] = []
        if target.user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (target.endpoint, target.update_endpoint, target.graph_store):
                if url:
                    passwords.add_password(None, url, target.user, target.password)
            handlers = [urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def send(self, method: str, url: str, body: bytes, content_type: str, accept: str = "*/*") -> bytes:
        """One request; any failure (unreachable, timeout, non-2xx) becomes a StoreError naming the URL."""
        request = urllib.request.Request(url, data=body, method=method)
        request.add_header("Content-Type", content_type)
        request.add_header("Accept", accept)
        request.add_header("User-Agent", USER_AGENT)
        try:
            with self._opener.open(request, timeout=self.target.timeout) as response:
                answer: bytes = response.read()
                return answer
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read(600).decode("utf-8", "replace").split())
            raise StoreError(f"{method} {url} answered {exc.code} {exc.reason}: {detail}") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach {url}: {reason}") from exc


def push(target: Target, graphs: Mapping[str, Sequence[ox.Triple]], *, chunk_size: int = CHUNK_TRIPLES) -> None:
    """Replace each graph in the store with its triples (Graph Store PUT when configured, else SPARQL Update).

    Raises:
        StoreError: the store is unreachable or refused a request (the message names which).
    """
    http = _Http(target)
    for graph, triples in graphs.items():
        if target.graph_store:
            separator = "&" if "?" in target.graph_store else "?"
            url = f"{target.graph_store}{separator}{urllib.parse.urlencode({'graph': graph})}"
            # N-Triples is a subset of Turtle; text/turtle is the type every Graph Store accepts.
            http.send("PUT", url, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", "text/turtle")
            log.info("PUT %d triples to %s", len(triples), graph)
            continue
        url = target.update_endpoint or target.endpoint
        for update in update_requests(graph, triples, chunk_size):
            form = urllib.parse.urlencode({"update": update}).encode("ascii")
            http.send("POST", url, form, "application/x-www-form-urlencoded; charset=utf-8")
        log.info("inserted %d triples into %s", len(triples), graph)


def graph_sizes(target: Target, graphs: Sequence[str]) -> dict[str, int]:
    """Triples per graph, as the store's query endpoint counts them.

    Raises:
        StoreError: unreachable, or an answer that is not a SPARQL JSON count.
    """
    http = _Http(target)
    sizes: dict[str, int] = {}
    for graph in graphs:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }}"
        body = urllib.parse.urlencode({"query": query}).encode("ascii")
        answer = http.send("POST", target.endpoint, body, "application/x-www-form-urlencoded",
                           "application/sparql-results+json")  # fmt: skip
        try:
            bindings = json.loads(answer)["results"]["bindings"]
            sizes[graph] = int(bindings[0]["n"]["value"]) if bindings else 0
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise StoreError(f"{target.endpoint} sent an unreadable count for {graph}: {answer[:200]!r}") from exc
    return sizes


def load(
    target: Target, graphs: Mapping[str, Sequence[ox.Triple]], *, chunk_size: int = CHUNK_TRIPLES
) -> dict[str, int]:
    """Push `graphs`, then check that the store holds exactly as many triples per graph; return the counts.

    Raises:
        StoreError: a request failed, or the store holds a different number of triples than was sent.
    """
    push(target, graphs, chunk_size=chunk_size)
    sizes = graph_sizes(target, list(graphs))
    for graph, triples in graphs.items():
        if sizes[graph] != len(triples):
            raise StoreError(f"after loading, {graph} holds {sizes[graph]} triples in the store, not {len(triples)}")
    return sizes
