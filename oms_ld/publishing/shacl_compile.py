"""SHACL Core shapes compiled into SPARQL checks that cover every focus node of a shape at once.

One `Check` per (node shape, property shape, constraint component): a SELECT over the store that
returns the violating `?this` (and `?value` for value-based components), with the targets of the node
shape joined in (`sh:targetClass` through `rdfs:subClassOf*`, `sh:targetNode`, `sh:targetSubjectsOf`,
`sh:targetObjectsOf`). Compiled components, on property shapes with an `sh:message`:

* `sh:minCount`, `sh:maxCount`, `sh:hasValue`, `sh:qualifiedValueShape` with `sh:qualifiedMinCount` /
  `sh:qualifiedMaxCount` (not disjoint);
* value by value: `sh:datatype`, `sh:nodeKind`, `sh:pattern` (+ `sh:flags`), `sh:class`, `sh:in`,
  `sh:languageIn`, `sh:minInclusive`, `sh:maxInclusive`, `sh:minExclusive`, `sh:maxExclusive`, and
  `sh:or` of shapes made of those;
* paths: an IRI, `sh:alternativePath`, sequences, `sh:inversePath`, `sh:zeroOrMorePath`,
  `sh:oneOrMorePath`, `sh:zeroOrOnePath`.

For value-based components the query returns candidates (never fewer than the violations) and
`confirm` re-checks each candidate in Python as pySHACL does (datatype well-formedness, Python regular
expressions, literal comparison). A node shape using anything else (other components, property shapes
without `sh:message`, node-level constraints) is not compiled: `compile_shapes` names it in
`Plan.fallback`, and the caller validates it with pySHACL. Pure: no Flask, no store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rdflib import Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from .shacl_confirm import COMPARE as _COMPARE
from .shacl_confirm import Confirm, confirm_of
from .validation import _english, _short

#: Predicates that describe a shape without constraining anything.
_INERT = {RDF.type, RDFS.label, RDFS.comment, SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group,
          SH.deactivated}  # fmt: skip
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
_VALUE = {SH.datatype, SH.nodeKind, SH.pattern, SH.flags, SH["class"], SH["in"], SH.languageIn, SH.minInclusive,
          SH.maxInclusive, SH.minExclusive, SH.maxExclusive}  # fmt: skip
_PROPERTY = _VALUE | {SH.path, SH.minCount, SH.maxCount, SH.hasValue, SH["or"], SH.qualifiedValueShape,
                      SH.qualifiedMinCount, SH.qualifiedMaxCount}  # fmt: skip
_KINDS: dict[Node, str] = {SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)", SH.Literal: "isLiteral(?v)",
          SH.BlankNodeOrIRI: "(isIRI(?v) || isBlank(?v))", SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
          SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))"}  # fmt: skip
#: Lexical forms that rdflib surely reads as well-typed (a literal outside them is checked in Python).
_LEXICAL: dict[Node, str] = {XSD.integer: r"^[+-]?[0-9]+$", XSD.decimal: r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$",
            XSD.boolean: "^(true|false)$", XSD.gYear: "^[0-9]{4}$", XSD.gYearMonth: "^[0-9]{4}-(0[1-9]|1[0-2])$",
            XSD.date: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"}  # fmt: skip
SUBCLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"


class Unsupported(Exception):
    """A shape uses something this compiler does not translate."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: its query (`?this`, maybe `?value`) and how to report a row of it."""

    sparql: str
    message: str
    severity: str
    path: str
    confirm: Confirm | None = None
    root: Node | None = None  # the targeted shape it was compiled for


@dataclass
class Plan:
    """The compiled checks, and the node shapes left to pySHACL."""

    checks: list[Check] = field(default_factory=list)
    fallback: set[Node] = field(default_factory=set)


