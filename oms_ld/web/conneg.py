"""Content negotiation: pick a representation from Accept (werkzeug's parser) or an explicit format.

Pure functions on strings; no request object. The order of `offers` is the server's preference,
used to break ties between equally acceptable types (and for `*/*` or no Accept at all).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..errors import NotAcceptable
from ..rdf.formats import ALIASES, BY_MIME, BY_SUFFIX, MediaType

#: Longest Accept header we read; longer ones are cut at the last complete entry before the limit.
MAX_ACCEPT = 4096


def parse_accept(header: str | None) -> MIMEAccept:
    """Parse an Accept header leniently: malformed entries are dropped, an empty result means `*/*`."""
    text = (header or "")[:MAX_ACCEPT]
    if len(header or "") > MAX_ACCEPT:
        text = text.rsplit(",", 1)[0]
    # Parameters other than q (`level=1`, SPARQL 1.2's `version=`) do not change what we can serve.
    entries = [(value.split(";", 1)[0].strip().lower(), quality) for value, quality in parse_accept_header(text)]
    accept = MIMEAccept([(value, quality) for value, quality in entries if value])
    return accept if len(accept) else MIMEAccept([("*/*", 1)])


def negotiate(
    accept: str | None,
    offers: Sequence[MediaType],
    *,
    format_param: str | None = None,
    aliases: Mapping[str, str] = ALIASES,
) -> MediaType:
    """Choose one of `offers` for a client.

    Args:
        accept: the Accept header, or None.
        offers: what this resource can be, in the server's order of preference.
        format_param: an explicit choice (`?format=ttl` or `?format=text/turtle`); wins over Accept.
        aliases: media types clients send for one of ours (`application/x-turtle` → Turtle).

    Raises:
        NotAcceptable: nothing offered is acceptable (or the explicit format is not offered).
    """
    if format_param:
        chosen = BY_SUFFIX.get(format_param.lower()) or BY_MIME.get(aliases.get(format_param, format_param))
        if chosen is None or chosen not in offers:
            raise NotAcceptable(f"format {format_param!r} is not available here", [m.mime for m in offers])
        return chosen
    best = _negotiate_accept(accept, tuple(offers), tuple(aliases.items()))
    if best is None:
        raise NotAcceptable("none of the available formats is acceptable", [m.mime for m in offers])
    return best


@lru_cache(maxsize=1024)
def _negotiate_accept(
    accept: str | None, offers: tuple[MediaType, ...], aliases: tuple[tuple[str, str], ...]
) -> MediaType | None:
    """The best offer for an Accept header; memoised, since clients send the same few headers again and again."""
    candidates: list[tuple[str, MediaType]] = [(m.mime, m) for m in offers]
    candidates += [(alias, BY_MIME[target]) for alias, target in aliases if BY_MIME.get(target) in offers]
    return _best(parse_accept(accept), candidates)


def _best(accept: MIMEAccept, candidates: Sequence[tuple[str, MediaType]]) -> MediaType | None:
    """The candidate with the highest quality; ties go to the earlier candidate (the server's order).

    A canonical media type beats an alias only when the client rates it at least as high, so
    `application/xml;q=0.9, text/turtle;q=0.5` gives RDF/XML, and rdflib's list gives Turtle.
    """
    best: MediaType | None = None
    best_quality = 0.0
    for mime, media_type in candidates:
        quality = accept.quality(mime)
        if quality > best_quality:
            best, best_quality = media_type, quality
    return best
