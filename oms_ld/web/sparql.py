"""Blueprint "sparql": the read-only SPARQL 1.1 Protocol endpoint, its service description and query page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from ..errors import PayloadTooLarge
from ..publishing.linking.geo import check_distance_arity
from ..publishing.publication import Site
from ..publishing.representation import Representation
from ..publishing.service import service_description
from ..rdf.formats import (
    ALIASES,
    HTML,
    RDF_FORMATS,
    RESULT_ALIASES,
    RESULT_FORMATS,
    TURTLE,
    MediaType,
)
from ..rdf.serialize import rdf_bytes
from ..rdf.sparql import read
from .conneg import negotiate
from .context import get_site
from .http import send
from .protocol import QueryRequest, parse_params, read_request
from .representations import BOOLEAN_FORMATS, SD_FORMATS

bp = Blueprint("sparql", __name__)

#: The environ key of an error the query lane (lane.py) met: the view raises it, so Flask maps it to HTTP.
LANE_FAILED = "oms_ld.lane_failed"
#: Results worth keeping in the representation cache (GET only); bigger ones are recomputed.
CACHE_LIMIT = 512 * 1024
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
    failed = request.environ.pop(LANE_FAILED, None)
    if failed is not None:
        try:
            raise failed
        finally:  # no cycle through this frame: what the error holds (a store's connection) goes with it
            del failed
    site = get_site()
    body = read_body(site.settings.max_request_bytes) if request.method == "POST" else b""
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
    safe = request.method in ("GET", "HEAD")  # HEAD is GET without the body (RFC 9110 §9.3.2)
    media_type = negotiated(asked, request.headers.get("Accept"), safe=safe)
    if media_type is HTML:
        return query_page(site, asked.query)
    if not safe:
        rep = Representation(run(site, asked, media_type), media_type.content_type,
                             site.etag(*answer_parts(asked, media_type)), site.sources.modified)  # fmt: skip
        response = send(rep, vary=("Accept",), max_age=0, memo=False)
        response.cache_control.public = False  # an answer to a POST is not for shared caches
        response.cache_control.no_store = True
        return response
    etag = site.etag(*answer_parts(asked, media_type))
    if request.if_none_match.contains(etag.strip('"')):
        return send(Representation(b"", media_type.content_type, etag, site.sources.modified), memo=False)
    rep = represent(site, asked, media_type)
    memo = memoisable(site, asked, media_type, rep)
    return send(rep, vary=("Accept",), max_age=site.settings.cache_max_age, memo=memo)


def negotiated(asked: QueryRequest, accept: str | None, *, safe: bool) -> MediaType:
    """The format of the answer to `asked` for a client that sends `accept` (HTML: the query page, for GET).

    Raises:
        QueryError, InvalidRequest: a query the grammar does not read, or geof:distance without its unit.
        NotAcceptable: no format of the query's form is acceptable.
    """
    reading = read(asked.query)
    check_distance_arity(reading)
    form = reading.form
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    formats = RDF_FORMATS if graph_form else BOOLEAN_FORMATS if form == "ASK" else RESULT_FORMATS
    offers = (*formats, *((HTML,) if safe else ()))
    return negotiate(accept, offers, aliases=ALIASES if graph_form else RESULT_ALIASES)


def answer_parts(asked: QueryRequest, media_type: MediaType) -> tuple[str, ...]:
    """What names an answer: its cache key and ETag come from these and the data version."""
    return ("sparql", asked.query, repr(asked.default_graphs), repr(asked.named_graphs), media_type.mime)


def run(site: Site, asked: QueryRequest, media_type: MediaType) -> bytes:
    """The answer's bytes, written in `media_type` where the query runs; this worker only sends them."""
    result = site.store.query(asked.query, default_graphs=asked.default_graphs, named_graphs=asked.named_graphs,
                              timeout=site.settings.query_timeout, media_type=media_type)  # fmt: skip
    return result.serialize(media_type)


def represent(site: Site, asked: QueryRequest, media_type: MediaType) -> Representation:
    """The answer to a GET, from the representation cache when it was asked for before."""
    return site.represent(answer_parts(asked, media_type), media_type.content_type,
                          lambda: run(site, asked, media_type), keep=lambda rep: len(rep.body) <= CACHE_LIMIT,
                          again=True)  # fmt: skip


def memoisable(site: Site, asked: QueryRequest, media_type: MediaType, rep: Representation) -> bool:
    """Whether the front's memo may keep this answer: only one the cache kept, as it was asked for before
    (a one-off query, such as one with a fresh comment each time, would only push documents out)."""
    return site.kept(answer_parts(asked, media_type)) is rep


