"""Blueprint "graphs": published IRIs that are not things, so every IRI we publish resolves.

* `/def/oms/1.0.0`, the ontology's `owl:versionIRI`: the ontology document of that version, negotiated
  like `/def/oms` (only the version the content declares; others are 404).
* `/graph/{data,ontology,shapes}`, the named graphs of the store and the TriG/N-Quads dumps: a
  description (`sd:NamedGraph`, `void:Dataset` with its triple count) as HTML or RDF, linking to the
  graph's content in every RDF format at `/graph/{name}/triples.{ttl,jsonld,rdf,nt}`.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, send_file
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, VOID, XSD
from werkzeug.wrappers import Response

from ..errors import NotFound
from ..publishing.publication import Site
from ..rdf.formats import BY_SUFFIX, HTML, RDF_FORMATS, MediaType
from ..rdf.namespaces import SD
from ..rdf.serialize import rdf_bytes
from ..rdf.uris import GROUPS
from .conneg import negotiate
from .context import get_site
from .http import send

#: Graph files bigger than this are sent from disk (Range, If-None-Match) instead of from memory.
BIG_GRAPH = 8 << 20

bp = Blueprint("graphs", __name__)

#: Each graph's title (sv, en) and the document that also serves its content.
TITLES: dict[str, tuple[str, str]] = {
    "data": ("Data: organisationer, territorier, nodstäder och dokument",
             "Data: organisations, territories, node cities and documents"),
    "ontology": ("ÖMS-ontologin", "The ÖMS ontology"),
    "shapes": ("SHACL-formerna", "The SHACL shapes"),
}  # fmt: skip
DEFINED_BY = {"ontology": "def/oms", "shapes": "def/shapes"}
TEXT = {
    "sv": ("En namngiven graf i datamängdens SPARQL-tjänst och i TriG- och N-Quads-filerna, med {n} tripplar.",
           "Grafens innehåll"),
    "en": ("A named graph of the dataset's SPARQL service and of the TriG and N-Quads files, with {n} triples.",
           "The graph's content"),
}  # fmt: skip


def _split(name: str, *, strict: bool = True) -> tuple[str, MediaType | None]:
    """`data.ttl` → ("data", Turtle); `data` → ("data", None); an unknown suffix is 404 when `strict`
    (a version such as `1.0.0` has dots of its own)."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        return name, None
    media_type = BY_SUFFIX.get(suffix)
    if not strict and media_type not in (HTML, *RDF_FORMATS):
        return name, None
    if media_type is None or media_type not in (HTML, *RDF_FORMATS):
        raise NotFound(f"/{name[:100]}: no such format (try .html, .ttl, .jsonld, .rdf or .nt)")
    return stem, media_type


def version_iris(site: Site) -> list[tuple[str, str]]:
    """(name, version) of every `owl:versionIRI` of /def/oms and /def/shapes that is under the document."""
    from .pages import definition_graph

    found = []
    for name in ("oms", "shapes"):
        graph, iri = definition_graph(site, name)
        for version in sorted(str(v) for v in graph.objects(URIRef(iri), OWL.versionIRI)):
            if version.startswith(iri + "/"):
                found.append((name, version[len(iri) + 1 :]))
    return found


@bp.route("/def/<name>/<version>")
def definition_version(name: str, version: str) -> Response:
    """A version IRI of the ontology (or shapes): the same document as `/def/{name}`, while it is current."""
    from .pages import definition, definition_graph

    site = get_site()
    graph, iri = definition_graph(site, name)
    stem, media_type = _split(version, strict=False)
    declared = {str(v) for v in graph.objects(URIRef(iri), OWL.versionIRI)}
    if f"{iri}/{stem}" not in declared:
        known = ", ".join(sorted(declared)) or "none"
        raise NotFound(f"/def/{name}/{stem[:50]}: not a published version (version IRIs: {known})")
    return definition(name + (f".{media_type.suffix}" if media_type else ""))


def _graph_name(name: str) -> str:
    if name not in GROUPS:
        raise NotFound(f"/graph/{name[:100]}: no such graph (there are {', '.join(f'/graph/{g}' for g in GROUPS)})")
    return name


