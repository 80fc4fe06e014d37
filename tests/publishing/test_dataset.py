"""The dataset description (dataset.py): VoID statistics checked against rdflib, DCAT-AP(-SE) rules, SHACL."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SH, SKOS, VOID, XSD

from oms_ld.publishing.dataset import DCAT_AP, DCAT_AP_SE
from oms_ld.publishing.void import namespace_of, slug
from oms_ld.rdf.namespaces import NUTS, OMS, SPDX, VCARD, WD

from ..conftest import CATALOG, DATASET, ID, SPARQL_SERVICE, need

#: DCAT-AP-SE's pattern for a literal dct:format (bundle.json, dcat:format_generic).
SE_FORMAT = re.compile(r"^\w+\/[-.\w]+(?:\+[-.\w]+)?(\s*;\s*\w+=\w+)?$")


@pytest.fixture(scope="module")
def site(app):  # type: ignore[no-untyped-def]
    return app.extensions["oms_ld"]


@pytest.fixture(scope="module")
def meta(site) -> Graph:  # type: ignore[no-untyped-def]
    return site.metadata


@pytest.fixture(scope="module")
def published(site) -> Graph:  # type: ignore[no-untyped-def]
    return site.sources.published()


def number(graph: Graph, subject: URIRef, prop: URIRef) -> int:
    values = list(graph.objects(subject, prop))
    assert len(values) == 1, f"{subject} {prop}: {values}"
    return int(values[0])


def test_no_blank_nodes(meta: Graph) -> None:
    assert not [t for t in meta if any(isinstance(term, BNode) for term in t)]


def test_same_entities_typed_both_ways(meta: Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in meta
    assert (DATASET, RDF.type, DCAT.Dataset) in meta
    assert (CATALOG, RDF.type, DCAT.Catalog) in meta
    assert (SPARQL_SERVICE, RDF.type, DCAT.DataService) in meta


def test_totals_match_rdflib(meta: Graph, published: Graph) -> None:
    assert number(meta, DATASET, VOID.triples) == len(published)
    assert number(meta, DATASET, VOID.distinctSubjects) == len(set(published.subjects()))
    assert number(meta, DATASET, VOID.distinctObjects) == len(set(published.objects()))
    assert number(meta, DATASET, VOID.properties) == len(set(published.predicates()))
    assert number(meta, DATASET, VOID.classes) == len(set(published.objects(None, RDF.type)))
    entities = {s for s in published.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}
    assert number(meta, DATASET, VOID.entities) == len(entities)


def test_class_partitions_match_rdflib(meta: Graph, published: Graph) -> None:
    expected = Counter(c for c in set(published.subjects(RDF.type, None)) for c in published.objects(c, RDF.type))
    found = {}
    for part in meta.objects(DATASET, VOID.classPartition):
        assert str(part).startswith(f"{DATASET}/class/")
        found[meta.value(part, VOID["class"])] = number(meta, part, VOID.entities)
    assert found == dict(expected)


def test_property_partitions_match_rdflib(meta: Graph, published: Graph) -> None:
    expected = Counter(p for _, p, _ in published)
    found = {}
    for part in meta.objects(DATASET, VOID.propertyPartition):
        assert str(part).startswith(f"{DATASET}/property/")
        found[meta.value(part, VOID.property)] = number(meta, part, VOID.triples)
    assert found == dict(expected)


def test_vocabularies_cover_every_term_used(meta: Graph, published: Graph) -> None:
    used = {namespace_of(str(t)) for t in (*published.predicates(), *published.objects(None, RDF.type))}
    assert {str(v) for v in meta.objects(DATASET, VOID.vocabulary)} == used


@pytest.mark.parametrize(
    ("name", "predicate", "prefix"),
    [
        ("wikidata-same-as", OWL.sameAs, str(WD)),
        ("wikidata-close-match", SKOS.closeMatch, str(WD)),
        ("wikidata-related", SKOS.related, str(WD)),
        ("nuts", OMS.nuts3Region, str(NUTS)),
    ],
)
def test_linksets_count_links(meta: Graph, published: Graph, name: str, predicate: URIRef, prefix: str) -> None:
    links = [o for o in published.objects(None, predicate) if str(o).startswith(prefix)]
    linkset = URIRef(f"{DATASET}/linkset/{name}")
    if not links:
        assert (linkset, None, None) not in meta
        return
    assert (linkset, RDF.type, VOID.Linkset) in meta
    assert meta.value(linkset, VOID.subjectsTarget) == DATASET
    assert meta.value(linkset, VOID.linkPredicate) == predicate
    assert number(meta, linkset, VOID.triples) == len(links)
    target = meta.value(linkset, VOID.objectsTarget)
    assert (target, RDF.type, VOID.Dataset) in meta
    assert meta.value(target, DCTERMS.title) is not None
    assert meta.value(target, FOAF.homepage) is not None


def test_void_access(meta: Graph) -> None:
    assert meta.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://w3id.org/oms-ld/sparql")
    assert meta.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/oms-ld/id/")
    examples = {str(e) for e in meta.objects(DATASET, VOID.exampleResource)}
    assert examples == {f"{ID}region/stockholm", f"{ID}node-city/uppsala", f"{ID}strategy/oms-2050"}


def test_dcat_ap_se_mandatory(meta: Graph, site) -> None:  # type: ignore[no-untyped-def]
    """The DCAT-AP-SE 3.0.1 rules beyond DCAT-AP (there is no official SHACL for them; bundle.json cardinalities)."""
    for node in (CATALOG, DATASET):
        assert {lit.language for lit in meta.objects(node, DCTERMS.title)} == {"sv", "en"}
        assert {lit.language for lit in meta.objects(node, DCTERMS.description)} == {"sv", "en"}
        assert len(list(meta.objects(node, DCTERMS.publisher))) == 1
    assert len(list(meta.objects(CATALOG, DCTERMS.license))) == 1
    publisher = meta.value(CATALOG, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in meta
    assert {n.language for n in meta.objects(publisher, FOAF.name)} >= {"sv", "en"}
    assert len(list(meta.objects(publisher, DCTERMS.type))) == 1
    contact = meta.value(DATASET, DCAT.contactPoint)
    assert contact != publisher and not isinstance(contact, BNode)
    assert len([t for t in meta.objects(contact, RDF.type) if t != VCARD.Kind]) == 1
    assert meta.value(contact, VCARD.fn) is not None
    email = str(meta.value(contact, VCARD.hasEmail))
    assert email.startswith("mailto:") and email[len("mailto:") :] in site.settings.contact_email
    assert meta.value(SPARQL_SERVICE, DCAT.endpointURL) is not None
    for node in (SPARQL_SERVICE, *meta.objects(DATASET, DCAT.distribution)):
        formats = list(meta.objects(node, DCTERMS.format))
        assert len(formats) == 1 and isinstance(formats[0], Literal) and SE_FORMAT.match(formats[0]), node
    for dist in meta.objects(DATASET, DCAT.distribution):
        assert len(list(meta.objects(dist, DCAT.accessURL))) == 1


def test_distribution_details(meta: Graph, site) -> None:  # type: ignore[no-untyped-def]
    dists = list(meta.objects(DATASET, DCAT.distribution))
    assert len(dists) == len([d for d in site.dumps.values() if d.name == d.filename])
    for dist in dists:
        assert str(dist).startswith(f"{DATASET}/distribution/")
        assert str(meta.value(dist, DCAT.mediaType)).startswith("http://www.iana.org/assignments/media-types/")
        assert meta.value(dist, DCAT.byteSize).datatype == XSD.nonNegativeInteger
        checksum = meta.value(dist, SPDX.checksum)
        assert checksum == URIRef(f"{dist}#checksum")
        assert meta.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert meta.value(dist, DCTERMS.license) == URIRef("http://creativecommons.org/licenses/by/4.0/")
        assert {t.language for t in meta.objects(dist, DCTERMS.title)} == {"sv", "en"}


def test_dataset_fields(meta: Graph, site) -> None:  # type: ignore[no-untyped-def]
    date = Literal(site.settings.release_date, datatype=XSD.date)
    assert meta.value(DATASET, DCTERMS.issued) == date and meta.value(DATASET, DCTERMS.modified) == date
    assert meta.value(DATASET, OWL.versionInfo) == Literal("1.0.0")
    assert {k.language for k in meta.objects(DATASET, DCAT.keyword)} == {"sv", "en"}
    assert len(list(meta.objects(DATASET, DCTERMS.spatial))) == 7
    themes = {str(t).rsplit("/", 1)[1] for t in meta.objects(DATASET, DCAT.theme)}
    assert themes == {"REGI", "GOVE"}


def test_slugs() -> None:
    assert slug(str(OMS.MajorRegionalNodeCity)) == "oms-major-regional-node-city"
    assert slug("http://www.opengis.net/ont/geosparql#asWKT") == "geo-as-wkt"
    assert slug("http://example.org/x/Thing").startswith("ns-")
    assert namespace_of("http://purl.org/dc/terms/title") == "http://purl.org/dc/terms/"


# --- DCAT-AP 3.0.1 SHACL (SEMIC html/shacl set: shapes.ttl + range.ttl, Violations; shapes_recommended.ttl) ---


def shapes(reference: Path, *names: str) -> Graph:
    graph = Graph()
    for name in names:
        path = reference / "dcat-ap" / "semic-3.0.1" / "html-shacl" / name
        need(path.is_file(), f"{path} not found")
        graph.parse(path)
    return graph


def results(data: Graph, shacl: Graph) -> list[tuple[str, str, str, str]]:
    """(severity, focus, path, value) per validation result."""
    _, report, _ = validate(data, shacl_graph=shacl, inference="none", advanced=True, allow_warnings=True)
    assert isinstance(report, Graph)
    found = []
    for r in report.subjects(SH.resultSeverity, None):
        severity = str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[1]
        found.append((severity, str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)),
                      str(report.value(r, SH.value))))  # fmt: skip
    return sorted(found)


def catalog(client, profile: str) -> Graph:  # type: ignore[no-untyped-def]
    response = client.get(f"/catalog?_profile={profile}")
    assert response.status_code == 200
    return Graph().parse(data=response.data, format="xml")


def test_catalog_dcat_ap_shapes(client, reference: Path) -> None:  # type: ignore[no-untyped-def]
    """THE KEY TEST: the DCAT-AP profile of the catalogue has 0 Violations against shapes.ttl + range.ttl."""
    found = results(catalog(client, DCAT_AP.token), shapes(reference, "shapes.ttl", "range.ttl"))
    violations = [r for r in found if r[0] == "Violation"]
    counts = Counter(r[0] for r in found)
    print(f"\nDCAT-AP 3.0.1 shapes+range: {dict(counts) or 'no results'}")
    assert violations == []


def test_catalog_dcat_ap_recommended(client, reference: Path) -> None:  # type: ignore[no-untyped-def]
    """Recommended-level warnings (shapes_recommended.ttl) are listed, not failed; none is a Violation."""
    found = results(catalog(client, DCAT_AP.token), shapes(reference, "shapes_recommended.ttl"))
    print(f"\nDCAT-AP 3.0.1 recommended: {len(found)} result(s)")
    for severity, focus, path, _ in found:
        print(f"  {severity}: {focus} {path}")
    assert all(r[0] != "Violation" for r in found)


def test_catalog_dcat_ap_se_deviates_only_in_format(client, reference: Path) -> None:  # type: ignore[no-untyped-def]
    """The default (DCAT-AP-SE) profile breaks DCAT-AP only where DCAT-AP-SE must: literal dct:format values."""
    found = results(catalog(client, DCAT_AP_SE.token), shapes(reference, "shapes.ttl", "range.ttl"))
    violations = [r for r in found if r[0] == "Violation"]
    print(f"\nDCAT-AP-SE profile against DCAT-AP 3.0.1: {len(violations)} Violation(s), all on literal dct:format")
    assert violations
    assert all(path == str(DCTERMS.format) and SE_FORMAT.match(value) for _, _, path, value in violations)