def sparql_term(node: Node) -> str:
    """`node` in SPARQL syntax (IRIs and literals only)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return string(str(node)) + (
            f"@{node.language}" if node.language else f"^^<{node.datatype}>" if node.datatype else ""
        )
    raise Unsupported(f"blank node {node} as a constant")


def string(text: str) -> str:
    """A SPARQL string literal for `text`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def sparql_path(g: Graph, path: Node) -> str:
    """The SPARQL property path of a SHACL path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in g:
        return "(" + "/".join(sparql_path(g, step) for step in Collection(g, path)) + ")"
    for key, text in ((SH.alternativePath, "|"), (SH.inversePath, "^"), (SH.zeroOrMorePath, "*"),
                      (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):  # fmt: skip
        inner = g.value(path, key)
        if inner is None:
            continue
        if key == SH.alternativePath:
            return "(" + "|".join(sparql_path(g, step) for step in Collection(g, inner)) + ")"
        return f"^({sparql_path(g, inner)})" if text == "^" else f"({sparql_path(g, inner)}){text}"
    raise Unsupported(f"path {path}")


def targets(g: Graph, shape: Node) -> str | None:
    """A group binding `?this` to each focus node of `shape` (None when it has no targets)."""
    parts = [f"{{ ?this {SUBCLASS} {sparql_term(c)} }}" for c in g.objects(shape, SH.targetClass)]
    nodes = " ".join(sparql_term(n) for n in g.objects(shape, SH.targetNode))
    parts += [f"{{ VALUES ?this {{ {nodes} }} }}"] if nodes else []
    parts += [f"{{ ?this {sparql_term(p)} [] }}" for p in g.objects(shape, SH.targetSubjectsOf)]
    parts += [f"{{ [] {sparql_term(p)} ?this }}" for p in g.objects(shape, SH.targetObjectsOf)]
    if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
        raise Unsupported("implicit class target")
    return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}" if parts else None


def _one(g: Graph, shape: Node, key: URIRef) -> Node:
    values = list(g.objects(shape, key))
    if len(values) != 1:
        raise Unsupported(f"{len(values)} values of {key} on {shape}")
    return values[0]


def _condition(g: Graph, shape: Node, key: Node, rule: Node) -> str:
    """A SPARQL expression over `?v`: true when `?v` satisfies `key rule` (errors count as false)."""
    if key == SH.nodeKind:
        if rule not in _KINDS:
            raise Unsupported(f"node kind {rule}")
        return _KINDS[rule]
    if key == SH.datatype:
        if rule == XSD.string:
            return f"(isLiteral(?v) && datatype(?v) = <{XSD.string}>)"
        if rule == RDF.langString:
            return '(isLiteral(?v) && lang(?v) != "")'
        check = f"(isLiteral(?v) && datatype(?v) = {sparql_term(rule)}"
        if str(rule).startswith(str(XSD)):
            if rule not in _LEXICAL:
                raise Unsupported(f"datatype {rule} in a nested shape")
            check += f" && REGEX(STR(?v), {string(_LEXICAL[rule])})"
        return check + ")"
    if key == SH.pattern:
        flags = g.value(shape, SH.flags)
        return f"(!isBlank(?v) && REGEX(STR(?v), {string(str(rule))}{', ' + string(str(flags)) if flags else ''}))"
    if key == SH["class"]:
        return f"EXISTS {{ ?v <{RDF.type}> ?type . ?type <{RDFS.subClassOf}>* {sparql_term(rule)} }}"
    if key == SH["in"]:
        return "(" + (" || ".join(f"sameTerm(?v, {sparql_term(m)})" for m in Collection(g, rule)) or "false") + ")"
    if key == SH.languageIn:
        wanted = [str(m).lower() for m in Collection(g, rule)]
        if "*" in wanted:
            return '(isLiteral(?v) && lang(?v) != "")'
        tags = ", ".join(string(w) for w in wanted)
        first = 'STRBEFORE(CONCAT(LCASE(lang(?v)), "-"), "-")'
        return f'(isLiteral(?v) && lang(?v) != "" && (LCASE(lang(?v)) IN ({tags}) || {first} IN ({tags})))'
    if key in _COMPARE:
        if not isinstance(rule, Literal):
            raise Unsupported(f"{key} {rule}")
        return f"(isLiteral(?v) && ?v {_COMPARE[key]} {sparql_term(rule)})"
    raise Unsupported(f"component {key}")


def node_condition(g: Graph, shape: Node) -> str:
    """A SPARQL expression over `?v`: true when `?v` conforms to the inline node shape `shape`."""
    parts = []
    for key, rule in g.predicate_objects(shape):
        if key in _INERT - {SH.deactivated} or key == SH.flags:
            continue
        if key == SH.hasValue:
            parts.append(f"sameTerm(?v, {sparql_term(rule)})")
        elif key == SH.pattern and re.search(r"\(\?|\\[0-9]", str(rule)):
            raise Unsupported(f"pattern {rule} the store may read otherwise, in a nested shape")
        elif key in _VALUE:
            parts.append(_condition(g, shape, key, rule))
        else:
            raise Unsupported(f"{key} in a nested shape")
    return "(" + (" && ".join(parts) or "true") + ")"


def _cardinality(where: str, path: str, n: int, at_least: bool, condition: str = "true") -> str:
    values = f"?this {path} ?v FILTER(COALESCE({condition}, false))"
    if at_least and n == 1:
        return f"SELECT ?this WHERE {{ {where} FILTER NOT EXISTS {{ {values} }} }}"
    if at_least:
        return (
            f"SELECT ?this WHERE {{ {where} OPTIONAL {{ {values} }} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})"
        )
    return f"SELECT ?this WHERE {{ {where} {values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})"


def _count(g: Graph, shape: Node, key: URIRef) -> int:
    value = _one(g, shape, key)
    if not isinstance(value, Literal) or not isinstance(value.value, int):
        raise Unsupported(f"{key} {value}")
    return value.value


def property_checks(g: Graph, shape: Node, where: str) -> list[Check]:
    """The checks of property shape `shape` for the focus nodes bound by `where`."""
    keys = set(g.predicates(shape))
    if g.value(shape, SH.deactivated) == Literal(True):
        return []
    if keys - _INERT - _PROPERTY or SH.qualifiedValueShapesDisjoint in keys:
        raise Unsupported(f"components {keys - _INERT - _PROPERTY} on {shape}")
    message = _english([m for m in g.objects(shape, SH.message) if isinstance(m, Literal)])
    if message is None:
        raise Unsupported(f"no English sh:message on {shape}")
    node = _one(g, shape, SH.path)
    path, severity = sparql_path(g, node), _short(g.value(shape, SH.severity) or SH.Violation).removeprefix("sh:")

    def check(sparql: str, confirm: Confirm | None = None) -> Check:
        return Check(sparql, str(message), severity, _short(node), confirm)

    checks = []
    if SH.minCount in keys and (n := _count(g, shape, SH.minCount)) > 0:
        checks.append(check(_cardinality(where, path, n, at_least=True)))
    if SH.maxCount in keys:
        checks.append(check(_cardinality(where, path, _count(g, shape, SH.maxCount), at_least=False)))
    for rule in g.objects(shape, SH.hasValue):
        found = f"?this {path} ?v FILTER(sameTerm(?v, {sparql_term(rule)}))"
        checks.append(check(f"SELECT ?this WHERE {{ {where} FILTER NOT EXISTS {{ {found} }} }}"))
    if SH.qualifiedValueShape in keys:
        condition = node_condition(g, _one(g, shape, SH.qualifiedValueShape))
        for bound, at_least in ((SH.qualifiedMinCount, True), (SH.qualifiedMaxCount, False)):
            if bound in keys:
                checks.append(check(_cardinality(where, path, _count(g, shape, bound), at_least, condition)))
    rules = [(k, r) for k, r in g.predicate_objects(shape) if k in _VALUE - {SH.flags}]
    rules += [(SH["or"], r) for r in g.objects(shape, SH["or"])]
    for key, rule in rules:
        if key == SH["or"]:
            ok = "(" + " || ".join(node_condition(g, member) for member in Collection(g, rule)) + ")"
            confirm = None
        else:
            confirm = confirm_of(g, shape, key, rule)
            if key == SH.datatype and str(rule).startswith(str(XSD)) and rule not in {*_LEXICAL, XSD.string}:
                ok = "false"  # every value is a candidate, confirmed in Python
            else:
                ok = _condition(g, shape, key, rule)
            if key == SH.pattern:
                ok = f'({ok} && !CONTAINS(STR(?v), "\\n"))'  # Python's `$` also matches before a final newline
        value = f"?this {path} ?value BIND(?value AS ?v) FILTER(!COALESCE({ok}, false))"
        checks.append(check(f"SELECT DISTINCT ?this ?value WHERE {{ {where} {value} }}", confirm))
    return checks


def compile_shapes(g: Graph) -> Plan:
    """Compile every node shape with targets (and every property shape with its own targets)."""
    plan = Plan()
    roots = {s for key in _TARGETS for s in g.subjects(key, None)}
    for root in sorted(roots, key=str):
        if g.value(root, SH.deactivated) == Literal(True):
            continue
        try:
            where = targets(g, root)
            assert where is not None
            if (root, SH.path, None) in g:
                checks = property_checks(g, root, where)
            else:
                extra = set(g.predicates(root)) - _INERT - _TARGETS - {SH.property, SH.sparql}
                if extra:
                    raise Unsupported(f"node-level {extra}")
                checks = [c for p in g.objects(root, SH.property) for c in property_checks(g, p, where)]
        except Unsupported:
            plan.fallback.add(root)
            continue
        plan.checks += [replace(c, root=root) for c in checks]
    return plan
