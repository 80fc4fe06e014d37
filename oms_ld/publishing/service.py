"""The SPARQL 1.1 Service Description of the endpoint (SD §3): what it serves, with graph sizes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID, XSD

from ..rdf.formats import RDF_FORMATS, RESULT_FORMATS
from ..rdf.namespaces import SD, bind_prefixes
from .linking.geo import GEOF, GEOSPARQL_FUNCTIONS

#: W3C format IRIs (http://www.w3.org/ns/formats/) of what the endpoint really serves.
FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/rdf+xml": "RDF_XML",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
}


def service_description(
    endpoints: Sequence[str], graph_sizes: Mapping[str, int], default_graphs: Sequence[str]
) -> Graph:
    """A SPARQL 1.1 Service Description of this endpoint (SD §3), with graph sizes from the store."""
    graph = bind_prefixes(Graph())
    service = URIRef(endpoints[0] + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, RDFS.label, Literal("ÖMS SPARQL endpoint (read-only)", lang="en")))
    graph.add((service, RDFS.label, Literal("ÖMS SPARQL-ändpunkt (endast läsning)", lang="sv")))
    for endpoint in endpoints:
        graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for media_type in (*RESULT_FORMATS, *RDF_FORMATS):
        graph.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/" + FORMAT_IRIS[media_type.mime])))
    for name, comment in GEOSPARQL_FUNCTIONS:  # evaluated by the embedded store (pyoxigraph) and Oxigraph
        function = URIRef(GEOF + name)
        graph.add((service, SD.extensionFunction, function))
        graph.add((function, RDF.type, SD.Function))
        graph.add((function, RDFS.comment, Literal(comment, lang="en")))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    total = sum(graph_sizes.get(g, 0) for g in default_graphs)
    graph.add((default, VOID.triples, Literal(total, datatype=XSD.integer)))
    for name, size in sorted(graph_sizes.items()):
        named, inner = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(size, datatype=XSD.integer)))
    return graph
