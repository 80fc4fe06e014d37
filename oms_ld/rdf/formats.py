"""The media types the service speaks: one table each for RDF documents and SPARQL results."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat


@dataclass(frozen=True)
class MediaType:
    """A representation we can produce: its media type, file suffix and serializer names."""

    mime: str
    suffix: str
    label: str
    rdflib: str | None = None
    oxigraph: RdfFormat | None = None
    results: QueryResultsFormat | None = None

    @property
    def content_type(self) -> str:
        """The Content-Type header value, with a charset for textual types."""
        textual = self.mime.startswith("text/") or self.mime.endswith(("json", "xml", "n-triples", "n-quads", "trig"))
        return f"{self.mime}; charset=utf-8" if textual else self.mime


TURTLE = MediaType("text/turtle", "ttl", "Turtle", "turtle", RdfFormat.TURTLE)
JSONLD = MediaType("application/ld+json", "jsonld", "JSON-LD", "json-ld", RdfFormat.JSON_LD)
RDFXML = MediaType("application/rdf+xml", "rdf", "RDF/XML", "xml", RdfFormat.RDF_XML)
NTRIPLES = MediaType("application/n-triples", "nt", "N-Triples", "nt", RdfFormat.N_TRIPLES)
TRIG = MediaType("application/trig", "trig", "TriG", "trig", RdfFormat.TRIG)
NQUADS = MediaType("application/n-quads", "nq", "N-Quads", "nquads", RdfFormat.N_QUADS)
HTML = MediaType("text/html", "html", "HTML")

#: Graph formats for documents and CONSTRUCT/DESCRIBE results, the first being the default for RDF clients.
RDF_FORMATS: tuple[MediaType, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES)
#: Dataset (quad) formats, for the whole-dataset dumps.
DATASET_FORMATS: tuple[MediaType, ...] = (TRIG, NQUADS)

RESULTS_JSON = MediaType("application/sparql-results+json", "srj", "SPARQL JSON", results=QueryResultsFormat.JSON)
RESULTS_XML = MediaType("application/sparql-results+xml", "srx", "SPARQL XML", results=QueryResultsFormat.XML)
RESULTS_CSV = MediaType("text/csv", "csv", "CSV", results=QueryResultsFormat.CSV)
RESULTS_TSV = MediaType("text/tab-separated-values", "tsv", "TSV", results=QueryResultsFormat.TSV)
#: SELECT/ASK result formats; the first is the default.
RESULT_FORMATS: tuple[MediaType, ...] = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)

#: Media types that clients send for the same thing (tolerated on input, never produced).
ALIASES: dict[str, str] = {
    "application/x-turtle": "text/turtle",
    "text/ttl": "text/turtle",
    "application/turtle": "text/turtle",
    "application/json": "application/ld+json",
    "text/n-triples": "application/n-triples",
    "text/plain": "application/n-triples",
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/xhtml+xml": "text/html",
}
RESULT_ALIASES: dict[str, str] = {
    "application/json": "application/sparql-results+json",
    "text/javascript": "application/sparql-results+json",
    "application/javascript": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/tsv": "text/tab-separated-values",
}

BY_SUFFIX: dict[str, MediaType] = {m.suffix: m for m in (*RDF_FORMATS, *DATASET_FORMATS, HTML)}
BY_MIME: dict[str, MediaType] = {m.mime: m for m in (*RDF_FORMATS, *DATASET_FORMATS, HTML, *RESULT_FORMATS)}

#: File suffix → pyoxigraph parser, for loading content files natively.
PARSE_FORMATS: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".rdf": RdfFormat.RDF_XML,
    ".jsonld": RdfFormat.JSON_LD,
    ".trig": RdfFormat.TRIG,
}
