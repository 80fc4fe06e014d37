"""The nginx side of the static export: the server block (locations, headers, refusals), using the
`map` blocks of `nginx_maps` that negotiate like the app. Pure: strings in, configuration text out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..publishing.dataset import PROFILES
from ..publishing.publication import Site
from ..rdf.formats import ALIASES, HTML, MediaType
from ..rdf.uris import GROUPS
from ..web.http import COMPRESSIBLE
from ..web.representations import (
    CATALOG_FORMATS,
    DEF_FORMATS,
    DESCRIBED_BY,
    DOC_FORMATS,
    INDEX_FORMATS,
    SLUG_PATH,
    VOID_FORMATS,
)
from .nginx_maps import DEFINITIONS, LANGUAGE_MAP, NOT_ACCEPTABLE, VARIANTS, accept_map, format_map, profile_maps

# --- the server block ----------------------------------------------------------------------------


def _add(headers: Iterable[tuple[str, str]]) -> list[str]:
    lines = []
    for name, value in headers:
        if "'" in value:
            raise ValueError(f"cannot quote {value!r} for nginx")
        lines.append(f"        add_header {name} '{value}';")
    return lines


def _location(match: str, body: Iterable[str]) -> list[str]:
    return [f"    location {match} {{", *body, "    }", ""]


def _vary(*names: str) -> tuple[str, str]:
    """As the app: answers that vary on Accept-Language also vary on the language cookie."""
    return ("Vary", ", ".join((*names, *(("Cookie",) if "Accept-Language" in names else ()), "Accept-Encoding")))


def _refuse(variable: str, formats: Sequence[MediaType]) -> str:
    """An `if` answering 406 with the list of formats when the map chose nothing."""
    listing = "".join(f"  {m.mime}\\n" for m in formats)
    text = f"406 Not Acceptable\\n\\nnone of the available formats is acceptable\\n\\nAvailable formats:\\n{listing}"
    return f'        if (${variable} = {NOT_ACCEPTABLE}) {{ return 406 "{text}"; }}'


def _links(stem: str, formats: Sequence[MediaType], describes: str = "") -> list[tuple[str, str]]:
    found = [("Link", f'<{stem}.{m.suffix}>; rel="alternate"; type="{m.mime}"') for m in formats]
    return found + ([("Link", f'<{describes}>; rel="describes"')] if describes else [])


def published_iris(site: Site, rdf: str, common: list[tuple[str, str]]) -> list[str]:
    """Locations for the IRIs of graphs.py and retired.py: graph triples, version IRIs, retired IRIs."""
    from ..web.graphs import version_iris

    text = _location(f'~ "^/graph/(?<oms_path>{"|".join(GROUPS)})/triples\\.(?<oms_ext>{rdf})$"',
                     _add([("Link", '</graph/$oms_path>; rel="describedby"'), _vary(), *common]))  # fmt: skip
    for name, version in version_iris(site):
        # The version IRI is the current document: answered exactly as /def/{name} (same files, same headers).
        text += _location(f'~ "^/def/{name}/{re.escape(version)}(?<oms_rest>\\.(?:{rdf}|html))?$"',
                          [f"        rewrite ^ /def/{name}$oms_rest last;"])  # fmt: skip
    base = site.base
    for iri, entry in sorted(site.retired.items()):
        if not iri.startswith(base + "id/"):
            continue
        path = iri[len(base) + 3 :]
        pattern = f'~ "^/(?:id/{re.escape(path)}|doc/{re.escape(path)}(?<oms_rest>\\.(?:{rdf}|html))?)$"'
        if entry.replaced_by is not None and entry.replaced_by.startswith(base + "id/"):
            target = entry.replaced_by[len(base) + 3 :]
            text += _location(f'= /id/{path}', [*_add(common[1:2]), f"        return 301 /id/{target};"])
            text += _location(pattern.replace("id/" + re.escape(path) + "|", ""),
                              [*_add(common[1:2]), f"        return 301 /doc/{target}$oms_rest;"])  # fmt: skip
        else:
            note = entry.notes.get("en") or ""
            body = f"410 Gone\\n\\n{iri}: This IRI has been retired; it is never reused for anything else.\\n{note}\\n"
            text += _location(pattern, ["        add_header Access-Control-Allow-Origin '*' always;",
                                        f'        return 410 "{body.replace(chr(34), "")}";'])  # fmt: skip
    return text


def known_content_types(site: Site) -> dict[str, str]:
    """File extension → the Content-Type the app sends for it (the exported static files add theirs)."""
    found = {m.suffix: m.content_type for m in (*DOC_FORMATS, *VOID_FORMATS, *CATALOG_FORMATS, *INDEX_FORMATS)}
    found["svg"] = "image/svg+xml; charset=utf-8"
    for dump in site.dumps.values():
        found.setdefault(dump.name.rsplit(".", 1)[1], dump.content_type)
    return found


def nginx_config(site: Site, root: Path, *, content_types: Mapping[str, str] | None = None, listen: str = "8080",
                 server_name: str = "_") -> str:  # fmt: skip
    """The nginx server block, with the maps it needs (both go in the http {} context), serving `root`.

    `content_types` maps file extensions to the Content-Type the app sent for them (default: the
    types of the package's own formats).
    """
    types = dict(content_types or known_content_types(site))
    mimes = {ext: value.split(";")[0].strip() for ext, value in types.items()}
    charset = sorted({mimes[ext] for ext, value in types.items() if "charset=" in value} - {"text/html"})
    gzipped = sorted({m for m in mimes.values() if m.startswith(COMPRESSIBLE)} - {"text/html"})
    common = [("Cache-Control", f"public, max-age={site.settings.cache_max_age}"),
              ("Access-Control-Allow-Origin", "*"),
              ("Access-Control-Expose-Headers", "ETag, Link, Content-Location, Vary"),
              ("Set-Cookie", "$oms_set_cookie")]  # fmt: skip  (as the app: ?lang= is remembered)
    slug = SLUG_PATH.pattern
    text = [
        "# oms-ld static export, written by `oms-ld export-site`: the app's content negotiation as nginx maps",
        "# and one server block. Include this file in nginx's http {} block (e.g. /etc/nginx/conf.d/oms-ld.conf).",
        "",
        "# The exact Accept headers below are long keys (one per http {} block; raise it there if set).",
        "map_hash_bucket_size 256;",
        "",
        LANGUAGE_MAP,
        accept_map("oms_doc_accept", DOC_FORMATS, ALIASES),
        format_map("oms_doc", "$arg_format", "$oms_doc_accept", DOC_FORMATS, ALIASES),
        accept_map("oms_void_accept", VOID_FORMATS, ALIASES),
        format_map("oms_void", "$arg_format", "$oms_void_accept", VOID_FORMATS, ALIASES),
        accept_map("oms_catalog_accept", CATALOG_FORMATS, ALIASES),
        "map $arg__mediatype $oms_catalog_param {\n    default $arg__mediatype;\n    \"\" $arg_format;\n}\n",
        format_map("oms_catalog", "$oms_catalog_param", "$oms_catalog_accept", CATALOG_FORMATS, ALIASES),
        accept_map("oms_index", INDEX_FORMATS, {}),
        profile_maps(),
        f"map $oms_doc $oms_doc_file {{\n    html /{VARIANTS}$oms_stem.$oms_lang.html;\n"
        "    default $oms_stem.$oms_doc;\n}\n",
        'map $oms_doc $oms_doc_lang {\n    html $oms_lang;\n    default "";\n}\n',
        "server {",
        f"    listen {listen};",
        f"    server_name {server_name};",
        "    # root: the site/ folder of the export (absolute). Change it when the files move.",
        f"    root {root};",
        "    absolute_redirect off;",
        "    server_tokens off;",
        "    sendfile on;",
        "    tcp_nopush on;",
        "    open_file_cache max=10000 inactive=60s;",
        "    etag on;",
        "    types {",
        *(f"        {mime} {ext};" for ext, mime in sorted(mimes.items())),
        "    }",
        "    default_type text/plain;",
        "    charset utf-8;",
        f"    charset_types {' '.join(charset)};",
        "    gzip on;",
        "    gzip_min_length 1024;",
        "    gzip_comp_level 6;",
        "    gzip_proxied any;",
        f"    gzip_types {' '.join(gzipped)};",
        "",
    ]
    families = (("/doc", slug, _links("/doc/$oms_path", DOC_FORMATS, "/id/$oms_path")),
                ("/def", "|".join(DEFINITIONS), _links("/def/$oms_path", DEF_FORMATS)),
                ("/graph", "|".join(GROUPS), _links("/graph/$oms_path", DEF_FORMATS)))  # fmt: skip
    rdf = "|".join(m.suffix for m in DOC_FORMATS if m is not HTML)
    text += published_iris(site, rdf, common)  # first: nginx tries regex locations in order
    for prefix, pattern, links in families:
        text += _location(f'~ "^{prefix}/(?<oms_path>{pattern})$"', [
            f"        set $oms_stem {prefix}/$oms_path;",
            _refuse("oms_doc", DOC_FORMATS),
            "        try_files $oms_doc_file =404;",
            *_add([("Content-Location", f"{prefix}/$oms_path.$oms_doc"), ("Content-Language", "$oms_doc_lang"),
                   *links, _vary("Accept", "Accept-Language"), *common]),
        ])  # fmt: skip
        text += _location(f'~ "^{prefix}/(?<oms_path>{pattern})\\.(?<oms_ext>{rdf})$"', [
            *_add([("Content-Location", f"{prefix}/$oms_path.$oms_ext"), *links, _vary(), *common]),
        ])  # fmt: skip
        text += _location(f'~ "^{prefix}/(?<oms_path>{pattern})\\.html$"', [
            f"        try_files /{VARIANTS}{prefix}/$oms_path.$oms_lang.html =404;",
            *_add([("Content-Location", f"{prefix}/$oms_path.html"), ("Content-Language", "$oms_lang"), *links,
                   _vary("Accept-Language"), *common]),
        ])  # fmt: skip
    text += _location(f'~ "^/id/(?<oms_path>{slug})$"', [
        "        if (!-f $document_root/doc/$oms_path.ttl) { return 404; }",
        *_add([("Vary", "Accept"), *common]),
        "        return 303 /doc/$oms_path;",
    ])  # fmt: skip
    for path, file in (("/", "index.$oms_lang.html"), ("/map.svg", "map.$oms_lang.svg")):
        text += _location(f"= {path}", [f"        try_files /{VARIANTS}/{file} =404;",
                                        *_add([("Content-Language", "$oms_lang"), _vary("Accept-Language"),
                                               *common])])  # fmt: skip
    text += _location("= /.well-known/void", [_refuse("oms_void", VOID_FORMATS),
                                              f"        try_files /{VARIANTS}/void.$oms_void =404;",
                                              *_add([_vary("Accept"), *common])])  # fmt: skip
    catalog = [("Link", '<$oms_profile_uri>; rel="profile"')]
    catalog += [("Link", f'</catalog?_profile={p.token}&_mediatype={m.suffix}>; rel="alternate"; type="{m.mime}"; '
                         f'profile="{p.uri}"') for p in PROFILES for m in CATALOG_FORMATS]  # fmt: skip
    text += _location("= /catalog", [_refuse("oms_catalog", CATALOG_FORMATS),
                                     f"        try_files /{VARIANTS}/catalog.$oms_profile.$oms_catalog =404;",
                                     *_add([*catalog, _vary("Accept", "Accept-Profile"), *common])])  # fmt: skip
    text += _location("= /download", ["        return 308 /download/;"])
    text += _location("= /download/", [_refuse("oms_index", INDEX_FORMATS),
                                       f"        try_files /{VARIANTS}/download-index.$oms_index_file =404;",
                                       *_add([DESCRIBED_BY, ("Content-Language", "$oms_index_lang"),
                                              _vary("Accept", "Accept-Language"), *common])])  # fmt: skip
    for name, dump in site.dumps.items():
        disposition = ("Content-Disposition", f'attachment; filename="{dump.filename}"')
        text += _location(f"= /download/{name}", _add([disposition, DESCRIBED_BY, _vary(), *common]))
    # As the app: browsers that ask for /favicon.ico get the SVG icon.
    text += _location("= /favicon.ico", ["        types { }", "        default_type image/svg+xml;",
                                         "        try_files /static/favicon.svg =404;",
                                         *_add([("Cache-Control", "public, max-age=86400")])])  # fmt: skip
    text += _location('~ "^/static/(?:.*/)?(?<oms_file>[^/]+)$"',
                      _add([("Content-Disposition", "inline; filename=$oms_file"), ("Cache-Control", "no-cache"),
                            *common[1:]]))  # the app marks every answer readable cross-origin (cors.py)
    text += [
        "    # The SPARQL endpoint is not static: send it to the app where one runs, for example",
        "    # location = /sparql { proxy_pass http://127.0.0.1:8080; }",
        "    location / {",
        "        return 404;",
        "    }",
        "}",
        "",
    ]
    return "\n".join(text)


def standalone_config(server_conf: Path, prefix: Path, *, workers: int = 1, user: str = "") -> str:
    """A complete nginx.conf around the server block, runnable by any user (`nginx -p PREFIX -c FILE -e LOG`).

    Everything nginx writes (pid, error log, temporary files) goes under `prefix`, and `daemon off`
    keeps it in the foreground. `user` is needed only when root starts it (its workers run as nobody).
    """
    temp = [f"    {kind}_temp_path {prefix / ('tmp-' + kind)};" for kind in ("client_body", "proxy", "fastcgi",
                                                                            "uwsgi", "scgi")]  # fmt: skip
    return "\n".join([
        "daemon off;",
        *([f"user {user};"] if user else []),
        f"worker_processes {workers};",
        f"pid {prefix / 'nginx.pid'};",
        f"error_log {prefix / 'error.log'} warn;",
        "events {",
        "    worker_connections 1024;",
        "}",
        "http {",
        "    access_log off;",
        *temp,
        f"    include {server_conf};",
        "}",
        "",
    ])  # fmt: skip


