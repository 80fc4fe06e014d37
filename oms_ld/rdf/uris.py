"""The URI policy: the one place the IRIs a deployment mints are made (README, "URI policy").

Vocabulary IRIs (the ÖMS ontology `def/oms#`, its shapes, every reused vocabulary) are constants in
`namespaces`; everything a deployment publishes under its base (things, documents, named graphs,
the dataset, its catalogue and service, downloads) comes from a `UriPolicy` built from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rdflib import Graph, Namespace, URIRef

from .namespaces import PREFIXES, bind_prefixes

#: The groups of content, each loaded into its own named graph.
GROUPS = ("ontology", "data", "shapes")


@dataclass(frozen=True)
class UriPolicy:
    """IRIs under one persistent base; request path `/X` is IRI `{base}X`."""

    base: str

    def __post_init__(self) -> None:
        if not self.base.endswith("/"):
            raise ValueError("a base IRI ends with '/'")

    @cached_property
    def id(self) -> Namespace:
        """Things (not documents): `{base}id/{type}/{slug}`."""
        return Namespace(self.base + "id/")

    @cached_property
    def dataset(self) -> URIRef:
        return self.id["dataset/oms-ld"]

    @cached_property
    def catalog(self) -> URIRef:
        return self.id["catalog/oms-ld"]

    @cached_property
    def sparql_service(self) -> URIRef:
        return self.id["service/sparql"]

    @cached_property
    def sparql(self) -> URIRef:
        """The SPARQL endpoint's URL (also the base IRI that relative IRIs in queries resolve against)."""
        return URIRef(self.base + "sparql")

    @cached_property
    def homepage(self) -> URIRef:
        return URIRef(self.base)

    def download(self, name: str) -> URIRef:
        return URIRef(f"{self.base}download/{name}")

    def graph(self, group: str) -> str:
        """The named graph that content group `group` (ontology, data, shapes) is loaded into."""
        return f"{self.base}graph/{group}"

    @cached_property
    def graphs(self) -> dict[str, str]:
        """Content group → named graph IRI."""
        return {group: self.graph(group) for group in GROUPS}

    @cached_property
    def default_graphs(self) -> tuple[str, str]:
        """The graphs merged into the SPARQL default graph: the data and the ontology."""
        return (self.graphs["data"], self.graphs["ontology"])

    def document(self, thing: str) -> str:
        """The document about a thing: `{base}id/X` → `{base}doc/X`."""
        return thing.replace(f"{self.base}id/", f"{self.base}doc/", 1)

    def path(self, iri: str) -> str | None:
        """The site path serving `iri` (None for an IRI outside the base)."""
        return "/" + iri[len(self.base) :] if iri.startswith(self.base) else None

    def href(self, iri: str) -> tuple[str | None, bool]:
        """Where a link to `iri` goes, and whether it leaves the site (see `href`)."""
        return href(iri, self.base)

    @cached_property
    def prefixes(self) -> dict[str, str]:
        """The prefixes bound on output: the vocabularies, plus `omsid:` for this base's things."""
        return {**PREFIXES, "omsid": str(self.id)}

    def bind(self, graph: Graph) -> Graph:
        """Bind the prefixes on `graph` (replacing rdflib's defaults) and return it."""
        return bind_prefixes(graph, self.prefixes)


#: Characters a browser turns into `/` or drops from a URL, percent-encoded in local link paths.
_PATH_UNSAFE = {ord("\\"): "%5C", **{c: f"%{c:02X}" for c in range(0x21)}, 0x7F: "%7F"}


def href(iri: str, base: str) -> tuple[str | None, bool]:
    """Where a link to `iri` goes, and whether it leaves the site: a local path for IRIs under `base`,
    the IRI itself for other http(s) IRIs, else nothing.

    The local path never leaves the site: a leading `/` of the rest (`{base}/evil.example/` would give
    the scheme-relative `//evil.example/`) and the backslashes and controls that browsers read as `/`
    or drop are percent-encoded.
    """
    if iri.startswith(base):
        rest = iri[len(base) :].translate(_PATH_UNSAFE)
        return "/" + ("%2F" + rest[1:] if rest.startswith("/") else rest), False
    if iri.startswith(("http://", "https://")):
        return iri, True
    return None, False
