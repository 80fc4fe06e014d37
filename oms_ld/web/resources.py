"""Blueprint "resources": Cool URIs. `/id/…` answers 303 to `/doc/…`, which is content-negotiated."""

from __future__ import annotations

from flask import Blueprint, redirect, request
from werkzeug.wrappers import Response

from ..errors import NotAcceptable, NotFound
from ..publishing.publication import Site
from ..publishing.representation import Representation
from ..rdf.formats import BY_SUFFIX, HTML, MediaType
from ..rdf.serialize import rdf_bytes
from .conneg import negotiate
from .context import get_site
from .http import send
from .lang import language
from .memo import allow
from .representations import DOC_FORMATS, LANGUAGES, MAX_PATH, SLUG_PATH

bp = Blueprint("resources", __name__)



def checked_path(rest: str) -> str:
    """`rest` when it is a well-formed slug path, else NotFound (this also stops traversal attempts)."""
    if len(rest) > MAX_PATH or not SLUG_PATH.fullmatch(rest):
        raise NotFound(f"/{rest[:MAX_PATH]}: not a valid resource path (lowercase letters, digits, '-' and '/')")
    return rest


@bp.route("/id/<path:rest>", methods=["GET", "HEAD"])
def thing(rest: str) -> Response:
    """A thing IRI: 303 See Other to the document about it (RFC 9110 §15.4.4, Cool URIs 303 recipe)."""
    site = get_site()
    path = checked_path(rest)
    if not site.is_published(f"{site.base}id/{path}"):
        raise NotFound(f"nothing is published as {site.base}id/{path}")
    # The page-language choice (?lang=) survives the redirect, so a followed link keeps the language.
    lang = request.args.get("lang", "")
    response = redirect(f"/doc/{path}" + (f"?lang={lang}" if lang in LANGUAGES else ""), code=303)
    # An RDF client that does not follow redirects (curl without -L) still sees the triples: the 303
    # carries the document in the format it asked for. Browsers get the usual short HTML note.
    try:
        media_type = negotiate(request.headers.get("Accept"), DOC_FORMATS)
    except NotAcceptable:
        media_type = HTML
    if media_type is not HTML:
        response.set_data(represent(site, path, media_type, "").body)
        response.content_type = media_type.content_type
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = site.settings.cache_max_age
    allow(request.environ)  # the same redirect for the same request, for the whole release
    return response


@bp.route("/doc/<path:rest>", methods=["GET", "HEAD"])
def document(rest: str) -> Response:
    """The document about a thing, negotiated, or a fixed variant when the path has a suffix."""
    site = get_site()
    stem, dot, suffix = rest.rpartition(".")
    vary: tuple[str, ...]
    if dot and suffix in BY_SUFFIX and BY_SUFFIX[suffix] in DOC_FORMATS:
        path, media_type, vary = checked_path(stem), BY_SUFFIX[suffix], ()
    else:
        path = checked_path(rest)
        media_type = negotiate(request.headers.get("Accept"), DOC_FORMATS, format_param=request.args.get("format"))
        vary = ("Accept", "Accept-Language")
    lang = language() if media_type is HTML else ""
    rep = represent(site, path, media_type, lang)
    if media_type is HTML and not vary:
        vary = ("Accept-Language",)
    return send(rep, vary=vary, max_age=site.settings.cache_max_age)


def alternates(path: str) -> tuple[tuple[str, str], ...]:
    """`Link` headers to every variant of a document (Cool URIs "Linking"; CNEG-PROF alternates)."""
    links = [f'</doc/{path}.{m.suffix}>; rel="alternate"; type="{m.mime}"' for m in DOC_FORMATS]
    links.append(f'</id/{path}>; rel="describes"')
    return tuple(("Link", link) for link in links)


def represent(site: Site, path: str, media_type: MediaType, lang: str) -> Representation:
    """One representation of the document at `path` (cached per data version)."""
    headers = (("Content-Location", f"/doc/{path}.{media_type.suffix}"), *alternates(path))
    if lang:
        headers += (("Content-Language", lang),)

    def body() -> bytes:
        thing_iri = f"{site.base}id/{path}"
        graph, counts = site.described(thing_iri)
        if graph is None:
            raise NotFound(f"nothing is published as {thing_iri}")
        if media_type is HTML:
            from .html import render_resource

            return render_resource(site, graph, thing_iri, lang, counts).encode("utf-8")
        return rdf_bytes(graph, media_type, site.uris.prefixes)

    return site.represent(("doc", path, media_type.suffix, lang), media_type.content_type, body, headers=headers)
