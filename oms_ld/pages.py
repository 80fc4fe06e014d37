"""Blueprint "pages": the landing page, the ontology and shapes documents, and the node-city map.

Every page is built once per data version (and language) through `site.cache`, then sent with
validators, 304 handling, CORS and gzip by `http.send`. Data questions go to the store as SPARQL;
the ontology and shapes pages are drawn from the content graphs the app loaded and validated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, render_template, request
from markupsafe import Markup
from rdflib import Graph
from werkzeug.wrappers import Response

from .cache import Representation, make_etag
from .conneg import negotiate
from .errors import NotFound
from .formats import BY_SUFFIX, HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, MediaType
from .html import alternates, href_for, labels_for, ontology_view, page, shapes_view, ui
from .http import send
from .labels import LANGUAGES, Labels
from .namespaces import DATA_GRAPH, OMS, ONTOLOGY_GRAPH, ONTOLOGY_IRI, SHAPES_IRI, sparql_prologue
from .queries import iri_ref
from .render import rdf_bytes
from .resources import language
from .site import Site, get_site

bp = Blueprint("pages", __name__)

#: What /def/oms and /def/shapes can be; Turtle for `*/*`, HTML for browsers (as for resource documents).
DEF_FORMATS: tuple[MediaType, ...] = (TURTLE, HTML, JSONLD, RDFXML, NTRIPLES)
SVG = "image/svg+xml; charset=utf-8"
_POINT = re.compile(r"^\s*POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)\s*$", re.IGNORECASE)


@bp.app_template_global("ui_text")
def ui_text(lang: str) -> dict[str, str]:
    """UI strings for templates rendered without them (the error page)."""
    return ui(lang)


def cached(site: Site, key: tuple[str, ...], content_type: str, body: Callable[[], bytes],
           headers: tuple[tuple[str, str], ...] = ()) -> Representation:  # fmt: skip
    """The representation for `key` in this data version, built by `body()` on first use."""

    def build() -> Representation:
        return Representation(body=body(), content_type=content_type, etag=make_etag(site.version, "page", *key),
                              last_modified=site.sources.modified, headers=headers)  # fmt: skip

    return site.cache.get(("page", site.version, *key), build)


# --- landing page ----------------------------------------------------------------------------------


def solutions(site: Site, sparql: str, graphs: list[str] | None = None) -> list[dict[str, str]]:
    """SELECT rows as plain dicts of strings (unbound variables left out)."""
    result = site.store.query(sparql, default_graphs=graphs)
    names = [v.value for v in result.solutions.variables] if result.solutions is not None else []
    return [{n: row[n].value for n in names if row[n] is not None} for row in result.solutions or []]


def landing_view(site: Site, labels: Labels, lang: str) -> dict[str, object]:
    """Counts, the collaboration's description, and every class with its members."""
    lang = lang if lang in LANGUAGES else LANGUAGES[0]
    things = iri_ref(site.base + "id/")
    members = solutions(site, f"SELECT ?class ?s WHERE {{ ?s a ?class FILTER(STRSTARTS(STR(?s), STR({things}))) }}",
                        [str(DATA_GRAPH)])  # fmt: skip
    by_class: dict[str, set[str]] = {}
    for row in members:
        by_class.setdefault(row["class"], set()).add(row["s"])
    classes = sorted(by_class, key=lambda c: (not c.startswith(str(OMS)), labels.label(c, lang).casefold()))
    listing = [
        {
            "cls": link(c, labels, lang, site.base),
            "members": sorted((link(s, labels, lang, site.base) for s in by_class[c]), key=lambda v: v[0].casefold()),
            "ours": c.startswith(str(OMS)),
        }
        for c in classes
    ]
    about = solutions(site, sparql_prologue("oms", "dct") + "SELECT ?d WHERE { ?c a oms:Collaboration ; "
                      f'dct:description ?d FILTER(LANG(?d) = "{lang}") }}')  # fmt: skip
    sizes = site.store.graph_sizes()
    return {
        "about": sorted(row["d"] for row in about),
        "counts": [
            (sizes.get(str(DATA_GRAPH), 0), "data_triples"),
            (sizes.get(str(ONTOLOGY_GRAPH), 0), "ontology_triples"),
            (len({row["s"] for row in members}), "resources"),
            (len(classes), "classes"),
        ],
        "classes": listing,
    }


def link(iri: str, labels: Labels, lang: str, base: str) -> tuple[str, str | None]:
    """(label, local path or IRI) for a listing."""
    return labels.label(iri, lang), href_for(iri, base)[0]


