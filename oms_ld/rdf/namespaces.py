"""Every namespace the project uses, spelled out once, and the prefixes bound on output."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

#: The persistent base every published IRI starts with (see the URI policy in README.md).
BASE = "https://w3id.org/oms-ld/"

ID = Namespace(BASE + "id/")
DOC = Namespace(BASE + "doc/")
OMS = Namespace(BASE + "def/oms#")
OMSSH = Namespace(BASE + "def/shapes#")
ONTOLOGY_IRI = BASE + "def/oms"
SHAPES_IRI = BASE + "def/shapes"

#: The dataset, its catalogue and the SPARQL service, described by VoID and DCAT (see dataset.py).
DATASET = ID["dataset/oms-ld"]
CATALOG = ID["catalog/oms-ld"]
SPARQL_SERVICE = ID["service/sparql"]
LICENSE = "http://creativecommons.org/licenses/by/4.0/"

#: Named graphs of the store: what `ontology/`, `data/` and `shapes/` are loaded into.
GRAPH = Namespace(BASE + "graph/")
DATA_GRAPH = GRAPH.data
ONTOLOGY_GRAPH = GRAPH.ontology
SHAPES_GRAPH = GRAPH.shapes

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
    "omsid": str(ID),
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


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes on `graph` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def sparql_prologue(*names: str) -> str:
    """PREFIX lines for the given prefix names (all of them when none are given)."""
    chosen = names or tuple(PREFIXES)
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in chosen)
