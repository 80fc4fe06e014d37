"""Blueprint "sparql": the read-only SPARQL 1.1 Protocol endpoint, its service description and query page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from . import queries
from .cache import Representation, make_etag
from .conneg import negotiate
from .errors import PayloadTooLarge
from .formats import ALIASES, HTML, RDF_FORMATS, RESULT_ALIASES, RESULT_FORMATS, TURTLE, MediaType
from .http import send
from .protocol import QueryRequest, read_request, service_description
from .render import rdf_bytes
from .site import Site, get_site

bp = Blueprint("sparql", __name__)

#: Results worth keeping in the representation cache (GET only); bigger ones are recomputed.
CACHE_LIMIT = 512 * 1024
SD_FORMATS: tuple[MediaType, ...] = (TURTLE, *RDF_FORMATS[1:], HTML)
CORS_PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match",
    "Access-Control-Max-Age": "86400",
}


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """The query operation (GET, form POST, direct POST); no query: service description or query page."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={**CORS_PREFLIGHT, "Allow": "GET, HEAD, POST, OPTIONS"})
    site = get_site()
    limit = int(site.config["MAX_REQUEST_BYTES"])
    if (request.content_length or 0) > limit:
        raise PayloadTooLarge(f"the request body is over the limit of {limit} bytes")
    body = request.get_data(cache=False) if request.method == "POST" else b""
    asked = read_request(
        request.method, request.headers.get("Content-Type"), list(request.args.items(multi=True)), body
    )
    if asked is None:
        return describe_service(site)
    return answer(site, asked)


def answer(site: Site, asked: QueryRequest) -> Response:
    """Run the query (or answer 304 from the validator) and serialize the negotiated format."""
    form = queries.query_form(asked.query)
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    offers = (*(RDF_FORMATS if graph_form else RESULT_FORMATS), *((HTML,) if request.method == "GET" else ()))
    aliases = ALIASES if graph_form else RESULT_ALIASES
    media_type = negotiate(request.headers.get("Accept"), offers, aliases=aliases)
    if media_type is HTML:
        return query_page(site, asked.query)
    key = ("sparql", site.version, asked.query, repr(asked.default_graphs), repr(asked.named_graphs), media_type.mime)
    etag = make_etag(*key[1:])

    def build() -> Representation:
        result = site.store.query(
            asked.query,
            default_graphs=asked.default_graphs,
            named_graphs=asked.named_graphs,
            timeout=float(site.config["QUERY_TIMEOUT"]),
        )
        return Representation(result.serialize(media_type), media_type.content_type, etag, site.sources.modified)

    if request.method != "GET":
        response = send(build(), vary=("Accept",), max_age=0)
        response.cache_control.no_store = True
        return response
    if request.if_none_match.contains(etag.strip('"')):
        return send(Representation(b"", media_type.content_type, etag, site.sources.modified))
    cached = site.cache.peek(key)
    rep = cached or build()
    if cached is None and len(rep.body) <= CACHE_LIMIT:
        site.cache.put(key, rep)
    return send(rep, vary=("Accept",), max_age=int(site.config["CACHE_MAX_AGE"]))


def describe_service(site: Site) -> Response:
    """The service description as RDF, or the query page for a browser."""
    media_type = negotiate(request.headers.get("Accept"), SD_FORMATS, format_param=request.args.get("format"))
    if media_type is HTML:
        return query_page(site, "")
    endpoints = [request.base_url]
    if request.base_url != site.base + "sparql":
        endpoints.append(site.base + "sparql")

    def build() -> Representation:
        from .store import GRAPHS

        sizes = site.store.graph_sizes()
        graph = service_description(endpoints, sizes, [GRAPHS["data"], GRAPHS["ontology"]])
        etag = make_etag(site.version, "sd", request.base_url, media_type.mime)
        return Representation(rdf_bytes(graph, media_type), media_type.content_type, etag, site.sources.modified)

    rep = site.cache.get(("sd", site.version, request.base_url, media_type.mime), build)
    return send(rep, vary=("Accept",), max_age=int(site.config["CACHE_MAX_AGE"]))


def query_page(site: Site, query: str) -> Response:
    """The HTML query page, with `query` filled in (permalinks)."""
    body = render_template("query.html", query=query, lang="en")
    etag = make_etag(site.version, "query-page", query)
    rep = Representation(body.encode("utf-8"), HTML.content_type, etag, site.sources.modified)
    return send(rep, vary=("Accept",), max_age=int(site.config["CACHE_MAX_AGE"]))
