"""The static export: every representation the app serves for its content as files, plus an nginx server block.

Every body is rendered by the app itself (through Flask's test client), so the files hold exactly the
bytes the app sends. The nginx configuration does the app's content negotiation with `map` blocks:
the Accept headers of common clients (`CLIENT_ACCEPTS`) are answered exactly as `conneg.negotiate`
answers them (decided when the configuration is written); other headers go through regex rules
ordered like our conneg (q = 1 first, then lower q in steps of 0.1; within a step the server's
order of preference, then aliases, then wildcards). For unusual q orderings the two can differ;
the app is the reference.

Pure except for file writing: `representations` and `nginx_config` compute, `export_site` writes.

    DIR/nginx.conf              the server block and its maps: include it in nginx's http {} block
    DIR/nginx-standalone.conf   a complete configuration around it, runnable by any user
    DIR/site/                   the root: doc/, def/, download/ and static/ hold the addressable files
    DIR/site/_variants/         language and negotiated variants, reachable only through the maps
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotFound
from ..publishing.dataset import PROFILES
from ..publishing.publication import Site
from ..rdf.formats import HTML, RDF_FORMATS, MediaType
from ..rdf.uris import GROUPS
from ..web import App, site_of
from ..web.representations import CATALOG_FORMATS, DEF_FORMATS, DOC_FORMATS, INDEX_FORMATS, LANGUAGES, VOID_FORMATS
from ..web.resources import checked_path
from .nginx import known_content_types, nginx_config, standalone_config
from .nginx_maps import DEFINITIONS, VARIANTS


@dataclass(frozen=True)
class ExportFile:
    """One file of the export: its path under the root, its bytes and the Content-Type the app sent."""

    path: str
    body: bytes
    content_type: str
    #: The file's mtime in seconds since the epoch (nginx's Last-Modified and ETag come from it).
    mtime: float
    #: An earlier file of the export with the same bytes: this one is written as a hard link to it.
    same_as: str = ""


@dataclass(frozen=True)
class ExportSummary:
    """What `export_site` wrote."""

    root: Path
    config: Path
    files: int
    bytes: int
    documents: int


def document_paths(site: Site) -> list[str]:
    """The slug paths of every document the app serves at `/doc/{path}`, sorted."""
    prefix = site.base + "id/"
    sparql = f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{prefix}")) }}'
    subjects = {row["s"].value for row in site.store.query(sparql).solutions or []}
    subjects |= {str(s) for s in site.metadata.subjects() if str(s).startswith(prefix)}
    paths = []
    for iri in subjects:
        try:
            paths.append(checked_path(iri[len(prefix) :]))
        except NotFound:
            continue  # hash IRIs (geometries): described in their document, not documents themselves
    return sorted(paths)


def representations(app: App, documents: Iterable[str] | None = None) -> Iterator[ExportFile]:
    """Every representation of the site, rendered by `app`: all documents, or only `documents` (slug paths)."""
    site = site_of(app)
    assert isinstance(site, Site)
    client = app.test_client()
    modified = site.sources.modified.timestamp()

    def fetch(path: str, url: str, accept: str = "", lang: str = "") -> ExportFile:
        headers = {"Accept-Encoding": "identity"}
        if accept:
            headers["Accept"] = accept
        if lang:
            headers["Accept-Language"] = lang
        response = client.get(url, headers=headers)
        try:
            if response.status_code != 200:
                raise RuntimeError(f"{url}: the app answered {response.status_code}, not 200")
            return ExportFile(path, response.get_data(), response.headers["Content-Type"], modified)
        finally:
            response.close()  # static files come as open file wrappers

    def variants(stem: str, formats: Sequence[MediaType]) -> Iterator[ExportFile]:
        for media_type in formats:
            if media_type is HTML:
                for lang in LANGUAGES:
                    yield fetch(f"{VARIANTS}{stem}.{lang}.html", f"{stem}.html", lang=lang)
            else:
                yield fetch(f"{stem[1:]}.{media_type.suffix}", f"{stem}.{media_type.suffix}")

    for lang in LANGUAGES:
        yield fetch(f"{VARIANTS}/index.{lang}.html", "/", lang=lang)
        yield fetch(f"{VARIANTS}/map.{lang}.svg", "/map.svg", lang=lang)
    for name in DEFINITIONS:
        yield from variants(f"/def/{name}", DEF_FORMATS)
    for name in GROUPS:
        yield from variants(f"/graph/{name}", DEF_FORMATS)
        for media_type in RDF_FORMATS:
            yield fetch(f"graph/{name}/triples.{media_type.suffix}", f"/graph/{name}/triples.{media_type.suffix}")
    for path in document_paths(site) if documents is None else [checked_path(p) for p in documents]:
        yield from variants(f"/doc/{path}", DOC_FORMATS)
    for media_type in INDEX_FORMATS:
        if media_type is HTML:
            for lang in LANGUAGES:
                yield fetch(f"{VARIANTS}/download-index.{lang}.html", "/download/", accept=HTML.mime, lang=lang)
        else:
            yield fetch(f"{VARIANTS}/download-index.{media_type.suffix}", "/download/", accept=media_type.mime)
    written: set[str] = set()
    for name, dump in site.dumps.items():
        file = fetch(f"download/{name}", f"/download/{name}")
        same = f"download/{dump.filename}" if dump.filename in written else ""
        written.add(name)
        yield ExportFile(file.path, file.body, file.content_type, file.mtime, same)
    for media_type in VOID_FORMATS:
        yield fetch(f"{VARIANTS}/void.{media_type.suffix}", f"/.well-known/void?format={media_type.suffix}")
    for profile in PROFILES:
        for media_type in CATALOG_FORMATS:
            url = f"/catalog?_profile={profile.token}&_mediatype={media_type.suffix}"
            yield fetch(f"{VARIANTS}/catalog.{profile.token}.{media_type.suffix}", url)
    static = Path(app.static_folder or "static")
    for source in sorted(p for p in static.rglob("*") if p.is_file()):
        rel = source.relative_to(static).as_posix()
        file = fetch(f"static/{rel}", f"/static/{rel}")
        yield ExportFile(file.path, file.body, file.content_type, source.stat().st_mtime)


def export_site(app: App, directory: Path, *, listen: str = "8080", server_name: str = "_",
                documents: Iterable[str] | None = None) -> ExportSummary:  # fmt: skip
    """Write every representation into `directory/site` and the nginx configuration beside it.

    Args:
        app: the app whose content is exported (its test client renders every body).
        directory: the export folder; files with the same names are replaced.
        listen: nginx's `listen` parameter (a port, or address:port).
        server_name: nginx's `server_name`.
        documents: export only these documents (slug paths such as `node-city/uppsala`).

    Raises:
        RuntimeError: the app did not answer 200 for a representation.
        ValueError: files with the same extension are served with different Content-Types.
    """
    site = site_of(app)
    assert isinstance(site, Site)
    root = (directory / "site").resolve()
    types = known_content_types(site)
    chosen = None if documents is None else list(documents)
    files = size = 0
    for item in representations(app, chosen):
        ext = item.path.rsplit(".", 1)[-1]
        if types.setdefault(ext, item.content_type) != item.content_type:
            raise ValueError(f"{item.path}: served as {item.content_type!r}, other .{ext} files as {types[ext]!r}")
        target = root / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        if item.same_as:
            os.link(root / item.same_as, target)
        else:
            target.write_bytes(item.body)
            os.utime(target, (item.mtime, item.mtime))
        files += 1
        size += len(item.body)
    config = directory.resolve() / "nginx.conf"
    config.write_text(nginx_config(site, root, content_types=types, listen=listen, server_name=server_name))
    prefix = directory.resolve() / "nginx"
    prefix.mkdir(exist_ok=True)
    (directory / "nginx-standalone.conf").write_text(standalone_config(config, prefix))
    count = len(chosen) if chosen is not None else len(document_paths(site))
    return ExportSummary(root=root, config=config, files=files, bytes=size, documents=count)