@bp.route("/")
def index() -> Response:
    """The landing page: what ÖMS is, what is published, how to query, download and link."""
    site, lang = get_site(), language()

    def body() -> bytes:
        context = landing_view(site, labels_for(site), lang)
        html = render_template("index.html", **page(lang, "/"), **context, map_svg=node_city_map(site, lang),
                               base=site.base)  # fmt: skip
        return html.encode("utf-8")

    rep = cached(site, ("index", lang), HTML.content_type, body, (("Content-Language", lang),))
    return send(rep, vary=("Accept-Language",), max_age=int(site.config["CACHE_MAX_AGE"]))


# --- ontology and shapes documents -----------------------------------------------------------------


def definition_graph(site: Site, name: str) -> tuple[Graph, str]:
    """The content graph and document IRI behind `/def/<name>`."""
    if name == "oms":
        return site.sources.ontology, ONTOLOGY_IRI
    if name == "shapes":
        return site.sources.shapes, SHAPES_IRI
    raise NotFound(f"/def/{name[:100]}: no such definition (there are /def/oms and /def/shapes)")


def definition_body(site: Site, name: str, media_type: MediaType, lang: str) -> bytes:
    """One representation of the ontology or shapes document."""
    graph, iri = definition_graph(site, name)
    if media_type is not HTML:
        return rdf_bytes(graph, media_type)
    labels = labels_for(site)
    labels.add_graph(graph)
    view = ontology_view if name == "oms" else shapes_view
    context = view(graph, iri, labels, lang, site.base)
    stem = f"/def/{name}"
    return render_template(f"{'ontology' if name == 'oms' else 'shapes'}.html",
                           **page(lang, stem, alternates=alternates(stem)), **context).encode("utf-8")  # fmt: skip


@bp.route("/def/<name>")
def definition(name: str) -> Response:
    """`/def/oms` and `/def/shapes`, negotiated; `/def/oms.ttl` and the like are fixed variants."""
    site = get_site()
    stem, dot, suffix = name.partition(".")
    definition_graph(site, stem)
    vary: tuple[str, ...] = ("Accept", "Accept-Language")
    if dot:
        media_type = BY_SUFFIX.get(suffix)
        if media_type is None or media_type not in DEF_FORMATS:
            raise NotFound(f"/def/{name[:100]}: no such format (try .html, .ttl, .jsonld, .rdf or .nt)")
        vary = ("Accept-Language",) if media_type is HTML else ()
    else:
        media_type = negotiate(request.headers.get("Accept"), DEF_FORMATS, format_param=request.args.get("format"))
    lang = language() if media_type is HTML else ""
    links = tuple(("Link", f'</def/{stem}.{m.suffix}>; rel="alternate"; type="{m.mime}"') for m in DEF_FORMATS)
    headers = (("Content-Location", f"/def/{stem}.{media_type.suffix}"), *links)
    headers += (("Content-Language", lang),) if lang else ()
    rep = cached(site, ("def", stem, media_type.suffix, lang), media_type.content_type,
                 lambda: definition_body(site, stem, media_type, lang), headers)  # fmt: skip
    return send(rep, vary=vary, max_age=int(site.config["CACHE_MAX_AGE"]))


# --- the node-city map -----------------------------------------------------------------------------


@dataclass
class MapNode:
    """A node city on the map: its link, name and points (projected later), and where its label goes."""

    href: str
    name: str
    points: list[tuple[float, float]] = field(default_factory=list)
    highlight: bool = False
    label: tuple[float, float, str] = (0.0, 0.0, "start")
    leader: tuple[float, float, float, float] | None = None


def map_nodes(site: Site, lang: str) -> list[MapNode]:
    """The node cities with their WKT points and short names (skos:altLabel, else rdfs:label) in `lang`."""
    lang = lang if lang in LANGUAGES else LANGUAGES[0]
    query = sparql_prologue("oms", "geo", "skos", "rdfs") + (
        "SELECT ?city ?wkt ?name WHERE { ?city a oms:NodeCity OPTIONAL { ?city geo:hasGeometry/geo:asWKT ?wkt } "
        f'OPTIONAL {{ ?city skos:altLabel|rdfs:label ?name FILTER(LANG(?name) = "{lang}") }} }}'
    )
    nodes: dict[str, MapNode] = {}
    for row in solutions(site, query):
        href = href_for(row["city"], site.base)[0]
        if href is None:
            continue
        node = nodes.setdefault(row["city"], MapNode(href, row.get("name", "")))
        if row.get("name") and (not node.name or len(row["name"]) < len(node.name)):
            node.name = row["name"]
        match = _POINT.match(row.get("wkt", ""))
        point = (float(match.group(1)), float(match.group(2))) if match else None
        if point and point not in node.points:
            node.points.append(point)
    return sorted(nodes.values(), key=lambda n: n.name)


