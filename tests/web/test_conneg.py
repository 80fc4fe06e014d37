"""Table-driven content negotiation: Accept (and ?format=) → the variant chosen, as pure functions."""

from __future__ import annotations

import pytest

from oms_ld.errors import NotAcceptable
from oms_ld.rdf.formats import RESULT_ALIASES, RESULT_FORMATS
from oms_ld.web.conneg import negotiate
from oms_ld.web.representations import DOC_FORMATS

RDFLIB = (
    "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
    "application/n-quads, application/trix, application/trig"
)
RAPPER = (
    "application/rdf+xml, text/rdf;q=0.6, application/n-triples, text/plain;q=0.1, text/turtle, "
    "text/html;q=0.2, application/xhtml+xml;q=0.4, text/html;q=0.6, application/xhtml+xml;q=0.8, */*;q=0.1"
)
COMUNICA = (
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
    "text/turtle;q=0.6,application/rdf+xml;q=0.5,text/html;q=0.2"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)
SPARQLWRAPPER_RDFXML = "application/rdf+xml"

DOCUMENT_CASES = [
    (None, "text/turtle"),
    ("", "text/turtle"),
    ("*/*", "text/turtle"),
    (RDFLIB, "text/turtle"),
    (RAPPER, "text/turtle"),
    (COMUNICA, "application/ld+json"),
    (FIREFOX, "text/html"),
    (CHROME, "text/html"),
    (SPARQLWRAPPER_RDFXML, "application/rdf+xml"),
    ("application/n-triples", "application/n-triples"),
    ("text/plain", "application/n-triples"),
    ("application/x-turtle", "text/turtle"),
    ("application/json", "application/ld+json"),
    ("text/turtle;q=0, */*;q=0.5", "text/html"),
    ("text/turtle;q=0.2, application/ld+json;q=0.8", "application/ld+json"),
    ("text/*", "text/turtle"),
    ("application/*;q=0.5, text/html;q=0.4", "application/ld+json"),
    ("garbage;;;q=x,,", "text/turtle"),
    ("text/html;level=1", "text/html"),
    ("TEXT/TURTLE", "text/turtle"),
]


@pytest.mark.parametrize(("accept", "expected"), DOCUMENT_CASES)
def test_document_negotiation(accept: str | None, expected: str) -> None:
    assert negotiate(accept, DOC_FORMATS).mime == expected


@pytest.mark.parametrize("accept", ["image/png", "application/pdf, image/*", "text/turtle;q=0", "*/*;q=0"])
def test_nothing_acceptable_raises_with_alternatives(accept: str) -> None:
    with pytest.raises(NotAcceptable) as info:
        negotiate(accept, DOC_FORMATS)
    assert "text/turtle" in info.value.alternatives


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("text/html", "text/html"),
        ("nt", "application/n-triples"),
    ],
)
def test_format_parameter_wins_over_accept(param: str, expected: str) -> None:
    assert negotiate("application/rdf+xml", DOC_FORMATS, format_param=param).mime == expected


def test_unknown_format_parameter_is_not_acceptable() -> None:
    with pytest.raises(NotAcceptable):
        negotiate(None, DOC_FORMATS, format_param="docx")


def test_huge_accept_header_is_read_up_to_a_limit() -> None:
    early = "text/turtle;q=0.5, " + ", ".join(f"application/x-{i}" for i in range(5000))
    assert negotiate(early, DOC_FORMATS).mime == "text/turtle"
    late = ", ".join(f"application/x-{i}" for i in range(5000)) + ", text/turtle"
    with pytest.raises(NotAcceptable):
        negotiate(late, DOC_FORMATS)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json,application/json,text/javascript,application/javascript",
         "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+json,*/*;q=0.9", "application/sparql-results+json"),
    ],
)  # fmt: skip
def test_results_negotiation(accept: str | None, expected: str) -> None:
    assert negotiate(accept, RESULT_FORMATS, aliases=RESULT_ALIASES).mime == expected
