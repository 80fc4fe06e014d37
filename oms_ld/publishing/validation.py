"""Validate data + ontology against the SHACL shapes with pySHACL, and report it readably."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyshacl
from pyshacl import validate
from rdflib import Graph, Literal, Node
from rdflib.namespace import SH

from ..rdf.namespaces import PREFIXES, bind_prefixes

if TYPE_CHECKING:
    from ..rdf.sources import Sources

log = logging.getLogger(__name__)


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
    """Validate `data` (with `ontology` mixed in) against `shapes`, without inference.

    pySHACL adds its "system triples" (`owl:Class rdfs:subClassOf rdfs:Class`, …) to the shapes graph
    it is given, so it gets a copy: `shapes` is the published shapes graph, and what is published must
    not depend on whether this process validated (a cold start) or skipped it (a warm one).
    """
    conforms, report, _ = validate(
        data,
        shacl_graph=_copy(shapes),
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


def _copy(graph: Graph) -> Graph:
    """A new graph with the triples and prefixes of `graph`, for a library that may change what it is given."""
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    copy += graph
    return copy


def _stamp(cache_dir: str | Path, version: str) -> Path:
    """Where a conforming result for content `version` (under this pySHACL) is recorded."""
    return Path(cache_dir) / "validated" / f"{version}-pyshacl-{pyshacl.__version__}.json"


def record_conformance(sources: Sources, cache_dir: str | Path) -> None:
    """Note that this exact content conforms, so a restart need not validate it again."""
    stamp = _stamp(cache_dir, sources.version)
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps({"version": sources.version, "conforms": True}) + "\n", encoding="utf-8")
    except OSError as exc:  # a read-only cache only costs the next start a validation
        log.warning("cannot record the validation result in %s: %s", stamp, exc)


def validate_sources(sources: Sources, cache_dir: str | Path) -> ValidationReport:
    """Validate the content, or skip pySHACL when this exact content was validated and conformed before.

    The record is keyed by the SHA-256 of every ontology, data and shapes file and the pySHACL version,
    so any change to the content (or the validator) is validated again and refused if it does not conform.
    """
    if _stamp(cache_dir, sources.version).is_file():
        log.info("content %s conformed before; validation skipped", sources.version)
        return ValidationReport(conforms=True, graph=Graph(), results=())
    report = validate_graph(sources.data, sources.shapes, sources.ontology)
    if report.conforms:
        record_conformance(sources, cache_dir)
    return report
