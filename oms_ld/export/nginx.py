"""The nginx side of the static export: `map` blocks that negotiate like the app, and the server block.

The Accept headers of common clients (`CLIENT_ACCEPTS`) are answered exactly as `conneg.negotiate`
answers them (decided when the configuration is written); other headers go through regex rules
ordered like our conneg (q = 1 first, then lower q in steps of 0.1; within a step the server's
order of preference, then aliases, then wildcards). For unusual q orderings the two can differ;
the app is the reference. Pure: strings in, configuration text out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from ..errors import NotAcceptable
from ..publishing.dataset import PROFILES
from ..publishing.publication import Site
from ..rdf.formats import ALIASES, BY_MIME, BY_SUFFIX, HTML, MediaType
from ..web.conneg import negotiate
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

VARIANTS = "_variants"
DEFINITIONS = ("oms", "shapes")
#: Accept headers of common clients: the maps answer these exactly as the app does.
CLIENT_ACCEPTS: tuple[str, ...] = (
    # curl, wget, python-requests, most libraries
    "*/*",
    # Firefox (older and current), Chrome and Edge
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/png,image/svg+xml,*/*;q=0.8",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7",
    # rdflib (Graph.parse of a URL)
    "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
    "application/n-quads, application/trix, application/trig",
    # rapper (Raptor)
    "application/rdf+xml, text/rdf;q=0.6, application/n-triples, text/plain;q=0.1, text/turtle, "
    "text/html;q=0.2, application/xhtml+xml;q=0.4, text/html;q=0.6, application/xhtml+xml;q=0.8, */*;q=0.1",
    # Comunica
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
    "text/turtle;q=0.6,application/rdf+xml;q=0.5,text/html;q=0.2",
)
NOT_ACCEPTABLE = "406"
#: Parameters other than q, then an optional q of 1, then the end of the entry.
_PARAMS = r"(\s*;\s*(?!q=)[^,;]*)*"

LANGUAGE_MAP = r"""map $http_accept_language $oms_lang_accept {
    default en;
    "~*^(?:(?!\b(?:sv|en)\b).)*\bsv\b" sv;
    "~*\ben\b" en;
}

map $cookie_lang $oms_lang_kept {
    default $oms_lang_accept;
    sv sv;
    en en;
}

map $arg_lang $oms_lang {
    default $oms_lang_kept;
    sv sv;
    en en;
}

map $arg_lang $oms_set_cookie {
    default "";
    sv "lang=sv; Max-Age=31536000; Path=/; SameSite=Lax; HttpOnly";
    en "lang=en; Max-Age=31536000; Path=/; SameSite=Lax; HttpOnly";
}

map $oms_index $oms_index_file {
    html $oms_lang.html;
    default $oms_index;
}