Box = tuple[float, float, float, float]


def overlaps(a: Box, b: Box) -> bool:
    """Whether two (x0, y0, x1, y1) boxes intersect."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def free_spot(x: float, y: float, width: float, taken: list[Box]) -> tuple[float, str, Box]:
    """The first label position (vertical offset, side) beside (x, y) whose box overlaps nothing taken."""
    candidates = [(dy * sign, side) for dy in range(0, 112, 16) for sign in (1, -1) for side in ("start", "end")]
    for dy, side in candidates:
        left = x + 9 if side == "start" else x - 9 - width
        box = (left, y + dy - 10, left + width, y + dy + 4)
        if not any(overlaps(box, other) for other in taken):
            return dy, side, box
    return 0, "start", (x + 9, y - 10, x + 9 + width, y + 4)


def place_labels(nodes: list[MapNode], char_width: float = 7.4) -> float:
    """Put each label beside its easternmost point, nudged up or down (with a leader line) to avoid overlaps.

    Returns the right edge of the rightmost label.
    """
    taken: list[Box] = [(x - 6, y - 6, x + 6, y + 6) for n in nodes for x, y in n.points]
    for node in sorted(nodes, key=lambda n: min(y for _, y in n.points)):
        x, y = max(node.points)
        dy, side, box = free_spot(x, y, char_width * len(node.name), taken)
        taken.append(box)
        node.label = (x + 9 if side == "start" else x - 9, y + dy + 4, side)
        node.leader = (x, y, node.label[0], y + dy) if dy else None
    return max((box[2] for box in taken), default=0.0)


@dataclass(frozen=True)
class GridLine:
    """One graticule line with its degree label."""

    x1: float
    y1: float
    x2: float
    y2: float
    text: str


def layout(
    nodes: list[MapNode], lang: str, plot_width: float = 340, margin: float = 24
) -> tuple[int, int, list[GridLine]]:
    """Project the points in place (equirectangular, lon scaled by cos(mid-latitude)); SVG size and graticule."""
    lons = [lon for n in nodes for lon, _ in n.points] or [0.0]
    lats = [lat for n in nodes for _, lat in n.points] or [0.0]
    west, east, south, north = min(lons) - 0.2, max(lons) + 0.2, min(lats) - 0.2, max(lats) + 0.2
    k = math.cos(math.radians((south + north) / 2))
    scale = plot_width / max((east - west) * k, 1e-9)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(margin + (lon - west) * k * scale, 1), round(margin + (north - lat) * scale, 1)

    for node in nodes:
        node.points = [project(lon, lat) for lon, lat in node.points]
    right = place_labels(nodes)
    width, height = round(max(plot_width + 2 * margin, right + margin / 2)), round((north - south) * scale + 2 * margin)
    east_mark = "Ö" if lang == "sv" else "E"
    grid = [GridLine(*project(lon, north), *project(lon, south), f"{lon}° {east_mark}")
            for lon in range(math.ceil(west), math.floor(east) + 1)]  # fmt: skip
    grid += [GridLine(margin, y, width - margin, y, f"{lat}° N")
             for lat in range(math.ceil(south), math.floor(north) + 1) for y in (project(west, lat)[1],)]  # fmt: skip
    return width, height, grid


def node_city_map(site: Site, lang: str, *, highlight: str = "", standalone: bool = False) -> Markup:
    """The node cities as an SVG drawing (inline in pages, or a standalone `/map.svg` document)."""
    every = map_nodes(site, lang)
    nodes = [node for node in every if node.points]
    here = href_for(highlight, site.base)[0] if highlight else None
    for node in nodes:
        node.highlight = node.href == here
    width, height, grid = layout(nodes, lang)
    svg = render_template("map.html", nodes=nodes, width=width, height=height, grid=grid, t=ui(lang), lang=lang,
                          standalone=standalone, highlighted=here is not None,
                          missing=[node.name for node in every if not node.points])  # fmt: skip
    return Markup(svg)


@bp.route("/map.svg")
def map_svg() -> Response:
    """The node-city map as an SVG image: drawn on the server, no tiles, no external requests."""
    site, lang = get_site(), language()

    def body() -> bytes:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + str(node_city_map(site, lang, standalone=True))).encode()

    rep = cached(site, ("map", lang), SVG, body, (("Content-Language", lang),))
    return send(rep, vary=("Accept-Language",), max_age=int(site.config["CACHE_MAX_AGE"]))
