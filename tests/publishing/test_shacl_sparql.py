"""Each SHACL component and path form the compiler translates reports what whole-graph pySHACL reports.

The published shapes use only some of what shacl_compile.py translates; these small cases cover the
rest (values that conform, that do not, and that pySHACL judges in its own way: ill-typed literals,
language ranges, comparisons across types), one shape at a time.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from oms_ld.publishing.batched import validate_store
from oms_ld.publishing.shacl_compile import compile_shapes
from oms_ld.publishing.validation import validate_graph
from oms_ld.store import EmbeddedStore

from ..conftest import URIS

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix ex: <urn:ex:> .
"""
#: name → (the constraints of one property shape on the focus nodes ex:a, ex:b, ex:c; the data).
CASES = {
    "in": ("sh:path ex:p ; sh:in ( ex:x ex:y 1 )", "ex:a ex:p ex:x , ex:z , 1 , 1.0 , 'x' ."),
    "languageIn": (
        "sh:path ex:p ; sh:languageIn ( 'en' 'SV' )",
        "ex:a ex:p 'a'@en-GB , 'b'@sv , 'c'@de , 'd' , ex:x . ex:b ex:p 'e'@EN .",
    ),
    "ranges": (
        "sh:path ex:p ; sh:minExclusive 3 ; sh:maxInclusive 10",
        "ex:a ex:p 3 , 4 , 11 , '5' , 2.5 , 10.0 , ex:x  .",
    ),
    "string ranges": ("sh:path ex:p ; sh:minInclusive 'b'", "ex:a ex:p 'a' , 'c' , 1 , 'bb'@en ."),
    "decimal": (
        "sh:path ex:p ; sh:datatype xsd:decimal",
        "ex:a ex:p 1.5 , 2 , '1.0'^^xsd:decimal , '.5'^^xsd:decimal .",
    ),
    "date": (
        "sh:path ex:p ; sh:datatype xsd:date",
        "ex:a ex:p '2020-13-01'^^xsd:date , '2020-01-31'^^xsd:date , '2020-01-01' , '2020-02-30'^^xsd:date .",
    ),
    "dateTime": (
        "sh:path ex:p ; sh:datatype xsd:dateTime",
        "ex:a ex:p '2020-01-01T00:00:00'^^xsd:dateTime , 'noon'^^xsd:dateTime , '2020-01-01'^^xsd:date .",
    ),
    "string and langString": ("sh:path ex:p ; sh:datatype xsd:string", "ex:a ex:p 'x' , 'y'@en , 1 , ex:x ."),
    "langString": (
        "sh:path ex:p ; sh:datatype <http://www.w3.org/1999/02/22-rdf-syntax-ns#langString>",
        "ex:a ex:p 'x' , 'y'@en .",
    ),
    "pattern with flags": (
        "sh:path ex:p ; sh:pattern '^abc' ; sh:flags 'i'",
        "ex:a ex:p 'ABCd' , 'xabc' , <urn:ex:abc> , 'abc'@en , 12 .",
    ),
    "pattern and newline": ("sh:path ex:p ; sh:pattern '^[a-z]*$'", "ex:a ex:p 'abc\\n' , 'ab\\ncd' , 'Ab' ."),
    "node kinds": ("sh:path ex:p ; sh:nodeKind sh:BlankNodeOrIRI", "ex:a ex:p ex:x , 'l' , 2 ."),
    "literal kind": ("sh:path ex:p ; sh:nodeKind sh:Literal", "ex:a ex:p ex:x , 'l' ."),
    "sequence and class": (
        "sh:path ( ex:p ex:q ) ; sh:minCount 1 ; sh:class ex:C",
        "ex:a ex:p ex:m . ex:m ex:q ex:x , ex:y , 'lit' . ex:x a ex:D . ex:D rdfs:subClassOf ex:C ."
        " ex:y a ex:E . ex:b ex:p ex:n .",
    ),
    "inverse": (
        "sh:path [ sh:inversePath ex:p ] ; sh:maxCount 1",
        "ex:x ex:p ex:a . ex:y ex:p ex:a . ex:z ex:p ex:b .",
    ),
    "one or more": (
        "sh:path [ sh:oneOrMorePath ex:p ] ; sh:hasValue ex:z",
        "ex:a ex:p ex:m . ex:m ex:p ex:z . ex:b ex:p ex:z1 .",
    ),
    "zero or more": ("sh:path [ sh:zeroOrMorePath ex:p ] ; sh:nodeKind sh:IRI", "ex:a ex:p ex:m . ex:m ex:p 'x' ."),
    "zero or one": ("sh:path [ sh:zeroOrOnePath ex:p ] ; sh:maxCount 1", "ex:a ex:p ex:m . ex:b ex:q ex:c ."),
    "counts": ("sh:path ex:p ; sh:minCount 2 ; sh:maxCount 3", "ex:a ex:p 1 . ex:b ex:p 1 , 2 , 3 , 4 ."),
    "qualified": (
        "sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 2",
        "ex:a ex:p ex:x . ex:b ex:p ex:x , ex:y , ex:z . ex:x a ex:C . ex:y a ex:C . ex:z a ex:C .",
    ),
    "or": (
        "sh:path ex:p ; sh:or ( [ sh:datatype xsd:integer ] [ sh:nodeKind sh:IRI ] [ sh:in ( 'k' ) ] )",
        "ex:a ex:p 1 , ex:x , 'k' , 'l' , 1.5 , 'z'^^xsd:integer .",
    ),
}