def description(site: Site, name: str) -> Graph:
    """The named graph `name` described: what it is, how many triples, where its content is."""
    graph = site.uris.bind(Graph())
    iri = URIRef(site.uris.graph(name))
    size = site.store.graph_sizes().get(site.uris.graph(name), 0)
    graph.add((iri, RDF.type, SD.NamedGraph))
    graph.add((iri, RDF.type, VOID.Dataset))
    graph.add((iri, SD.name, iri))
    graph.add((iri, VOID.triples, Literal(size, datatype=XSD.integer)))
    graph.add((iri, DCTERMS.isPartOf, site.uris.dataset))
    for lang, title in zip(("sv", "en"), TITLES[name], strict=True):
        graph.add((iri, RDFS.label, Literal(title, lang=lang)))
        graph.add((iri, DCTERMS.title, Literal(title, lang=lang)))
    for media_type in RDF_FORMATS:
        graph.add((iri, VOID.dataDump, URIRef(f"{site.base}graph/{name}/triples.{media_type.suffix}")))
    if name in DEFINED_BY:
        graph.add((iri, RDFS.seeAlso, URIRef(site.base + DEFINED_BY[name])))
    return graph


def _description_body(site: Site, name: str, media_type: MediaType, lang: str) -> bytes:
    graph = description(site, name)
    if media_type is not HTML:
        return rdf_bytes(graph, media_type, site.uris.prefixes)
    from .html import alternates, page

    stem = f"/graph/{name}"
    lead, content_heading = TEXT[lang]
    size = int(str(graph.value(URIRef(site.uris.graph(name)), VOID.triples) or 0))
    content = [(f"{stem}/triples.{m.suffix}", m.mime, m.label) for m in RDF_FORMATS]
    return render_template(
        "graph.html",
        **page(lang, stem, alternates=alternates(stem)),
        title=TITLES[name][0 if lang == "sv" else 1],
        iri=site.uris.graph(name),
        lead=lead.format(n=f"{size:,}".replace(",", "\u00a0")),
        content_heading=content_heading,
        content=content,
        defined_by=("/" + DEFINED_BY[name]) if name in DEFINED_BY else "",
    ).encode("utf-8")


@bp.route("/graph/<name>")
def graph(name: str) -> Response:
    """A named graph's description, negotiated; `/graph/data.ttl` and the like are fixed variants."""
    from .lang import language
    from .representations import DEF_FORMATS

    site = get_site()
    stem, fixed = _split(name)
    _graph_name(stem)
    if fixed is None:
        media_type = negotiate(request.headers.get("Accept"), DEF_FORMATS, format_param=request.args.get("format"))
        vary: tuple[str, ...] = ("Accept", "Accept-Language")
    else:
        media_type, vary = fixed, (("Accept-Language",) if fixed is HTML else ())
    lang = language() if media_type is HTML else ""
    links = tuple(("Link", f'</graph/{stem}.{m.suffix}>; rel="alternate"; type="{m.mime}"') for m in DEF_FORMATS)
    headers = (("Content-Location", f"/graph/{stem}.{media_type.suffix}"), *links)
    headers += (("Content-Language", lang),) if lang else ()

    rep = site.represent(("graph", stem, media_type.suffix, lang), media_type.content_type,
                         lambda: _description_body(site, stem, media_type, lang), headers=headers)  # fmt: skip
    return send(rep, vary=vary, max_age=site.settings.cache_max_age)


@bp.route("/graph/<name>/triples.<suffix>")
def graph_content(name: str, suffix: str) -> Response:
    """The triples of a named graph in one RDF format (the same triples as in the TriG dump)."""
    site = get_site()
    _graph_name(name)
    media_type = BY_SUFFIX.get(suffix)
    if media_type is None or media_type not in RDF_FORMATS:
        raise NotFound(f"/graph/{name}/triples.{suffix[:20]}: no such format (try .ttl, .jsonld, .rdf or .nt)")
    written = site.graph_file(name, media_type)  # a release: its file, never an rdflib parse of the data
    link = ("Link", f'</graph/{name}>; rel="describedby"')
    if written is not None and written.stat().st_size > BIG_GRAPH:  # streamed from disk, not held in memory
        response = send_file(written, mimetype=media_type.content_type, conditional=True,
                             etag=site.etag("graph-content", name, media_type.suffix).strip('"'),
                             last_modified=site.sources.modified, max_age=site.settings.cache_max_age)  # fmt: skip
        response.headers["Content-Type"] = media_type.content_type
        response.headers.add(*link)  # CORS: cors.allow_any_origin, as for every answer
        return response

    def body() -> bytes:
        if written is not None:
            return written.read_bytes()
        return rdf_bytes(getattr(site.sources, name), media_type, site.uris.prefixes)

    rep = site.represent(("graph-content", name, media_type.suffix), media_type.content_type, body,
                         headers=(link,))  # fmt: skip
    return send(rep, vary=(), max_age=site.settings.cache_max_age)
