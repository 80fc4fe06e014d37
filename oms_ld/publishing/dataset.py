"""The dataset description: one graph that is both the VoID description and the DCAT catalogue.

The same entities carry both vocabularies (the dataset is a void:Dataset and a dcat:Dataset), so the
two descriptions agree by construction. Statistics, partitions and link counts are computed with
SPARQL through the store (over the default graph, data + ontology), so a remote store answers the
same way as the embedded one. External IRIs are typed as DCAT-AP 3.0.1's range shapes expect.
Pure: no Flask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, VOID, XSD

from ..rdf.namespaces import DCATAP, LICENSE, ONTOLOGY_IRI, SPDX, VCARD
from ..rdf.uris import UriPolicy
from ..store import Store
from .dumps import Dump
from .versions import Version, describe_versions
from .void import describe_void, rows

#: DCAT 3 term (rdflib's DCAT namespace is DCAT 2 and warns about it).
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
IANA = "http://www.iana.org/assignments/media-types/"
EU = "http://publications.europa.eu/resource/authority/"
VERSION = "1.0.0"
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
THEMES = (URIRef(EU + "data-theme/REGI"), URIRef(EU + "data-theme/GOVE"))
LANGUAGES = (URIRef(EU + "language/SWE"), URIRef(EU + "language/ENG"))
PUBLIC = URIRef(EU + "access-right/PUBLIC")
IRREGULAR = URIRef(EU + "frequency/IRREG")
STABLE = URIRef(EU + "planned-availability/STABLE")
REGIONAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/RegionalAuthority")
ATTRIBUTION = URIRef("http://purl.org/adms/licencetype/Attribution")
THEME_SCHEME = URIRef(EU + "data-theme")

#: Controlled-vocabulary terms we refer to: their types (as range.ttl wants) and labels (from DCAT-AP-SE's bundle).
TERMS: tuple[tuple[URIRef, tuple[URIRef, ...], str, str], ...] = (
    (THEMES[0], (SKOS.Concept,), "Regioner och städer", "Regions and cities"),
    (THEMES[1], (SKOS.Concept,), "Regeringen och den offentliga sektorn", "Government and public sector"),
    (LANGUAGES[0], (DCTERMS.LinguisticSystem, SKOS.Concept), "svenska", "Swedish"),
    (LANGUAGES[1], (DCTERMS.LinguisticSystem, SKOS.Concept), "engelska", "English"),
    (PUBLIC, (DCTERMS.RightsStatement, SKOS.Concept), "Publik", "Public"),
    (IRREGULAR, (DCTERMS.Frequency, SKOS.Concept), "oregelbundet", "irregular"),
    (STABLE, (SKOS.Concept,), "Stabil", "Stable"),
    (REGIONAL_AUTHORITY, (SKOS.Concept,), "Regional myndighet/landsting", "Regional authority"),
)  # fmt: skip
TEXT = {
    "catalog": ("Katalog för oms-ld", "oms-ld catalogue"),
    "catalog-about": ("Datamängder och datatjänster som ÖMS-samarbetet publicerar som länkade öppna data.",
                      "Datasets and data services that the ÖMS collaboration publishes as linked open data."),
    "dataset": ("ÖMS – länkade öppna data om samverkan inom östra Mellansverige",
                "ÖMS – linked open data about the collaboration in Eastern Central Sweden"),
    "dataset-about": ("Fakta om ÖMS: de sju regionerna och Mälardalsrådet, länen och kommunerna, nodstäderna, "
                      "strategin ÖMS 2050 och ÖMS-rapporterna, som RDF under ÖMS-ontologin, validerade med SHACL.",
                      "Facts about ÖMS: the seven regions and Mälardalsrådet, the counties and municipalities, the "
                      "node cities, the strategy ÖMS 2050 and the ÖMS reports, as RDF under the ÖMS ontology, "
                      "validated with SHACL."),
    "service": ("SPARQL-ändpunkt för oms-ld", "oms-ld SPARQL endpoint"),
    "service-about": ("Skrivskyddad SPARQL 1.1-ändpunkt över data och ontologi.",
                      "Read-only SPARQL 1.1 endpoint over the data and the ontology."),
}  # fmt: skip
KEYWORDS = {
    "sv": ("östra Mellansverige", "ÖMS", "regional utveckling", "nodstäder", "regioner", "län", "kommuner",
           "länkade data"),
    "en": ("Eastern Central Sweden", "ÖMS", "regional development", "node cities", "regions", "counties",
           "municipalities", "linked data"),
}  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """A DCAT application profile the catalogue can be served in (Content Negotiation by Profile)."""

    token: str
    uri: str
    label: str
    #: DCAT-AP-SE wants dct:format as a literal media type; DCAT-AP 3.0.1 wants an IRI (a dct:MediaTypeOrExtent).
    literal_format: bool


DCAT_AP_SE = Profile("dcat-ap-se", "https://docs.dataportal.se/dcat/3.0.1/en/", "DCAT-AP-SE 3.0.1", True)
DCAT_AP = Profile("dcat-ap", "https://semiceu.github.io/DCAT-AP/releases/3.0.1/", "DCAT-AP 3.0.1", False)
#: The default first: the Swedish data portal harvests the catalogue without asking for a profile.
PROFILES: tuple[Profile, ...] = (DCAT_AP_SE, DCAT_AP)


def _both(g: Graph, node: URIRef, prop: URIRef, key: str) -> None:
    sv, en = TEXT[key]
    g.add((node, prop, Literal(sv, lang="sv")))
    g.add((node, prop, Literal(en, lang="en")))


def _common(g: Graph, u: UriPolicy, node: URIRef, release_date: str | None) -> None:
    """What the catalogue, dataset and service share: publisher, licence and (but the service) dates."""
    g.add((node, DCTERMS.publisher, publisher(u)))
    g.add((node, DCTERMS.license, URIRef(LICENSE)))
    if release_date:
        g.add((node, DCTERMS.issued, Literal(release_date, datatype=XSD.date)))
        g.add((node, DCTERMS.modified, Literal(release_date, datatype=XSD.date)))


def _media_type(g: Graph, mime: str) -> URIRef:
    iri = URIRef(IANA + mime)
    g.add((iri, RDF.type, DCTERMS.MediaType))
    g.add((iri, RDF.type, DCTERMS.MediaTypeOrExtent))
    return iri


def _format(g: Graph, mime: str, profile: Profile) -> Literal | URIRef:
    return Literal(mime) if profile.literal_format else _media_type(g, mime)


def _terms(g: Graph, u: UriPolicy, names: list[Literal], email: str) -> None:
    """The referenced vocabulary terms, the licence, the publisher agent and the contact point."""
    for iri, types, sv, en in TERMS:
        for cls in types:
            g.add((iri, RDF.type, cls))
        g.add((iri, SKOS.prefLabel, Literal(sv, lang="sv")))
        g.add((iri, SKOS.prefLabel, Literal(en, lang="en")))
    for theme in THEMES:
        g.add((theme, SKOS.inScheme, THEME_SCHEME))
    g.add((THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
    g.add((THEME_SCHEME, DCTERMS.title, Literal("Data theme", lang="en")))
    licence = URIRef(LICENSE)
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    g.add((licence, RDFS.label, Literal("CC BY 4.0")))
    g.add((licence, DCTERMS.type, ATTRIBUTION))
    g.add((ATTRIBUTION, RDF.type, SKOS.Concept))
    g.add((ATTRIBUTION, SKOS.prefLabel, Literal("Attribution", lang="en")))
    g.add((u.homepage, RDF.type, FOAF.Document))
    g.add((URIRef(ONTOLOGY_IRI), RDF.type, DCTERMS.Standard))
    g.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    for cls in (FOAF.Agent, FOAF.Organization):
        g.add((publisher(u), RDF.type, cls))
    g.add((publisher(u), DCTERMS.type, REGIONAL_AUTHORITY))
    for cls in (VCARD.Organization, VCARD.Kind):
        g.add((contact(u), RDF.type, cls))
    g.add((contact(u), VCARD.hasEmail, URIRef(email if email.startswith("mailto:") else f"mailto:{email}")))
    for name in names:
        g.add((publisher(u), FOAF.name, name))
        g.add((contact(u), VCARD.fn, name))


def _catalog(g: Graph, u: UriPolicy, spatial: list[URIRef], release_date: str) -> None:
    g.add((u.catalog, RDF.type, DCAT.Catalog))
    _both(g, u.catalog, DCTERMS.title, "catalog")
    _both(g, u.catalog, DCTERMS.description, "catalog-about")
    _common(g, u, u.catalog, release_date)
    g.add((u.catalog, DCAT.dataset, u.dataset))
    g.add((u.catalog, DCAT.service, u.sparql_service))
    g.add((u.catalog, FOAF.homepage, u.homepage))
    g.add((u.catalog, DCAT.themeTaxonomy, THEME_SCHEME))
    for language in LANGUAGES:
        g.add((u.catalog, DCTERMS.language, language))
    for place in spatial:
        g.add((u.catalog, DCTERMS.spatial, place))


def _described(g: Graph, u: UriPolicy, node: URIRef) -> None:
    """Keywords, themes, contact point and access rights (dataset and service)."""
    for lang, words in KEYWORDS.items():
        for word in words:
            g.add((node, DCAT.keyword, Literal(word, lang=lang)))
    for theme in THEMES:
        g.add((node, DCAT.theme, theme))
    g.add((node, DCAT.contactPoint, contact(u)))
    g.add((node, DCTERMS.accessRights, PUBLIC))


def _dataset(g: Graph, u: UriPolicy, spatial: list[URIRef], release_date: str) -> None:
    for cls in (DCAT.Dataset, VOID.Dataset):
        g.add((u.dataset, RDF.type, cls))
    _both(g, u.dataset, DCTERMS.title, "dataset")
    _both(g, u.dataset, DCTERMS.description, "dataset-about")
    _common(g, u, u.dataset, release_date)
    _described(g, u, u.dataset)
    for place in spatial:
        g.add((u.dataset, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
    for language in LANGUAGES:
        g.add((u.dataset, DCTERMS.language, language))
    g.add((u.dataset, DCAT_VERSION, Literal(VERSION)))
    g.add((u.dataset, OWL.versionInfo, Literal(VERSION)))
    g.add((u.dataset, DCTERMS.accrualPeriodicity, IRREGULAR))
    g.add((u.dataset, DCTERMS.conformsTo, URIRef(ONTOLOGY_IRI)))
    g.add((u.dataset, DCAT.landingPage, u.homepage))
    g.add((u.dataset, VOID.sparqlEndpoint, u.sparql))
    g.add((u.dataset, VOID.uriSpace, Literal(str(u.id))))


def _versioned(g: Graph, u: UriPolicy, node: URIRef, release_date: str) -> None:
    """What a dated release shares with the living dataset (versions.py)."""
    _common(g, u, node, release_date)
    _described(g, u, node)


def _service(g: Graph, u: UriPolicy, profile: Profile) -> None:
    g.add((u.sparql_service, RDF.type, DCAT.DataService))
    _both(g, u.sparql_service, DCTERMS.title, "service")
    _both(g, u.sparql_service, DCTERMS.description, "service-about")
    _common(g, u, u.sparql_service, None)
    _described(g, u, u.sparql_service)
    g.add((u.sparql_service, DCAT.endpointURL, u.sparql))
    g.add((u.sparql_service, DCAT.endpointDescription, u.sparql))
    g.add((u.sparql_service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((u.sparql_service, DCAT.servesDataset, u.dataset))
    # DCAT-AP-SE's list names application/sparql-query ("RDF query (SPARQL)") for SPARQL services.
    g.add((u.sparql_service, DCTERMS.format, _format(g, "application/sparql-query", profile)))


def _distributions(g: Graph, u: UriPolicy, dumps: list[Dump], profile: Profile, release_date: str,
                   dataset: URIRef | None = None) -> None:  # fmt: skip
    """One dcat:Distribution per file content (a dated file and its `latest` alias share one).

    `dataset` is a dated release (versions.py); without it, the living dataset, whose void:dataDump
    lists the files."""
    if dataset is None:
        for dump in dumps:
            if not dump.about[0]:  # void:dataDump is RDF; the code crosswalk (CSV) is a distribution only
                g.add((u.dataset, VOID.dataDump, u.download(dump.name)))
    owner = u.dataset if dataset is None else dataset
    for dump in (d for d in dumps if d.name == d.filename):
        key = dump.rdf_format.suffix + ("-gz" if dump.compressed else "")
        dist = URIRef(f"{owner}/distribution/{key}")
        g.add((owner, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.accessURL, u.download(dump.name)))
        for alias in (d for d in dumps if d.filename == dump.filename):
            g.add((dist, DCAT.downloadURL, u.download(alias.name)))
        g.add((dist, DCAT.mediaType, _media_type(g, dump.rdf_format.mime)))
        g.add((dist, DCTERMS.format, _format(g, dump.rdf_format.mime, profile)))
        if dump.compressed:
            g.add((dist, DCAT.compressFormat, _media_type(g, dump.media_type)))
        g.add((dist, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(f"{dist}#checksum")
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
        g.add((dist, DCTERMS.license, URIRef(LICENSE)))
        g.add((dist, DCTERMS.issued, Literal(release_date, datatype=XSD.date)))
        g.add((dist, DCATAP.availability, STABLE))
        packed = " (gzip)" if dump.compressed else ""
        what = ("data, ontologi och SHACL-former", "data, ontology and SHACL shapes") if dump.quads else (
            "data och ontologi", "data and ontology")  # fmt: skip
        label = dump.rdf_format.label
        if dump.about[0]:  # not a dump of the graphs (the code crosswalk): say what it holds instead
            for text, lang in zip(dump.about, ("sv", "en"), strict=True):
                g.add((dist, DCTERMS.title, Literal(f"oms-ld {text.split(':')[0]} ({label})", lang=lang)))
                g.add((dist, DCTERMS.description, Literal(f"{text[:1].upper()}{text[1:]} ({label}).", lang=lang)))
            continue
        g.add((dist, DCTERMS.title, Literal(f"oms-ld som {label}{packed}", lang="sv")))
        g.add((dist, DCTERMS.title, Literal(f"oms-ld as {label}{packed}", lang="en")))
        g.add((dist, DCTERMS.description, Literal(f"Hela datamängden ({what[0]}) som {label}{packed}.", lang="sv")))
        g.add((dist, DCTERMS.description, Literal(f"The whole dataset ({what[1]}) as {label}{packed}.", lang="en")))


def publisher(u: UriPolicy) -> URIRef:
    """The publishing agent: the ÖMS collaboration."""
    return u.id["collaboration/oms"]


def contact(u: UriPolicy) -> URIRef:
    """The contact point (a vcard:Kind) of the dataset."""
    return URIRef(f"{u.dataset}#contact")


def build_metadata(
    store: Store,
    dumps: Iterable[Dump],
    *,
    uris: UriPolicy,
    release_date: str,
    contact_email: str,
    profile: Profile = DCAT_AP_SE,
    history: Sequence[Version] = (),
    void: Graph | None = None,
) -> Graph:
    """The VoID + DCAT description of the dataset, its catalogue, SPARQL service and dump files.

    Args:
        store: the published store; counts and links are queried from its default graph.
        dumps: the dump files (sizes and checksums go into the distributions).
        release_date: YYYY-MM-DD, the dataset's dct:issued and dct:modified.
        contact_email: the contact point's address (`mailto:` is added when missing).
        profile: DCAT-AP-SE (literal dct:format, the default) or DCAT-AP (media type IRIs).
        history: the earlier releases still kept, for the version chain (versions.py).
        void: the VoID statistics already computed by `describe_void` (the same for every profile, and
            costly over a big store); computed here when None.
    """
    u = uris
    g = u.bind(Graph())
    labels = rows(store, f"SELECT ?l (LANG(?l) AS ?lang) WHERE {{ <{publisher(u)}> rdfs:label ?l }}")
    names = [Literal(row["l"], lang=row.get("lang") or None) for row in labels] or [Literal("ÖMS")]
    nuts = rows(store, "SELECT DISTINCT ?x WHERE { ?county oms:nuts3Region ?x } ORDER BY ?x")
    spatial = [URIRef(row["x"]) for row in nuts]
    _terms(g, u, names, contact_email)
    _catalog(g, u, spatial, release_date)
    _dataset(g, u, spatial, release_date)
    _service(g, u, profile)
    files = sorted(dumps, key=lambda d: d.name)
    _distributions(g, u, files, profile, release_date)
    current = Version(release_date, tuple(d for d in files if release_date in d.name and d.name == d.filename))
    describe_versions(
        g,
        u,
        [*(v for v in history if v.date != release_date), current],
        common=lambda graph, node, date: _versioned(graph, u, node, date),
        distributions=lambda graph, node, found, date: _distributions(graph, u, found, profile, date, node),
    )
    if void is None:
        describe_void(g, store, u)
    else:
        for triple in void:
            g.add(triple)
    return g
