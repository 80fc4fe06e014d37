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
            lines += [f"[{r.severity}] {r.focus}", f"  path:    {r.path}", f"  message: {r.message}", ""]
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


def _message(report: Graph, result: Node) -> str:
    """The English message when there is one (messages come in sv and en), else any message."""
    messages = [m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]
    english = [m for m in messages if m.language == "en"]
    chosen = english or messages
    return str(chosen[0]) if chosen else "(no message)"


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
                message=_message(report, result),
                severity=_short(severity).removeprefix("sh:"),
            )
        )
    results.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(conforms=bool(conforms), graph=report, results=tuple(results))
