"""nginx `map` blocks that negotiate like the app: media types, profiles and the page language.

The Accept headers of common clients (`CLIENT_ACCEPTS`) are answered exactly as `conneg.negotiate`
answers them (decided when the configuration is written); other headers go through regex rules
ordered like our conneg (q = 1 first, then lower q in steps of 0.1; within a step the server's
order of preference, then aliases, then wildcards). For unusual q orderings the two can differ;
the app is the reference. Pure: strings in, configuration text out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from ..errors import NotAcceptable
from ..publishing.dataset import PROFILES
from ..rdf.formats import BY_MIME, BY_SUFFIX, MediaType
from ..web.conneg import negotiate

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
    "" sv;
    "~*^(?:(?!\b(?:sv|en)\b).)*\bsv\b" sv;
    "~*\ben\b" en;
    "~\*" sv;
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
