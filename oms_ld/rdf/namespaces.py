"""Every vocabulary the project uses, spelled out once, and the prefixes bound on output."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

#: The ÖMS vocabulary: the ontology and its shapes. Vocabulary IRIs are constants wherever the data is
#: served; what a deployment mints under its own base comes from `uris.UriPolicy`.
VOCABULARY_BASE = "https://w3id.org/oms-ld/"
OMS = Namespace(VOCABULARY_BASE + "def/oms#")
OMSSH = Namespace(VOCABULARY_BASE + "def/shapes#")
ONTOLOGY_IRI = VOCABULARY_BASE + "def/oms"
SHAPES_IRI = VOCABULARY_BASE + "def/shapes"
LICENSE = "http://creativecommons.org/licenses/by/4.0/"

GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SF = Namespace("http://www.opengis.net/ont/sf#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
WD = Namespace("http://www.wikidata.org/entity/")
NUTS = Namespace("http://data.europa.eu/nuts/code/")
SPDX = Namespace("http://spdx.org/rdf/terms#")

PREFIXES: dict[str, str] = {
    "oms": str(OMS),
    "omssh": str(OMSSH),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "org": str(ORG),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "geo": str(GEO),
    "sf": str(SF),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "void": str(VOID),
    "dcat": str(DCAT),
    "vcard": str(VCARD),
    "adms": str(ADMS),
    "sd": str(SD),
    "vann": str(VANN),
    "wd": str(WD),
    "nuts": str(NUTS),
    "spdx": str(SPDX),
    "dcatap": str(DCATAP),
}


def bind_prefixes(graph: Graph, prefixes: Mapping[str, str] = PREFIXES) -> Graph:
    """Bind `prefixes` (the vocabularies by default) on `graph`, replacing rdflib's defaults; returns it."""
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def sparql_prologue(*names: str) -> str:
    """PREFIX lines for the given prefix names (all of them when none are given)."""
    chosen = names or tuple(PREFIXES)
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in chosen)
