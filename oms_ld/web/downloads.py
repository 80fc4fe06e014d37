"""Blueprint "downloads": the dump files and their index, the VoID description and the DCAT catalogue.

Only names in the dump table are served (nothing is read from the filesystem by path). Every
representation is computed once per data version through the site's cache and sent by `http.send`
(ETag, Last-Modified, 304s, CORS).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, render_template, request, send_file
from rdflib import Graph
from werkzeug.wrappers import Response

from ..errors import NotFound
from ..publishing.dataset import DCAT_AP_SE, PROFILES, Profile
from ..publishing.dumps import Dump
from ..publishing.publication import Site
from ..publishing.representation import GZIP_MIN_BYTES, Representation
from ..rdf.formats import HTML, MediaType
from ..rdf.namespaces import LICENSE
from ..rdf.serialize import rdf_bytes
from .conneg import negotiate
from .context import get_site
from .http import COMPRESSIBLE, send
from .lang import language
from .representations import CATALOG_FORMATS, DESCRIBED_BY, DOWNLOAD_INDEX, INDEX_FORMATS, JSON, VOID_FORMATS

bp = Blueprint("downloads", __name__)
#: Release files up to this size are sent from memory, bigger ones streamed from disk.
SMALL_FILE = 1 << 20




def _max_age(site: Site) -> int:
    return site.settings.cache_max_age


def listing(dumps: list[Dump], media_type: MediaType) -> bytes:
    """The index of `dumps` as JSON or as `sha256sum` lines (HTML is rendered by the view)."""
    if media_type is JSON:
        rows = [{"name": d.name, "url": f"/download/{d.name}", "mediaType": d.media_type,
                 "format": d.rdf_format.mime, "size": d.size, "sha256": d.sha256} for d in dumps]  # fmt: skip
        return (json.dumps(rows, indent=2) + "\n").encode("utf-8")
    return "".join(f"{d.sha256}  {d.name}\n" for d in dumps).encode("utf-8")


def _index(site: Site, media_type: MediaType, lang: str) -> Representation:
    def body() -> bytes:
        dumps = list(site.dumps.values())
        if media_type is HTML:
            from .html import page

            html = render_template("download.html", **page(lang, "/download/"), dumps=dumps, license=LICENSE)
            return html.encode("utf-8")
        return listing(dumps, media_type)

    headers = (DESCRIBED_BY, *((("Content-Language", lang),) if lang else ()))
    return site.represent(("download-index", media_type.suffix, lang), media_type.content_type, body, headers=headers)


@bp.route("/download/", methods=["GET", "HEAD"])
def index() -> Response:
    """Every download with its size, media type and SHA-256 (HTML, JSON or `sha256sum` text by Accept)."""
    site = get_site()
    media_type = negotiate(request.headers.get("Accept"), INDEX_FORMATS, aliases={})
    lang = language() if media_type is HTML else ""
    return send(_index(site, media_type, lang), vary=DOWNLOAD_INDEX.vary, max_age=_max_age(site))


def _file(site: Site, dump: Dump) -> Representation:
    """A dump file; unlike every other representation, its ETag is its bytes' digest, so a dated file and
    its `latest` alias (and any release with the same bytes) share a validator."""
    return Representation(
        body=dump.body,
        content_type=dump.content_type,
        etag=f'"{dump.sha256[:32]}"',
        last_modified=site.sources.modified,
        headers=(("Content-Disposition", f'attachment; filename="{dump.filename}"'), DESCRIBED_BY),
    )


def _send_file(site: Site, dump: Dump) -> Response:
    """A dump that is a file of the built release, sent from disk (Range, If-None-Match, If-Range).

    Its ETag is its recorded SHA-256. A client that takes gzip gets the release's own `.gz` of the
    same bytes as the content coding (its ETag marked `-gzip`), as `send` would have compressed it.
    """
    sent, etag, coded = dump, dump.sha256, False
    packed = site.dumps.get(f"{dump.name}.gz")
    if (not dump.compressed and packed is not None and packed.path is not None and dump.size >= GZIP_MIN_BYTES
            and dump.content_type.startswith(COMPRESSIBLE) and request.accept_encodings.quality("gzip") > 0):
        sent, etag, coded = packed, f"{dump.sha256}-gzip", True  # fmt: skip
    assert sent.path is not None
    if not sent.path.is_file():  # an earlier release's file, pruned since this release was built
        raise NotFound(f"/download/{dump.name}: that release is no longer kept; see /download/ for the list")
    # Small files are read whole (one read, no descriptor left to the WSGI server to close).
    source: Path | io.BytesIO = sent.path if sent.size > SMALL_FILE else io.BytesIO(sent.path.read_bytes())
    response = send_file(source, mimetype=dump.content_type, conditional=True, etag=etag,
                         last_modified=site.sources.modified, max_age=_max_age(site))  # fmt: skip
    response.headers["Content-Type"] = dump.content_type  # as listed: werkzeug would add a second charset
    if coded:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Disposition"] = f'attachment; filename="{dump.filename}"'
    response.headers.add(*DESCRIBED_BY)
    response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Content-Location, Vary"
    return response


@bp.route("/download/<name>", methods=["GET", "HEAD"])
def download(name: str) -> Response:
    """One dump file, by its name in the dump table (`.gz` files are application/gzip, not a content coding)."""
    site = get_site()
    dump = site.dumps.get(name)
    if dump is None:
        raise NotFound(f"/download/{name[:100]}: no such file; see /download/ for the list")
    if dump.path is not None:
        return _send_file(site, dump)
    rep = site.cache.get(("download", site.version, name), lambda: _file(site, dump))
    return send(rep, vary=(), max_age=_max_age(site))


def _graph(
    site: Site, parts: tuple[str, ...], graph: Callable[[], Graph], media_type: MediaType,
    headers: tuple[tuple[str, str], ...] = (),
) -> Representation:  # fmt: skip
    """A description graph as `media_type`, named by `parts` (cache key and ETag)."""
    return site.represent((*parts, media_type.suffix), media_type.content_type,
                          lambda: rdf_bytes(graph(), media_type, site.uris.prefixes), headers=headers)  # fmt: skip


@bp.route("/.well-known/void", methods=["GET", "HEAD"])
def void() -> Response:
    """The VoID (and DCAT) description of the dataset (RFC 8615 well-known location), Turtle by default."""
    site = get_site()
    media_type = negotiate(request.headers.get("Accept"), VOID_FORMATS, format_param=request.args.get("format"))
    rep = _graph(site, ("void",), lambda: site.metadata, media_type)
    return send(rep, vary=("Accept",), max_age=_max_age(site))


def choose_profile(token: str | None, accept_profile: str | None) -> Profile:
    """The catalogue profile: `?_profile=` (token or URI), else the best `Accept-Profile` entry, else the default.

    `Accept-Profile` entries are `<URI>` with an optional `;q=`; ties go to the server's order, unknown
    profiles are ignored (CNEG-PROF: fall back to the default).
    """
    if token:
        return next((p for p in PROFILES if token.strip().rstrip("/") in (p.token, p.uri.rstrip("/"))), DCAT_AP_SE)
    best, best_q = DCAT_AP_SE, 0.0
    entries = [entry.strip().split(";") for entry in (accept_profile or "").split(",") if entry.strip()]
    for profile in PROFILES:
        for uri, *params in entries:
            if uri.strip().strip("<>").rstrip("/") != profile.uri.rstrip("/"):
                continue
            q = next((p.split("=", 1)[1] for p in params if p.strip().startswith("q=")), "1")
            try:
                quality = float(q)
            except ValueError:
                quality = 0.0
            if quality > best_q:
                best, best_q = profile, quality
    return best


def _catalog(site: Site, profile: Profile, media_type: MediaType) -> Representation:
    def graph() -> Graph:
        return site.metadata if profile is DCAT_AP_SE else site.build_metadata(profile)

    links = [("Link", f'<{profile.uri}>; rel="profile"')]
    links += [("Link", f'</catalog?_profile={p.token}&_mediatype={m.suffix}>; rel="alternate"; type="{m.mime}"; '
                       f'profile="{p.uri}"') for p in PROFILES for m in CATALOG_FORMATS]  # fmt: skip
    return _graph(site, ("catalog", profile.token), graph, media_type, tuple(links))


@bp.route("/catalog", methods=["GET", "HEAD"])
def catalog() -> Response:
    """The DCAT catalogue: DCAT-AP-SE as RDF/XML unless the client asks for another profile or format."""
    site = get_site()
    profile = choose_profile(request.args.get("_profile"), request.headers.get("Accept-Profile"))
    explicit = request.args.get("_mediatype") or request.args.get("format")
    media_type = negotiate(request.headers.get("Accept"), CATALOG_FORMATS, format_param=explicit)
    rep = _catalog(site, profile, media_type)
    return send(rep, vary=("Accept", "Accept-Profile"), max_age=_max_age(site))
