"""The URI policy: every IRI a deployment mints comes from its base, and links never leave the site by accident."""

from __future__ import annotations

import pytest

from oms_ld.rdf.namespaces import OMS, PREFIXES
from oms_ld.rdf.uris import UriPolicy

BASES = ("https://w3id.org/oms-ld/", "https://example.org/x/", "http://127.0.0.1:8080/")


@pytest.mark.parametrize("base", BASES)
def test_minted_iris_follow_the_base(base: str) -> None:
    uris = UriPolicy(base)
    minted = [str(uris.id["node-city/uppsala"]), str(uris.dataset), str(uris.catalog), str(uris.sparql_service),
              str(uris.sparql), str(uris.homepage), str(uris.download("x.ttl")), *uris.graphs.values(),
              *uris.default_graphs, uris.document(str(uris.id["place/a"]))]  # fmt: skip
    assert all(iri.startswith(base) for iri in minted)
    assert uris.document(f"{base}id/node-city/uppsala") == f"{base}doc/node-city/uppsala"
    assert uris.graphs == {g: f"{base}graph/{g}" for g in ("ontology", "data", "shapes")}
    assert uris.prefixes["omsid"] == f"{base}id/" and uris.prefixes["oms"] == str(OMS) == PREFIXES["oms"]


@pytest.mark.parametrize(
    ("iri", "expected"),
    [
        ("https://example.org/x/doc/node-city/uppsala", ("/doc/node-city/uppsala", False)),
        ("https://example.org/x/", ("/", False)),
        ("https://example.org/x//evil.example/", ("/%2Fevil.example/", False)),  # //evil.example/ is another host
        ("https://example.org/x/\\evil.example/", ("/%5Cevil.example/", False)),  # browsers read \\ as /
        ("https://www.wikidata.org/entity/Q1", ("https://www.wikidata.org/entity/Q1", True)),
        ("urn:isbn:123", (None, False)),
        ("javascript:alert(1)", (None, False)),
    ],
)
def test_links(iri: str, expected: tuple[str | None, bool]) -> None:
    assert UriPolicy("https://example.org/x/").href(iri) == expected


def test_a_base_ends_with_a_slash() -> None:
    with pytest.raises(ValueError):
        UriPolicy("https://example.org/x")
