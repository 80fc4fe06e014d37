"""HTML pages (placeholder until the page work lands)."""

from __future__ import annotations

from html import escape

from rdflib import Graph

from .site import Site


def render_resource(site: Site, graph: Graph, thing: str, lang: str) -> str:
    """A minimal resource page."""
    rows = "".join(f"<li>{escape(p.n3())} {escape(o.n3())}</li>" for _, p, o in graph)
    return f"<!doctype html><html lang={lang}><title>{escape(thing)}</title><ul>{rows}</ul></html>"
