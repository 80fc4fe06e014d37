"""Validate data + ontology against the SHACL shapes with pySHACL, and report it readably."""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate
from rdflib import Graph, Literal, Node
from rdflib.namespace import SH

from .namespaces import PREFIXES, bind_prefixes


@dataclass(frozen=True)
class Violation:
    """One validation result, reduced to what a person needs to fix it."""

    focus: str
    path: str
    value: str
    message: str
    severity: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: whether it conforms, the SHACL report graph and its results."""

    conforms: bool
    graph: Graph
    results: tuple[Violation, ...]

    def text(self) -> str:
        """A readable report: one block per result (focus node, path, message)."""
        if self.conforms:
            return "Conforms: the data satisfies every shape.\n"
        lines = [f"Does not conform: {len(self.results)} result(s).", ""]
        for r in self.results:
            lines += [f"[{r.severity}] {r.focus}", f"  path:    {r.path}", f"  value:   {r.value}"]
            lines += [f"  message: {r.message}", ""]
        return "\n".join(lines)


def _short(node: Node | None) -> str:
    if node is None:
        return "-"
    text = node.n3()
    for prefix, namespace in PREFIXES.items():
        if text.startswith(f"<{namespace}") and text.endswith(">"):
            local = text[len(namespace) + 1 : -1]
            if local and all(c.isalnum() or c in "-_" for c in local):
                return f"{prefix}:{local}"
    return text


def _english(messages: list[Literal]) -> Literal | None:
    return next((m for m in messages if m.language == "en"), None)


def _message(report: Graph, shapes: Graph, result: Node) -> str:
    """The English message (shapes give sv and en).

    pySHACL drops the language tags of SHACL-SPARQL messages after filling in placeholders, so for
    those the English template is taken from the shapes graph and `{?value}`/`{$this}` filled in here.
    """
    messages = [m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]
    english = _english(messages)
    if english is not None:
        return str(english)
    constraint = report.value(result, SH.sourceConstraint) or report.value(result, SH.sourceShape)
    template = _english([m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)])
    if template is not None:
        value, focus = report.value(result, SH.value), report.value(result, SH.focusNode)
        return str(template).replace("{?value}", _short(value)).replace("{$this}", _short(focus))
    return str(messages[0]) if messages else "(no message)"


def validate_graph(data: Graph, shapes: Graph, ontology: Graph | None = None) -> ValidationReport:
    """Validate `data` (with `ontology` mixed in) against `shapes`, without inference."""
    conforms, report, _ = validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    assert isinstance(report, Graph)
    bind_prefixes(report)
    results = []
    for result in report.subjects(SH.resultSeverity, None):
        severity = report.value(result, SH.resultSeverity)
        results.append(
            Violation(
                focus=_short(report.value(result, SH.focusNode)),
                path=_short(report.value(result, SH.resultPath)),
                value=_short(report.value(result, SH.value)),
                message=_message(report, shapes, result),
                severity=_short(severity).removeprefix("sh:"),
            )
        )
    results.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(conforms=bool(conforms), graph=report, results=tuple(results))
