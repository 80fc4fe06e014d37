"""Blueprint "resources": Cool URIs. `/id/…` answers 303 to `/doc/…`, which is content-negotiated."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, request
from rdflib import URIRef
from werkzeug.wrappers import Response

from . import queries
from .cache import Representation, make_etag
from .conneg import negotiate
from .errors import NotAcceptable, NotFound
from .formats import BY_SUFFIX, HTML, RDF_FORMATS, TURTLE, MediaType
from .http import send
from .render import rdf_bytes
from .site import Site, get_site

bp = Blueprint("resources", __name__)

#: What a document can be, in our order of preference (`*/*` and no Accept get Turtle; browsers ask for HTML).
DOC_FORMATS: tuple[MediaType, ...] = (TURTLE, HTML, *RDF_FORMATS[1:])
#: Slug paths: lowercase ASCII words separated by `/` (the URI policy), nothing else reaches the store.
_PATH = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*){0,4}")
_MAX_PATH = 200
LANGUAGES = ("sv", "en")


def checked_path(rest: str) -> str:
    """`rest` when it is a well-formed slug path, else NotFound (this also stops traversal attempts)."""
    if len(rest) > _MAX_PATH or not _PATH.fullmatch(rest):
        raise NotFound(f"/{rest[:_MAX_PATH]}: not a valid resource path (lowercase letters, digits, '-' and '/')")
    return rest


def thing_exists(site: Site, iri: str) -> bool:
    """Whether the store (or the dataset metadata) says anything about `iri` (remembered per data version)."""
    known = site.known.get(iri)
    if known is None:
        answer = site.store.query(queries.exists(iri)).boolean
        # Only the dataset's own IRIs live in the metadata; other misses must not build it (dumps, VoID).
        described = iri.startswith(tuple(f"{site.base}id/{kind}/" for kind in ("dataset", "catalog", "service")))
        known = bool(answer) or (described and (URIRef(iri), None, None) in site.metadata)
        if len(site.known) < 100_000:
            site.known[iri] = known
    return known


def language(supported: tuple[str, ...] = LANGUAGES) -> str:
    """The page language: `?lang=`, else Accept-Language (sv, then en), else Swedish.

    A client that asks only for other languages (`de`, `fi`) reads English sooner than Swedish; a
    client that states no preference gets Swedish, the language of the source text.
    """
    asked = request.args.get("lang", "")
    if asked in supported:
        return asked
    if not request.accept_languages:
        return supported[0]
    fallback = "en" if "en" in supported else supported[0]
    return request.accept_languages.best_match(supported, default=fallback) or fallback


@bp.route("/id/<path:rest>", methods=["GET", "HEAD"])
def thing(rest: str) -> Response:
    """A thing IRI: 303 See Other to the document about it (RFC 9110 §15.4.4, Cool URIs 303 recipe)."""
    site = get_site()
    path = checked_path(rest)
    if not thing_exists(site, f"{site.base}id/{path}"):
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
        key = ("doc", site.version, path, media_type.suffix, "")
        response.set_data(site.cache.get(key, lambda: build(site, path, media_type, "")).body)
        response.content_type = media_type.content_type
    response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.public = True
    response.cache_control.max_age = int(site.config["CACHE_MAX_AGE"])
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
    key = ("doc", site.version, path, media_type.suffix, lang)
    rep = site.cache.get(key, lambda: build(site, path, media_type, lang))
    if media_type is HTML and not vary:
        vary = ("Accept-Language",)
    return send(rep, vary=vary, max_age=int(site.config["CACHE_MAX_AGE"]))


def alternates(path: str) -> tuple[tuple[str, str], ...]:
    """`Link` headers to every variant of a document (Cool URIs "Linking"; CNEG-PROF alternates)."""
    links = [f'</doc/{path}.{m.suffix}>; rel="alternate"; type="{m.mime}"' for m in DOC_FORMATS]
    links.append(f'</id/{path}>; rel="describes"')
    return tuple(("Link", link) for link in links)


def build(site: Site, path: str, media_type: MediaType, lang: str) -> Representation:
    """Compute one representation of the document at `path` (cached per data version by the caller)."""
    thing_iri = f"{site.base}id/{path}"
    graph = site.describe(thing_iri)
    if graph is None:
        raise NotFound(f"nothing is published as {thing_iri}")
    if media_type is HTML:
        from .html import render_resource

        body = render_resource(site, graph, thing_iri, lang).encode("utf-8")
    else:
        body = rdf_bytes(graph, media_type)
    headers = (("Content-Location", f"/doc/{path}.{media_type.suffix}"), *alternates(path))
    if lang:
        headers += (("Content-Language", lang),)
    return Representation(
        body=body,
        content_type=media_type.content_type,
        etag=make_etag(site.version, "doc", path, media_type.suffix, lang),
        last_modified=site.sources.modified,
        headers=headers,
    )
