"""Quality gate for the real content: it conforms, links resolve internally, and facts trace to the fact sheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from oms_ld.config import load_settings
from oms_ld.publishing.validation import validate_graph
from oms_ld.rdf.namespaces import GEO, OMS
from oms_ld.rdf.sources import Sources, load_sources

from .conftest import BASE, ID

#: QIDs the fact sheet names as traps or mix-ups (§2b "do not use", §5, §6); never to appear in data/.
TRAPS = {
    "Q104662", "Q10718106", "Q10683761", "Q10496641", "Q21667259", "Q10545885", "Q108876403",
    "Q103686", "Q25411", "Q25281", "Q25278", "Q54695", "Q54731", "Q10680648", "Q94385", "Q626062",
}  # fmt: skip


@pytest.fixture(scope="module")
def sources() -> Sources:
    return load_sources(load_settings())


@pytest.fixture(scope="module")
def published(sources: Sources) -> Graph:
    return sources.published()


@pytest.fixture(scope="module")
def facts(reference: Path) -> str:
    return (reference / "oms-facts.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(reference: Path) -> str:
    return (reference / "seed-oms-sv.txt").read_text(encoding="utf-8")


def verified_qids(facts: str) -> set[str]:
    """QIDs tagged [V] or [V+] in a fact-sheet table cell (tag right after the QID or in the next cell)."""
    return set(re.findall(r"(Q\d+)\**\s*\|?\s*\[V\+?\]", facts))


def unverified_qids(facts: str) -> set[str]:
    """QIDs tagged [U], and every QID on a table row whose only tag is [U]."""
    found = set(re.findall(r"(Q\d+)\**\s*\**\[U\]", facts))
    for line in facts.splitlines():
        if line.startswith("|") and "[U]" in line and "[V" not in line:
            found |= set(re.findall(r"Q\d+", line))
    return found


def test_real_data_conforms_to_the_shapes(sources: Sources) -> None:
    report = validate_graph(sources.data, sources.shapes, sources.ontology)
    assert report.conforms, report.text()


def test_fact_sheet_parsing_finds_the_tags(facts: str) -> None:
    assert {"Q104231", "Q1754", "Q1757", "Q585"} <= verified_qids(facts)
    assert {"Q3232072", "Q3232214", "Q104662"} <= unverified_qids(facts)


def test_no_internal_link_dangles(published: Graph) -> None:
    subjects = set(published.subjects())
    dangling = {o for o in published.objects() if isinstance(o, URIRef) and str(o).startswith(str(ID))} - subjects
    assert not dangling, sorted(dangling)


def test_no_blank_nodes_and_no_local_hosts(published: Graph) -> None:
    for triple in published:
        assert not any(isinstance(term, BNode) for term in triple), triple
    text = published.serialize(format="nt")
    for bad in ("example.org", "localhost", "127.0.0.1", ":8080"):
        assert bad not in text


def test_no_trap_or_unverified_qid_appears(published: Graph, facts: str) -> None:
    text = published.serialize(format="nt")
    used = set(re.findall(r"wikidata\.org/entity/(Q\d+)", text))
    assert not used & TRAPS
    assert not used & unverified_qids(facts)


def test_every_same_as_is_a_verified_wikidata_qid(published: Graph, facts: str) -> None:
    verified = verified_qids(facts)
    same_as = list(published.objects(None, OWL.sameAs))
    assert len(same_as) >= 30
    for target in same_as:
        match = re.fullmatch(r"http://www\.wikidata\.org/entity/(Q\d+)", str(target))
        assert match, target
        assert match.group(1) in verified, f"{target} is not tagged [V]/[V+] in the fact sheet"


@pytest.mark.parametrize("prop", [OMS.countyCode, OMS.municipalityCode, OMS.iso31662Code, OMS.organizationNumber])
def test_codes_come_from_the_fact_sheet(published: Graph, facts: str, prop: URIRef) -> None:
    values = {str(v) for v in published.objects(None, prop)}
    assert values, prop
    for value in values:
        assert re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", facts), f"{prop} {value} not in the fact sheet"


def test_nuts_codes_come_from_the_fact_sheet(published: Graph, facts: str) -> None:
    targets = list(published.objects(None, OMS.nuts3Region))
    assert len(targets) == 7
    for target in targets:
        code = str(target).rsplit("/", 1)[1]
        assert re.search(rf"\| {code} \[V\+?\]", facts), code


def test_coordinates_are_verified_fact_sheet_points(published: Graph, facts: str) -> None:
    points = [str(w) for w in published.objects(None, GEO.asWKT)]
    assert len(points) >= 15
    for wkt in points:
        lon, lat = re.fullmatch(r"POINT\((\S+) (\S+)\)", wkt).groups()  # type: ignore[union-attr]
        assert re.search(rf"\| {re.escape(lat)} \| {re.escape(lon)} \| \[V\+?\]", facts), wkt


def test_titles_come_from_the_sources(published: Graph, facts: str, seed: str) -> None:
    for title in published.objects(None, DCTERMS.title):
        if isinstance(title, Literal) and title.language == "sv" and not str(title).startswith("Ontologi"):
            assert str(title) in facts or str(title) in seed, title


def test_every_resource_is_labelled_in_swedish_and_english(published: Graph) -> None:
    for subject in set(published.subjects(RDF.type, None)):
        if not str(subject).startswith(BASE) or "#" in str(subject):
            continue
        labels = list(published.objects(subject, RDFS.label)) + list(published.objects(subject, SKOS.prefLabel))
        languages = {label.language for label in labels if isinstance(label, Literal)}
        assert {"sv", "en"} <= languages, subject


def test_the_seed_text_is_represented(published: Graph) -> None:
    """The counts the source text states: 7 member regions + Mälardalsrådet, 14 node cities, 5 directions."""
    collaboration = ID["collaboration/oms"]
    members = set(published.objects(collaboration, URIRef("http://www.w3.org/ns/org#hasMember")))
    assert len(members) == 8
    assert len(set(published.subjects(RDF.type, OMS.NodeCity))) == 14
    assert len(set(published.subjects(RDF.type, OMS.RegionalCityCore))) == 5
    assert len(set(published.subjects(RDF.type, OMS.StrategicDirection))) == 5
    assert len(set(published.subjects(RDF.type, OMS.Report))) == 2
    assert len(set(published.subjects(RDF.type, OMS.PartnerRegion))) == 3
    assert len(set(published.subjects(RDF.type, OMS.County))) == 7


def test_labels_are_names_without_a_parenthesised_qualifier(published: Graph) -> None:
    """The kind of a thing is its rdf:type; "Uppsala (storregional nodstad)" is not a name."""
    qualified = sorted(
        f"{s} {o!r}"
        for p in (RDFS.label, SKOS.prefLabel)
        for s, o in published.subject_objects(p)
        if re.search(r"\(.*\)", str(o))
    )
    assert not qualified


def test_no_alternative_label_repeats_the_label(published: Graph) -> None:
    repeated = sorted(
        f"{s} {o!r}" for s, o in published.subject_objects(SKOS.altLabel) if (s, RDFS.label, o) in published
    )
    assert not repeated


def test_every_ontology_term_has_its_own_label(sources: Sources) -> None:
    """A class and a property (oms:RegionalAuthority, oms:regionalAuthority) are told apart by their labels."""
    seen: dict[tuple[str, str | None], str] = {}
    clashes = []
    for term, label in sorted(sources.ontology.subject_objects(RDFS.label)):
        key = (str(label), label.language if isinstance(label, Literal) else None)
        if key in seen:
            clashes.append(f"{key}: {seen[key]} and {term}")
        seen[key] = str(term)
    assert not clashes