def shapes_of(constraints: str, sparql: str = "") -> Graph:
    text = f"""{PREFIXES}
    ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:targetNode ex:c ; sh:targetObjectsOf ex:r ;
        sh:property [ {constraints} ; sh:message "broken"@en , "trasig"@sv ] {sparql} .
    """
    return Graph().parse(data=text, format="turtle")


def compare(shapes: Graph, data: str) -> None:
    text = f"{PREFIXES} ex:a a ex:T . ex:sub rdfs:subClassOf ex:T . ex:b a ex:sub . ex:k ex:r ex:d . {data}"
    graph = Graph().parse(data=text, format="turtle")
    store = ox.Store()
    store.load(text.encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(URIS.graphs["data"]))
    view = EmbeddedStore(store, version="t", default_graphs=list(URIS.default_graphs), max_rows=10**9)
    try:
        mine = validate_store(view, shapes, Graph(), batch_size=2)
    finally:
        view.close()
    whole = validate_graph(graph, shapes, Graph())
    assert sorted(mine.results, key=repr) == sorted(whole.results, key=repr)
    assert mine.conforms == whole.conforms


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_compiled_component_reports_as_pyshacl_does(name: str) -> None:
    constraints, data = CASES[name]
    shapes = shapes_of(constraints)
    assert compile_shapes(shapes).fallback == set()  # really compiled, not left to pySHACL
    compare(shapes, data)


def test_a_sparql_constraint_with_this_is_joined_to_the_targets() -> None:
    sparql = """; sh:sparql [ sh:message "{$this} points at {?value}"@en ;
        sh:select "SELECT $this ?value WHERE { $this <urn:ex:p> ?value . FILTER (isLiteral(?value)) }" ]"""
    compare(shapes_of("sh:path ex:q ; sh:maxCount 5", sparql), "ex:a ex:p 'x' , ex:y . ex:c ex:p 2 . ex:z ex:p 'n' .")


def test_a_pattern_the_store_cannot_run_is_decided_in_python() -> None:
    """Python's look-ahead has no equivalent in the store's regular expressions: every value is re-checked."""
    compare(shapes_of("sh:path ex:p ; sh:pattern '^(?!x)'"), "ex:a ex:p 'xa' , 'ya' . ex:b ex:p 'x' .")


def test_such_a_pattern_in_a_nested_shape_is_left_to_pyshacl() -> None:
    shapes = shapes_of("sh:path ex:p ; sh:or ( [ sh:pattern '^(?!x)' ] [ sh:datatype xsd:integer ] )")
    assert compile_shapes(shapes).fallback == {URIRef("urn:ex:S")}
    compare(shapes, "ex:a ex:p 'xa' , 'ya' , 1 . ex:b ex:p 'x' .")
