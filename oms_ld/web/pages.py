"""Blueprint "pages": the landing page, the ontology and shapes documents, and the node-city map.

Every page is built once per data version (and language) through `site.cache`, then sent with
validators, 304 handling, CORS and gzip by `http.send`. Data questions go to the store as SPARQL;
the ontology and shapes pages are drawn from the content graphs the app loaded and validated.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from rdflib import Graph, URIRef
from werkzeug.wrappers import Response

from ..errors import NotFound
from ..publishing.examples import permalink
from ..publishing.publication import Site
from ..rdf.formats import BY_SUFFIX, HTML, MediaType
from ..rdf.kinds import listing_key
from ..rdf.labels import LANGUAGES, Labels
from ..rdf.namespaces import OMS, ONTOLOGY_IRI, SHAPES_IRI, sparql_prologue
from ..rdf.queries import iri_ref
from ..rdf.serialize import rdf_bytes
from ..store import select_rows
from .conneg import negotiate
from .context import get_site
from .html import alternates, ontology_view, page, shapes_view
from .http import send
from .i18n import ui
from .lang import language
from .nodemap import node_city_map
from .representations import DEF_FORMATS

bp = Blueprint("pages", __name__)

SVG = "image/svg+xml; charset=utf-8"


@bp.app_template_global("ui_text")
def ui_text(lang: str) -> dict[str, str]:
    """UI strings for templates rendered without them (the error page)."""
    return ui(lang)


# --- landing page ----------------------------------------------------------------------------------


#: The landing page lists at most this many members of a class; a bigger class shows its count and a query.
LISTING_MAX = 100


def class_query(cls: str, lang: str) -> str:
    """The query page listing every member of `cls` with its name (a thousand at a time: edit OFFSET for more)."""
    return permalink(
        sparql_prologue("rdfs") + f"SELECT ?s ?name WHERE {{ ?s a {iri_ref(cls)} OPTIONAL {{ ?s rdfs:label ?name "
        f'FILTER(LANG(?name) = "{lang}") }} }} ORDER BY ?s LIMIT 1000 OFFSET 0'
    )


def landing_view(site: Site, lang: str) -> dict[str, object]:
    """Counts, the collaboration's description, and every class with (at most LISTING_MAX of) its members."""
    lang = lang if lang in LANGUAGES else LANGUAGES[0]
    under = f"FILTER(STRSTARTS(STR(?s), STR({iri_ref(site.base + 'id/')})))"
    data = [site.uris.graphs["data"]]
    counted = site.class_counts()
    sizes: dict[str, int] = counted["classes"]
    by_class: dict[str, list[str]] = {}
    for cls, size in sizes.items():
        # Over the cap, the first members in the store's order (ORDER BY would sort every member: 17 s at 1M).
        limit = f" LIMIT {LISTING_MAX}" if size > LISTING_MAX else ""
        query = f"SELECT DISTINCT ?s WHERE {{ ?s a {iri_ref(cls)} {under} }}{limit}"
        by_class[cls] = [row["s"] for row in select_rows(site.store, query, default_graphs=data)]
    labels, kinds = site.names.lookup({*sizes, *(s for members in by_class.values() for s in members)})
    classes = sorted(by_class, key=lambda c: (not c.startswith(str(OMS)), labels.label(c, lang).casefold()))
    numbered = kinds.ordinals  # the strategic directions in their order, 1–5
    listing = [
        {
            "cls": link(c, labels, lang, site),
            "members": [(*link(s, labels, lang, site), kinds.beside(s, labels.label(s, lang), labels, lang))
                        for s in sorted(by_class[c], key=lambda s: listing_key(s, labels.label(s, lang), numbered))],
            "ours": c.startswith(str(OMS)),
            "count": sizes[c],
            "query": class_query(c, lang) if sizes[c] > LISTING_MAX else "",
        }
        for c in classes
    ]  # fmt: skip
    about = select_rows(site.store, sparql_prologue("oms", "dct") + "SELECT ?d WHERE { ?c a oms:Collaboration ; "
                      f'dct:description ?d FILTER(LANG(?d) = "{lang}") }}')  # fmt: skip
    graph_sizes = site.store.graph_sizes()
    return {
        "about": sorted(row["d"] for row in about),
        "counts": [
            (graph_sizes.get(site.uris.graphs["data"], 0), "data_triples"),
            (graph_sizes.get(site.uris.graphs["ontology"], 0), "ontology_triples"),
            (int(counted["resources"]), "resources"),
            (len(classes), "classes"),
        ],
        "classes": listing,
    }


def link(iri: str, labels: Labels, lang: str, site: Site) -> tuple[str, str | None]:
    """(label, local path or IRI) for a listing."""
    return labels.label(iri, lang), site.uris.href(iri)[0]


@bp.route("/")
def index() -> Response:
    """The landing page: what ÖMS is, what is published, how to query, download and link."""
    site, lang = get_site(), language()

    def body() -> bytes:
        context = landing_view(site, lang)
        html = render_template("index.html", **page(lang, "/"), **context, map_svg=node_city_map(site, lang),
                               base=site.base)  # fmt: skip
        return html.encode("utf-8")

    rep = site.represent(("page", "index", lang), HTML.content_type, body, headers=(("Content-Language", lang),))
    return send(rep, vary=("Accept-Language",), max_age=site.settings.cache_max_age)


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
        return rdf_bytes(graph, media_type, site.uris.prefixes)
    iris = {str(n) for triple in graph for n in triple if isinstance(n, URIRef)}
    labels = site.names.lookup(iris, graph)[0]
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
    rep = site.represent(("page", "def", stem, media_type.suffix, lang), media_type.content_type,
                         lambda: definition_body(site, stem, media_type, lang), headers=headers)  # fmt: skip
    return send(rep, vary=vary, max_age=site.settings.cache_max_age)


@bp.route("/map.svg")
def map_svg() -> Response:
    """The node-city map as an SVG image: drawn on the server, no tiles, no external requests."""
    site, lang = get_site(), language()

    def body() -> bytes:
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + str(node_city_map(site, lang, standalone=True))).encode()

    rep = site.represent(("page", "map", lang), SVG, body, headers=(("Content-Language", lang),))
    return send(rep, vary=("Accept-Language",), max_age=site.settings.cache_max_age)


@bp.route("/favicon.ico")
def favicon() -> Response:
    """The icon, for browsers that ask for /favicon.ico whatever the page says (a 404 there is noise)."""
    response = current_app.send_static_file("favicon.svg")
    response.mimetype = "image/svg+xml"
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
