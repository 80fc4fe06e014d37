"""Exact re-checks, as pySHACL makes them, of the candidate values a compiled SPARQL check returns.

SPARQL narrows the values down (never dropping a violation); these decide the cases where SPARQL and
pySHACL may judge differently: ill-typed literals, Python regular expressions, literal comparison.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import BNode, Graph, Literal, Node
from rdflib.namespace import RDF, RDFS, SH, XSD

Confirm = Callable[[Node], bool]
COMPARE: dict[Node, str] = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}


def confirm_of(g: Graph, shape: Node, key: Node, rule: Node) -> Confirm | None:
    """The exact pySHACL test for value-based components the SPARQL check only narrows down."""
    if key == SH.datatype:
        from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

        actual: Callable[..., object] = DatatypeConstraintComponent._assert_actual_datatype

        def datatype_ok(v: Node) -> bool:
            if not isinstance(v, Literal):
                return False
            if v.datatype == rule:
                return getattr(v, "ill_typed", None) is not True and bool(actual(None, v, rule))
            if rule == RDFS.Literal or (rule == RDFS.Datatype and v.datatype is not None):
                return True
            if (v.datatype is None and v.language is None and rule == XSD.string) or (
                    rule == RDF.langString and v.language):  # fmt: skip
                return bool(actual(None, v, rule))
            return False

        return datatype_ok
    if key == SH.pattern:
        flags = str(g.value(shape, SH.flags) or "").lower()
        compiled = re.compile(str(rule), (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0))

        def pattern_ok(v: Node) -> bool:
            if isinstance(v, BNode):
                return False
            text = str(v.value) if isinstance(v, Literal) and v.value is not None and (
                v.datatype in (None, RDF.langString, XSD.string)) else str(v)  # fmt: skip
            return compiled.search(text) is not None

        return pattern_ok
    if key in COMPARE and isinstance(rule, Literal):
        from pyshacl.rdfutil.compare import compare_literal

        compare: Callable[[Literal, Literal], int] = compare_literal

        def compare_ok(v: Node) -> bool:
            if not isinstance(v, Literal) or isinstance(v.value, str) != isinstance(rule.value, str):
                return False
            try:
                cmp = compare(v, rule)
            except (TypeError, NotImplementedError):
                return False
            return {">=": cmp >= 0, "<=": cmp <= 0, ">": cmp > 0, "<": cmp < 0}[COMPARE[key]]

        return compare_ok
    return None
