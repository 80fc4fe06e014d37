"""Blueprint "sparql": the read-only SPARQL 1.1 Protocol endpoint, its service description and query page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from . import sparql_text
from .cache import Representation, make_etag
from .conneg import negotiate
from .errors import PayloadTooLarge
from .formats import (
    ALIASES,
    HTML,
    RDF_FORMATS,
    RESULT_ALIASES,
    RESULT_FORMATS,
    RESULTS_JSON,
    RESULTS_XML,
    TURTLE,
    MediaType,
)
from .http import send
from .protocol import QueryRequest, parse_params, read_request, service_description
from .render import rdf_bytes
from .site import Site, get_site

bp = Blueprint("sparql", __name__)

#: Results worth keeping in the representation cache (GET only); bigger ones are recomputed.
CACHE_LIMIT = 512 * 1024
SD_FORMATS: tuple[MediaType, ...] = (TURTLE, *RDF_FORMATS[1:], HTML)
#: ASK answers: CSV and TSV define no boolean (SPARQL 1.1 CSV/TSV §1: SELECT results only).
BOOLEAN_FORMATS: tuple[MediaType, ...] = (RESULTS_JSON, RESULTS_XML)
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
    body = read_body(int(site.config["MAX_REQUEST_BYTES"])) if request.method == "POST" else b""
    # Parsed here rather than taken from request.args, which replaces bytes that are not UTF-8.
    url_params = parse_params(request.query_string, "URL query string")
    asked = read_request(request.method, request.headers.get("Content-Type"), url_params, body)
    if asked is None:
        return describe_service(site)
    return answer(site, asked)


def read_body(limit: int) -> bytes:
    """The request body, refused when over `limit` bytes however it is framed.

    `request.get_data()` silently cuts a chunked body (no Content-Length) at MAX_CONTENT_LENGTH, which
    could run a truncated query. So read one byte past the limit and refuse if it is there.
    """
    too_large = PayloadTooLarge(f"the request body is over the limit of {limit} bytes")
    if (request.content_length or 0) > limit:
        raise too_large
    parts: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            part = request.stream.read(limit + 1 - size)
            if not part:
                break
            parts.append(part)
            size += len(part)
    except RequestEntityTooLarge as exc:  # werkzeug's own guard on a chunked stream
        raise too_large from exc
    if size > limit:
        raise too_large
    return b"".join(parts)


def answer(site: Site, asked: QueryRequest) -> Response:
    """Run the query (or answer 304 from the validator) and serialize the negotiated format."""
    form = sparql_text.read(asked.query).form
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    safe = request.method in ("GET", "HEAD")  # HEAD is GET without the body (RFC 9110 §9.3.2)
    formats = RDF_FORMATS if graph_form else BOOLEAN_FORMATS if form == "ASK" else RESULT_FORMATS
    offers = (*formats, *((HTML,) if safe else ()))
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

    if not safe:
        response = send(build(), vary=("Accept",), max_age=0)
        response.cache_control.public = False  # an answer to a POST is not for shared caches
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
    """The HTML query page (YASGUI, a plain form, the example gallery) with `query` in the editor.

    A browser opening `/sparql?query=…` gets this page: the query's permalink. When the plain form was
    sent (`run` in the URL: no JavaScript), the query is also run here and its results rendered below.
    """
    from .examples import examples_in, permalink
    from .html import href_for, page
    from .namespaces import PREFIXES
    from .resources import language

    lang = language()
    examples = examples_in(str(site.config["QUERIES_DIR"]))
    run = bool(query.strip()) and "run" in request.args
    vary = ("Accept", "Accept-Language")
    etag = make_etag(site.version, "query-page", request.host_url, lang, query, "run" if run else "")
    if request.if_none_match.contains(etag.strip('"')):
        return send(Representation(b"", HTML.content_type, etag, site.sources.modified), vary=vary)

    def cell(term: object) -> dict[str, str]:
        """One result value for the table: its text, a link for an IRI, a literal's language or datatype."""
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return {"text": term.value, "href": href_for(term.value, site.base)[0] or "", "note": ""}
        if isinstance(term, ox.Literal):
            kind = "" if term.datatype.value.endswith(("#string", "#langString")) else term.datatype.value
            return {"text": term.value, "href": "", "note": f"@{term.language}" if term.language else kind}
        return {"text": str(term or ""), "href": "", "note": ""}

    results: dict[str, object] | None = None
    if run:
        result = site.store.query(query, timeout=float(site.config["QUERY_TIMEOUT"]))
        if result.boolean is not None:
            results = {"boolean": bool(result.boolean), "text": None}
        elif result.triples is not None:
            results = {"boolean": None, "text": result.serialize(TURTLE).decode("utf-8")}
        elif result.solutions is not None:
            names = [v.value for v in result.solutions.variables]
            rows = [[cell(solution[name]) for name in names] for solution in result.solutions]
            results = {"boolean": None, "text": None, "variables": names, "rows": rows}
    body = render_template(
        "query.html",
        **page(lang, "/sparql"),
        query=query or (examples[0].query if examples else ""),
        permalink=permalink(query) if query else "/sparql",
        endpoint=request.host_url + "sparql",
        examples=examples,
        prefixes=PREFIXES,
        results=results,
    )
    rep = Representation(body.encode("utf-8"), HTML.content_type, etag, site.sources.modified)
    return send(rep, vary=vary, max_age=int(site.config["CACHE_MAX_AGE"]))
