"""The human-facing pages: landing page, resource pages, ontology and shapes documents, the SVG map."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from oms_ld.rdf.labels import Labels, local_name, prefixed_name
from oms_ld.rdf.namespaces import ONTOLOGY_IRI, SHAPES_IRI
from oms_ld.web.html import href_for
from oms_ld.web.nodemap import MapNode, layout, overlaps

from ..conftest import BASE, DATA_GRAPH, ROOT, URIS

HTML = {"Accept": "text/html"}
NODE_CITY = "/doc/node-city/uppsala"
# A tagged template call: a script that would alert, and a label without parentheses (labels are names).
SCRIPT_LABEL = "<script>alert`1`</script>"
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SVG_NS = "{http://www.w3.org/2000/svg}"


class PageParser(HTMLParser):
    """Collects what the page checks need: tags, attributes, ids, text, and unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doctype = ""
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def parse_page(body: str) -> PageParser:
    """Parse a page and check what every page must have (HTML5 skeleton, landmarks, language switch)."""
    page = PageParser()
    page.feed(body)
    page.close()
    assert page.doctype.lower() == "doctype html"
    assert not page.errors and not page.stack, (page.errors, page.stack)
    html = page.find("html")[0]
    assert html["lang"] in ("sv", "en")
    assert page.find("meta", charset="utf-8")
    assert "width=device-width" in page.find("meta", name="viewport")[0]["content"]
    assert page.find("title")
    for landmark in ("header", "nav", "main", "footer"):
        assert page.find(landmark), landmark
    assert page.find("main")[0]["id"] == "main" and page.find("a", href="#main"), "skip link"
    switch = [a for a in page.find("a") if "?lang=" in a.get("href", "")]
    assert {a["hreflang"] for a in switch} == {"sv", "en"}
    assert [a["hreflang"] for a in switch if a.get("aria-current")] == [html["lang"]]
    ids = [a["id"] for _, a in page.tags if "id" in a]
    assert len(ids) == len(set(ids)), "duplicate ids"
    return page


# --- landing page --------------------------------------------------------------------------------


