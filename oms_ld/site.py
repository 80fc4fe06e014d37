"""What the views share: the loaded content, the store, dataset metadata and the representation cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, VOID

from . import queries
from .cache import RepresentationCache
from .dumps import Dump
from .namespaces import DATASET, LICENSE, bind_prefixes
from .render import to_rdflib
from .sources import Sources
from .store import Store
from .validation import ValidationReport


@dataclass
class Site:
    """The published site: one per app, built once in `create_app`."""

    config: dict[str, Any]
    sources: Sources
    store: Store
    report: ValidationReport
    #: VoID + DCAT description of the dataset (built from the store at start).
    metadata: Graph = field(default_factory=Graph)
    #: The download files by name (built from the content at start; see dumps.py).
    dumps: dict[str, Dump] = field(default_factory=dict)
    cache: RepresentationCache = field(default_factory=RepresentationCache)

    @property
    def base(self) -> str:
        """The persistent base IRI; request path `/X` is IRI `{base}X`."""
        return str(self.config["BASE_IRI"])

    @property
    def version(self) -> str:
        """Fingerprint of the published data: part of every ETag."""
        return self.store.version

    def describe(self, thing: str) -> Graph | None:
        """The document graph about `thing` (None when nothing is known about it), with doc metadata."""
        result = self.store.query(queries.describe(thing))
        graph = to_rdflib(result.triples or [])
        subject = URIRef(thing)
        if (subject, None, None) not in graph:
            graph = bind_prefixes(Graph())
            for triple in self.metadata.triples((subject, None, None)):
                graph.add(triple)
            if not len(graph):
                return None
        doc = URIRef(thing.replace(f"{self.base}id/", f"{self.base}doc/", 1))
        graph.add((doc, RDF.type, FOAF.Document))
        graph.add((doc, FOAF.primaryTopic, subject))
        graph.add((doc, VOID.inDataset, DATASET))
        graph.add((doc, DCTERMS.license, URIRef(LICENSE)))
        for label in graph.objects(subject, RDFS.label):
            graph.add((doc, RDFS.label, label))
        return graph


def get_site() -> Site:
    """The current app's site."""
    site = current_app.extensions["oms_ld"]
    assert isinstance(site, Site)
    return site
