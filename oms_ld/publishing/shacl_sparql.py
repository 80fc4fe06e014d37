"""Running compiled SHACL checks (shacl_compile.py) and SHACL-SPARQL constraints over the store.

Each check and each `sh:sparql` constraint is one query over every focus node of its shape; the rows
are violations (or candidates confirmed in Python), read one by one, and become the `Violation`s that
whole-graph pySHACL reports. Pure: no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import SH, XSD

from ..store import EmbeddedStore
from .shacl_compile import Check, Unsupported, targets
from .validation import Violation, _english, _short

_XSD_STRING, _XSD_DECIMAL = ox.NamedNode(str(XSD.string)), ox.NamedNode(str(XSD.decimal))
#: Parts of a query after which `$this` cannot simply become a variable joined to the targets.
_NOT_JOINABLE = re.compile(
    r"\b(GROUP|HAVING|ORDER|LIMIT|OFFSET|MINUS|VALUES|SERVICE|GRAPH|BIND)\b|\$(PATH|shapesGraph|currentShape)\b", re.I
)
_PROJECTION = re.compile(r"\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?", re.I)


def term(value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Node:
    """The rdflib term of a store term (an `xsd:string` literal becomes a simple literal, as RDF 1.1 has it)."""
    if isinstance(value, ox.NamedNode):
        return URIRef(value.value)
    if isinstance(value, ox.BlankNode):
        return BNode(value.value)
    if isinstance(value, ox.Literal):
        if value.language:
            return Literal(value.value, lang=value.language)
        if value.datatype == _XSD_STRING:
            return Literal(value.value)
        if value.datatype == _XSD_DECIMAL and value.value.lstrip("+-").isdigit():
            return Literal(value.value + ".0", datatype=XSD.decimal)  # the store writes 1.0 as 1
        return Literal(value.value, datatype=URIRef(value.datatype.value))
    raise TypeError(f"unexpected term {value!r}")


def rows(store: EmbeddedStore, sparql: str) -> Iterator[dict[str, Node]]:
    """The solutions of a SELECT, one at a time, as rdflib terms (unbound variables left out)."""
    result = store.query(sparql)
    assert result.solutions is not None
    names = [v.value for v in result.solutions.variables]
    for row in result.solutions:
        yield {n: term(row[n]) for n in names if row[n] is not None}


def run_check(store: EmbeddedStore, check: Check) -> Iterator[Violation]:
    """The violations one compiled check finds."""
    for row in rows(store, check.sparql):
        value = row.get("value")
        if value is not None and check.confirm is not None and check.confirm(value):
            continue
        yield Violation(focus=_short(row["this"]), path=check.path, value=_short(value), message=check.message,
                        severity=check.severity)  # fmt: skip


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for declared in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(declared, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _joined(select: str, where: str, prefixes: str) -> str | None:
    """`select` with `$this` as a variable joined to the targets, or None when that would change its meaning."""
    if _NOT_JOINABLE.search(select) or len(_PROJECTION.findall(select)) != 1 or "?this" in select:
        return None
    start = _PROJECTION.search(select)
    assert start is not None
    projection = select[start.end() : select.index("{")]
    named = projection.lstrip().startswith("*") or "$this" in projection
    inner = select.replace("$this", "?this")
    if not named:
        inner = inner[: start.end()] + "?this " + inner[start.end() :]
    return f"{prefixes}\nSELECT * WHERE {{ {where} {{ {inner} }} }}"


def sparql_constraints(store: EmbeddedStore, shapes: Graph) -> Iterator[Violation]:
    """The SHACL-SPARQL constraints, each run once for all the focus nodes of its shape."""
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql), key=str):
        if shapes.value(constraint, SH.deactivated) == Literal(True):
            continue
        severity = _short(shapes.value(shape, SH.severity) or SH.Violation).removeprefix("sh:")
        select = str(shapes.value(constraint, SH.select))
        template = _english([m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)])
        where, prefixes = targets(shapes, shape), _prefixes(shapes, constraint)
        if where is None:
            continue
        focus_nodes = f"SELECT ?this WHERE {{ {where} }}"
        if "$this" not in select:  # the same answer for every focus node: run it once
            found = list(rows(store, f"{prefixes}\n{select}"))
            pairs: Iterator[tuple[Node, dict[str, Node]]] = (
                (focus["this"], row) for focus in rows(store, focus_nodes) for row in found)  # fmt: skip
        elif (query := _joined(select, where, prefixes)) is not None:
            pairs = ((row["this"], row) for row in rows(store, query))
        else:  # one query per focus node, $this substituted as pySHACL pre-binds it
            pairs = ((focus["this"], row) for focus in rows(store, focus_nodes)
                     for row in rows(store, _bound(prefixes, select, focus["this"])))  # fmt: skip
        for focus, row in pairs:
            value = row.get("value", focus)
            message = str(template).replace("{?value}", _short(value)).replace("{$this}", _short(focus)) \
                if template is not None else "(no message)"  # fmt: skip
            yield Violation(focus=_short(focus), path=_short(row.get("path")), value=_short(value), message=message,
                            severity=severity)  # fmt: skip


def _bound(prefixes: str, select: str, focus: Node) -> str:
    """`select` with `$this` replaced by the focus node, as pySHACL pre-binds it."""
    if not isinstance(focus, URIRef):
        raise Unsupported(f"focus node {focus} cannot be named in a query")
    return prefixes + "\n" + select.replace("$this", f"<{focus}>")