def test_landing_page_has_counts_description_links_and_map(app, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/?lang=sv")
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    page = parse_page(response.text)
    sizes = app.extensions["oms_ld"].store.graph_sizes()
    assert f"<strong>{sizes[str(DATA_GRAPH)]}</strong>" in response.text
    assert "De sju regionerna i östra Mellansverige" in response.text  # the collaboration's dct:description
    hrefs = {a.get("href") for a in page.find("a")}
    assert {"/sparql", "/download/", "/def/oms", "/def/shapes", "/map.svg"} <= hrefs
    node_cities = {h for h in hrefs if h and h.startswith("/id/node-city/")}
    assert len(node_cities) == 14
    assert "/id/county/uppsala-lan" in hrefs and "/def/oms#NodeCity" in hrefs
    assert page.find("svg") and len(page.find("circle")) >= 14
    assert BASE in response.text and "303" in response.text  # URI policy summary


def test_landing_page_language_caching_and_conditional_get(client) -> None:  # type: ignore[no-untyped-def]
    english = client.get("/", headers={"Accept-Language": "en"})
    assert 'lang="en"' in english.text and "What is ÖMS?" in english.text
    assert "Accept-Language" in english.headers["Vary"]
    swedish = client.get("/", headers={"Accept-Language": "sv"})
    assert "Vad är ÖMS?" in swedish.text and swedish.headers["ETag"] != english.headers["ETag"]
    again = client.get("/", headers={"Accept-Language": "en", "If-None-Match": english.headers["ETag"]})
    assert again.status_code == 304
    assert english.headers["Access-Control-Allow-Origin"] == "*" and english.last_modified is not None


# --- resource pages ------------------------------------------------------------------------------


UPPSALA_SV = 'Uppsala <span class="kind">— storregional nodstad</span>'
UPPSALA_EN = 'Uppsala <span class="kind">— major regional node city</span>'


@pytest.mark.parametrize(
    ("query", "headers", "lang", "title"),
    [
        # The name is the label; the kind is shown beside it because the place Uppsala shares the name.
        ("?lang=sv", {}, "sv", UPPSALA_SV),
        ("?lang=en", {}, "en", UPPSALA_EN),
        ("", {"Accept-Language": "en-GB,en;q=0.8"}, "en", UPPSALA_EN),
        ("", {"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"}, "sv", UPPSALA_SV),
    ],
)
def test_resource_page_language(client, query: str, headers: dict[str, str], lang: str, title: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(NODE_CITY + query, headers={**HTML, **headers})
    assert response.status_code == 200
    page = parse_page(response.text)
    assert page.find("html")[0]["lang"] == lang
    assert f"<h1>{title}</h1>" in response.text
    assert response.headers["Content-Language"] == lang
    assert "Accept-Language" in response.headers["Vary"]


def test_resource_page_links_types_properties_and_formats(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(NODE_CITY + "?lang=en", headers=HTML)
    page = parse_page(response.text)
    alternates = {a["type"]: a["href"] for a in page.find("link", rel="alternate")}
    assert alternates == {
        "text/turtle": f"{NODE_CITY}.ttl",
        "application/ld+json": f"{NODE_CITY}.jsonld",
        "application/rdf+xml": f"{NODE_CITY}.rdf",
        "application/n-triples": f"{NODE_CITY}.nt",
    }
    hrefs = {a.get("href") for a in page.find("a")}
    assert set(alternates.values()) <= hrefs  # visible links to the formats too
    assert {"/def/oms#NodeCity", "/def/oms#MajorRegionalNodeCity", "/def/oms#county"} <= hrefs  # types, property
    assert {"/id/county/uppsala-lan", "/id/region/uppsala", "/id/report/nodstadsrapporten"} <= hrefs
    assert "http://purl.org/dc/terms/source" in hrefs  # standard properties link to their IRI
    for section in ("Facts", "Refers to", "Provenance (sources)", "Referred to by", "Geometry"):
        assert f">{section}</h2>" in response.text, section
    assert "POINT(17.641 59.859)" in response.text
    assert "Uppsala County" in response.text and "@sv" in response.text  # labels of links, language tags


def test_external_links_are_marked_external(client) -> None:  # type: ignore[no-untyped-def]
    page = parse_page(client.get("/doc/county/uppsala-lan?lang=en", headers=HTML).text)
    external = {a["href"] for a in page.find("a") if "external" in a.get("rel", "").split()}
    assert any(h.startswith("http://www.wikidata.org/entity/Q") for h in external)
    assert any(h.startswith("http://data.europa.eu/nuts/code/SE") for h in external)
    assert not any(h.startswith("/") for h in external)
    partner = parse_page(client.get("/doc/partner-region/oslo", headers=HTML).text)
    assert "http://www.wikidata.org/entity/Q585" in {a["href"] for a in partner.find("a", rel="external")}


def test_error_pages_are_full_html_pages(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/doc/node-city/atlantis", headers=HTML)
    assert response.status_code == 404
    page = parse_page(response.text)
    assert "404" in "".join(page.text)


@pytest.fixture(scope="module")
def script_app(tmp_path_factory):  # type: ignore[no-untyped-def]
    """An app over a copy of data/ in which a node city has a label that looks like a script."""
    from oms_ld import create_app

    data = tmp_path_factory.mktemp("data")
    for path in (ROOT / "data").glob("*.ttl"):
        shutil.copy(path, data / path.name)
    add_script_label(data)
    return create_app({"TESTING": True, "DATA_DIR": str(data)})


def add_script_label(data: Path, thing: str = "node-city/uppsala") -> None:
    """Append an extra Swedish rdfs:label containing markup (still valid data)."""
    with (data / "zz-script-label.ttl").open("w", encoding="utf-8") as out:
        out.write(f'<{BASE}id/{thing}> <{RDFS.label}> "{SCRIPT_LABEL}"@sv .\n')


def test_labels_with_markup_are_escaped(script_app) -> None:  # type: ignore[no-untyped-def]
    client = script_app.test_client()
    for url in (NODE_CITY + "?lang=sv", "/?lang=sv", "/doc/municipality/uppsala?lang=sv"):
        body = client.get(url, headers=HTML).text
        assert SCRIPT_LABEL not in body and "<script" not in body, url
    body = client.get(NODE_CITY + "?lang=sv", headers=HTML).text
    assert "&lt;script&gt;alert`1`&lt;/script&gt;" in body
    parse_page(body)


# --- ontology and shapes documents ---------------------------------------------------------------


def test_ontology_page_html(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/def/oms?lang=en", headers=HTML)
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    page = parse_page(response.text)
    ids = {a["id"] for _, a in page.tags if "id" in a}
    assert {"NodeCity", "RegionalCityCore", "county", "countyCode", "constituentPlace"} <= ids
    assert "major regional node city" in response.text and "A Swedish county" in response.text
    hrefs = {a.get("href") for a in page.find("a")}
    assert "/def/oms#NodeCity" in hrefs  # super-class of the kinds, and range of properties
    assert "http://www.w3.org/ns/org#OrganizationalCollaboration" in hrefs
    assert {a["type"] for a in page.find("link", rel="alternate")} >= {"text/turtle", "application/ld+json"}
    assert "Accept-Language" in response.headers["Vary"] and "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("url", "headers", "fmt"),
    [
        ("/def/oms", {"Accept": "text/turtle"}, "turtle"),
        ("/def/oms", {}, "turtle"),
        ("/def/oms.ttl", HTML, "turtle"),
        ("/def/oms.jsonld", {}, "json-ld"),
        ("/def/oms.rdf", {}, "xml"),
        ("/def/oms", {"Accept": "application/n-triples"}, "nt"),
    ],
)
def test_ontology_rdf_variants(app, client, url: str, headers: dict[str, str], fmt: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format=fmt)
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in graph
    assert len(graph) == len(app.extensions["oms_ld"].sources.ontology)
    assert response.headers["Content-Location"].startswith("/def/oms.")


def test_definition_errors(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/def/nothing").status_code == 404
    assert client.get("/def/oms.trig").status_code == 404
    assert client.get("/def/oms", headers={"Accept": "image/png"}).status_code == 406


def test_shapes_page_and_variants(app, client) -> None:  # type: ignore[no-untyped-def]
    sv = client.get("/def/shapes?lang=sv", headers=HTML)
    page = parse_page(sv.text)
    ids = {a["id"] for _, a in page.tags if "id" in a}
    assert {"NodeCityShape", "CountyShape", "GeometryShape", "LabelSvProperty"} <= ids
    assert "/def/oms#NodeCity" in {a.get("href") for a in page.find("a")}  # target class
    assert "En ort måste ligga i minst en kommun" in sv.text
    en = client.get("/def/shapes?lang=en", headers=HTML).text
    assert "A place must lie in at least one municipality" in en and "En ort måste ligga" not in en
    turtle = Graph().parse(data=client.get("/def/shapes.ttl").data, format="turtle")
    assert (URIRef(SHAPES_IRI), RDF.type, OWL.Ontology) in turtle
    assert len(turtle) == len(app.extensions["oms_ld"].sources.shapes)


# --- the map ---------------------------------------------------------------------------------------


def test_map_svg_is_offline_linked_and_accessible(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/map.svg?lang=en")
    assert response.status_code == 200 and response.content_type.startswith("image/svg+xml")
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG_NS}svg"
    assert root.find(f"{SVG_NS}title") is not None and root.find(f"{SVG_NS}desc") is not None
    links = root.findall(f"{SVG_NS}a")
    circles = [(a.get("href"), c) for a in links for c in a.findall(f"{SVG_NS}circle")]
    assert len(circles) >= 14
    assert all(href and href.startswith("/id/node-city/") for href, _ in circles)
    assert len({href for href, _ in circles}) == len(links)  # each node city labelled once
    assert "Barkarby-Jakobsberg" in response.text and "Flemingsberg" in response.text  # drawn / noted as missing
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", response.text))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert "Accept-Language" in response.headers["Vary"]


def test_map_layout_keeps_labels_apart() -> None:
    nodes = [MapNode(f"/id/node-city/{i}", name, [(lon, lat)])
             for i, (name, lon, lat) in enumerate([("A long name", 18.0, 59.3), ("Another", 18.01, 59.31),
                                                   ("Third place", 17.99, 59.29), ("Far", 15.0, 58.5)])]  # fmt: skip
    width, height, grid = layout(nodes, "sv")
    boxes = [(n.label[0] - (7.4 * len(n.name) if n.label[2] == "end" else 0), n.label[1] - 14,
              n.label[0] + (0 if n.label[2] == "end" else 7.4 * len(n.name)), n.label[1]) for n in nodes]  # fmt: skip
    assert not any(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert all(0 <= x <= width and 0 <= y <= height for n in nodes for x, y in n.points)
    assert grid and all(line.text.endswith(("° Ö", "° N")) for line in grid)


# --- labels and links ------------------------------------------------------------------------------


def test_every_term_used_has_swedish_and_english_labels(app) -> None:  # type: ignore[no-untyped-def]
    sources = app.extensions["oms_ld"].sources
    published = sources.published()
    labels = Labels.from_graphs(sources.ontology, sources.data)
    terms = {str(p) for p in published.predicates()} | {str(o) for o in published.objects(None, RDF.type)}
    missing = [(term, lang) for term in sorted(terms) for lang in ("sv", "en") if not labels.exact(term, lang)]
    assert not missing


def test_label_fallback_chain() -> None:
    labels = Labels.from_graphs(with_vocab=False)
    labels.add("http://example.org/a", "only English", "en")
    labels.add("http://example.org/b", "plain")
    assert labels.label("http://example.org/a", "sv") == "only English"
    assert labels.label("http://example.org/b", "en") == "plain"
    assert labels.label("http://purl.org/dc/terms/nothing", "sv") == "dct:nothing"
    assert labels.label("http://example.org/x/y#z", "sv") == "z"
    assert prefixed_name(BASE + "id/place/uppsala#geometry", URIS.prefixes) == "omsid:place/uppsala#geometry"
    assert prefixed_name(BASE + "id/place/uppsala") is None  # a deployment's things are named by its policy
    assert Labels(URIS.prefixes).label(BASE + "id/place/x", "sv") == "omsid:place/x"
    assert local_name("http://example.org/a/b/") == "b"
    vocab = Labels.from_graphs()
    assert vocab.label(str(RDFS.label), "sv") == "etikett" and vocab.label(str(RDFS.label), "en") == "label"


@pytest.mark.parametrize(
    ("iri", "expected"),
    [
        (BASE + "id/node-city/uppsala", ("/id/node-city/uppsala", False)),
        (BASE + "def/oms#NodeCity", ("/def/oms#NodeCity", False)),
        ("http://www.wikidata.org/entity/Q1", ("http://www.wikidata.org/entity/Q1", True)),
        ("urn:isbn:123", (None, False)),
        ("javascript:alert(1)", (None, False)),
    ],
)
def test_href_for(iri: str, expected: tuple[str | None, bool]) -> None:
    assert href_for(iri, BASE) == expected


@pytest.mark.parametrize("path", ["/", "/doc/strategy/oms-2050"])
def test_strategic_directions_are_listed_by_ordinal_not_by_name(client, path: str) -> None:  # type: ignore[no-untyped-def]
    """ÖMS 2050's five directions come in the source text's order (oms:ordinal), in every listing."""
    body = client.get(path, headers=HTML).get_data(as_text=True)
    found = re.findall(r'href="/id/strategy/oms-2050/direction-(\d)"', body)
    assert found, "no strategic direction is listed"
    for start in range(0, len(found), 5):
        assert found[start : start + 5] == ["1", "2", "3", "4", "5"]
