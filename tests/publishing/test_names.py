"""Labels and kinds from the store (publishing/names.py) equal those computed over the whole data graphs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from rdflib import URIRef

from oms_ld.publishing.names import Names, _Bounded, variants
from oms_ld.rdf.kinds import Kinds
from oms_ld.rdf.labels import LANGUAGES, Labels


@pytest.fixture(scope="module")
def site_app() -> Iterator[Flask]:
    from oms_ld import create_app

    app = create_app({"TESTING": True})
    yield app
    app.extensions["oms_ld"].store.close()


def test_store_lookup_equals_the_whole_graph_labels_and_kinds(site_app: Flask) -> None:
    """For every IRI of the ÖMS content: the same label, kind and ordinal as from the parsed graphs."""
    site = site_app.extensions["oms_ld"]
    ontology, data = site.sources.ontology, site.sources.data
    whole = Labels.from_graphs(ontology, data, prefixes=site.uris.prefixes)
    kinds = Kinds.from_graphs(ontology, data)
    iris = {str(n) for graph in (ontology, data) for triple in graph for n in triple if isinstance(n, URIRef)}
    labels, found = site.names.lookup(iris)
    assert len(iris) > 200
    for iri in sorted(iris):
        for lang in LANGUAGES:
            name = whole.label(iri, lang)
            assert labels.label(iri, lang) == name, iri
            assert found.beside(iri, name, labels, lang) == kinds.beside(iri, name, whole, lang), iri
        assert found.classes(iri) == kinds.classes(iri), iri
    assert found.ordinals == kinds.ordinals and len(found.ordinals) == 5
    assert kinds.shared and found.shared <= kinds.shared  # "Uppsala" is a node city and a place


def test_shared_names_fold_case_and_count_things_not_labels(site_app: Flask) -> None:
    site = site_app.extensions["oms_ld"]
    names = Names(site.store, site.uris.graphs["data"], site.sources.ontology, site.base)
    assert "uppsala" in names.shared(["UPPSALA"])
    assert names.shared(["Region Uppsala", "no such name at all"]) == set()


def test_the_caches_stay_within_their_byte_bound(site_app: Flask) -> None:
    site = site_app.extensions["oms_ld"]
    names = Names(site.store, site.uris.graphs["data"], site.sources.ontology, site.base, max_bytes=4000)
    iris = [str(s) for s in set(site.sources.data.subjects()) if isinstance(s, URIRef)]
    assert len(names.facts(iris)) == len(iris)  # a page gets all it asked for, even past the bound
    assert 0 < len(names._facts) < len(iris) and names._facts.bytes <= 4000
    bounded = _Bounded(100)
    for i in range(50):
        bounded.put(str(i), i, 30)
    assert len(bounded) == 3 and bounded.bytes == 90 and bounded.get("49") == 49 and bounded.get("0") is None


def test_variants_fold_to_the_name() -> None:
    assert {"Uppsala", "uppsala", "UPPSALA"} <= variants("uppsala")
    assert all(v.casefold() == "västerås" for v in variants("Västerås"))