map $oms_index $oms_index_lang {
    html $oms_lang;
    default "";
}
"""



# --- content negotiation as nginx maps -----------------------------------------------------------


def _aliases_of(media_type: MediaType, aliases: Mapping[str, str]) -> list[str]:
    return [alias for alias, target in aliases.items() if target == media_type.mime]


def _entry(name: str, q: str) -> str:
    """A regex for an Accept entry naming `name` with q = 1 (`q` "1") or q = 0.q… (`q` one digit)."""
    head = rf"(^|,)\s*{re.escape(name)}{_PARAMS}"
    if q == "1":
        return rf"{head}(\s*;\s*q=1(\.0*)?)?\s*(,|$)"
    digits = r"0[0-9]*[1-9][0-9]*" if q == "0" else rf"{q}[0-9]*"
    return rf"{head}\s*;\s*q=0?\.{digits}\s*(,|$)"


def accept_rules(offers: Sequence[MediaType], aliases: Mapping[str, str]) -> list[tuple[str, str]]:
    """(regex, suffix) rules, the first match wins, that choose among `offers` as our conneg does.

    For each q step from 1 down to 0.0…: the offered types in the server's order, their aliases,
    then the wildcards (`*/*`, `text/*`, `application/*`) for the first offer each covers.
    """
    names = [(m.mime, m) for m in offers] + [(a, m) for m in offers for a in _aliases_of(m, aliases)]
    names.append(("*/*", offers[0]))
    for family in ("text/", "application/"):
        first = next((m for m in offers if m.mime.startswith(family)), None)
        if first is not None:
            names.append((family + "*", first))
    return [(_entry(name, q), m.suffix) for q in ("1", *"9876543210") for name, m in names]


def choose(rules: Sequence[tuple[str, str]], accept: str) -> str:
    """What the regex rules alone choose for `accept` (the first match, as nginx does), or 406."""
    for pattern, suffix in rules:
        if re.search(pattern, accept, re.IGNORECASE):
            return suffix
    return NOT_ACCEPTABLE


def _quote(text: str) -> str:
    if '"' in text or "\\\\" in text:
        raise ValueError(f"cannot quote {text!r} for nginx")
    return f'"{text}"'


def accept_map(variable: str, offers: Sequence[MediaType], aliases: Mapping[str, str]) -> str:
    """An nginx `map` from the Accept header to the suffix of the chosen variant (or 406)."""
    lines = [f"map $http_accept ${variable} {{", f"    default {NOT_ACCEPTABLE};", f'    "" {offers[0].suffix};']
    exact = [*CLIENT_ACCEPTS, *(m.mime for m in offers), *(a for m in offers for a in _aliases_of(m, aliases))]
    for header in dict.fromkeys(exact):
        try:
            suffix = negotiate(header, offers, aliases=aliases).suffix
        except NotAcceptable:
            suffix = NOT_ACCEPTABLE
        lines.append(f"    {_quote(header)} {suffix};")
    lines += [f"    {_quote('~*' + pattern)} {suffix};" for pattern, suffix in accept_rules(offers, aliases)]
    return "\n".join([*lines, "}", ""])


def format_map(variable: str, source: str, fallback: str, offers: Sequence[MediaType],
               aliases: Mapping[str, str]) -> str:  # fmt: skip
    """An nginx `map` for an explicit format parameter (a suffix or a media type): it wins over Accept."""
    names = {suffix: m.suffix for suffix, m in BY_SUFFIX.items() if m in offers}
    names |= {mime: m.suffix for mime, m in BY_MIME.items() if m in offers}
    names |= {alias: BY_MIME[target].suffix for alias, target in aliases.items() if BY_MIME.get(target) in offers}
    lines = [f"map {source} ${variable} {{", f"    default {NOT_ACCEPTABLE};", f'    "" {fallback};']
    for name, suffix in names.items():
        lines += [f"    {_quote(spelled)} {suffix};" for spelled in dict.fromkeys((name, quote(name, safe="")))]
    return "\n".join([*lines, "}", ""])


def profile_maps() -> str:
    """Maps for the catalogue profile: `?_profile=` (token or URI), else Accept-Profile, else the default."""
    default = PROFILES[0]
    by_header = ["map $http_accept_profile $oms_profile_accept {", f"    default {default.token};"]
    by_param = ["map $arg__profile $oms_profile {", f"    default {default.token};", '    "" $oms_profile_accept;']
    uris = ["map $oms_profile $oms_profile_uri {"]
    for profile in PROFILES:
        uri = profile.uri.rstrip("/")
        if profile is not default:
            by_header.append(f"    {_quote('~*<?' + re.escape(uri) + '/?>?' + _PARAMS + '(,|$)')} {profile.token};")
        for spelled in dict.fromkeys((profile.token, uri, uri + "/", quote(uri, safe=""), quote(uri + "/", safe=""))):
            by_param.append(f"    {_quote(spelled)} {profile.token};")
        uris.append(f"    {profile.token} {_quote(profile.uri)};")
    return "\n".join([*by_header, "}", "", *by_param, "}", "", *uris, "}", ""])


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
                ("/def", "|".join(DEFINITIONS), _links("/def/$oms_path", DEF_FORMATS)))  # fmt: skip
    rdf = "|".join(m.suffix for m in DOC_FORMATS if m is not HTML)
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
                      _add([("Content-Disposition", "inline; filename=$oms_file"), ("Cache-Control", "no-cache")]))
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