def describe_service(site: Site) -> Response:
    """The service description as RDF, or the query page for a browser."""
    media_type = negotiate(request.headers.get("Accept"), SD_FORMATS, format_param=request.args.get("format"))
    if media_type is HTML:
        return query_page(site, "")
    endpoints = [request.base_url]
    if request.base_url != site.base + "sparql":
        endpoints.append(site.base + "sparql")

    def body() -> bytes:
        graph = service_description(endpoints, site.store.graph_sizes(), site.uris.default_graphs)
        return rdf_bytes(graph, media_type, site.uris.prefixes)

    rep = site.represent(("sd", request.base_url, media_type.mime), media_type.content_type, body)
    return send(rep, vary=("Accept",), max_age=site.settings.cache_max_age, memo=False)


def query_page(site: Site, query: str) -> Response:
    """The HTML query page (YASGUI, a plain form, the example gallery) with `query` in the editor.

    A browser opening `/sparql?query=…` gets this page: the query's permalink. When the plain form was
    sent (`run` in the URL: no JavaScript), the query is also run here and its results rendered below.
    """
    from ..publishing.examples import examples_in, permalink
    from .html import page
    from .i18n import yasgui_text
    from .lang import language
    from .nodemap import points_map, query_map_frame

    lang = language()
    examples = examples_in(site.settings.queries_dir)
    run = bool(query.strip()) and "run" in request.args
    vary = ("Accept", "Accept-Language")
    etag = site.etag("query-page", request.host_url, lang, query, "run" if run else "")
    if request.if_none_match.contains(etag.strip('"')):
        return send(Representation(b"", HTML.content_type, etag, site.sources.modified), vary=vary, memo=False)

    from .html import labels_for

    labels = labels_for(site)
    #: Names for the IRIs outside our base that we know (the vocabularies we reuse, linked things).
    known = {iri: labels.label(iri, lang) for iri in labels if not iri.startswith(site.base) and labels.find(iri, lang)}

    def cell(term: object) -> dict[str, str]:
        """One result value: its text, a local link for our IRIs, a name for known external ones, a literal's
        language (shown) or datatype (on hover)."""
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            href = site.uris.href(term.value)[0] or ""
            return {"text": known.get(term.value, term.value), "href": href, "note": "", "title": term.value}
        if isinstance(term, ox.Literal):
            kind = "" if term.datatype.value.endswith(("#string", "#langString")) else term.datatype.value
            title = (labels.prefixed(kind) or kind) if kind else ""
            note = f"@{term.language}" if term.language else ""
            return {"text": term.value, "href": "", "note": note, "title": title}
        return {"text": str(term or ""), "href": "", "note": "", "title": ""}

    results: dict[str, object] | None = None
    if run:
        result = site.store.query(query, timeout=site.settings.query_timeout)
        if result.boolean is not None:
            results = {"boolean": bool(result.boolean), "text": None}
        elif result.triples is not None:
            results = {"boolean": None, "text": result.serialize(TURTLE).decode("utf-8")}
        elif result.solutions is not None:
            names = [v.value for v in result.solutions.variables]
            rows = [[cell(solution[name]) for name in names] for solution in result.solutions]
            svg, drawn, outside = points_map(site, lang, wkt_points(rows, lang))
            results = {"boolean": None, "text": None, "variables": names, "rows": rows, "map": svg,
                       "drawn": drawn, "outside": outside}  # fmt: skip
    body = render_template(
        "query.html",
        **page(lang, "/sparql"),
        query=query or (examples[0].query if examples else ""),
        permalink=permalink(query) if query else "/sparql",
        endpoint=request.host_url + "sparql",
        examples=examples,
        prefixes=site.uris.prefixes,
        labels=known,
        base=site.base,
        yasgui_text=yasgui_text(lang),
        map_frame=query_map_frame(site, lang),
        results=results,
    )
    rep = Representation(body.encode("utf-8"), HTML.content_type, etag, site.sources.modified)
    return send(rep, vary=vary, max_age=site.settings.cache_max_age, memo=False)


def wkt_points(rows: list[list[dict[str, str]]], lang: str) -> list[tuple[str, str, str]]:
    """(WKT, a name for the row, the row's first local link) for every WKT literal in result rows."""
    found = []
    for row in rows:
        names = [c for c in row if not c["href"] and not c["title"].endswith("wktLiteral") and c["text"]]
        names.sort(key=lambda c: c["note"] != f"@{lang}")
        name = names[0]["text"] if names else ""
        href = next((c["href"] for c in row if c["href"].startswith("/")), "")
        found += [(c["text"], name, href) for c in row if c["title"].endswith("wktLiteral")]
    return found
