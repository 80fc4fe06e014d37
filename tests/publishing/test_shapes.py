"""Data-driven shape tests: tests/data/valid/*.ttl conform, each tests/data/invalid/*.ttl breaks one rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from oms_ld.config import load_settings
from oms_ld.publishing.validation import validate_graph
from oms_ld.rdf.sources import Sources, load_sources, parse_files

from ..conftest import FIXTURES

VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


@pytest.fixture(scope="module")
def sources() -> Sources:
    return load_sources(load_settings())


def expected_message(path: Path) -> str:
    """The message an invalid fixture promises on its first line: `# expect: <substring>`."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect:"), f"{path.name} must start with '# expect: <message>'"
    return first.removeprefix("# expect:").strip()


def test_there_are_fixtures() -> None:
    assert len(VALID) >= 3
    assert len(INVALID) >= 15


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_conforms(path: Path, sources: Sources) -> None:
    report = validate_graph(parse_files([path]), sources.shapes, sources.ontology)
    assert report.conforms, report.text()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_breaks_exactly_one_rule(path: Path, sources: Sources) -> None:
    report = validate_graph(parse_files([path]), sources.shapes, sources.ontology)
    assert not report.conforms
    messages = {r.message for r in report.results}
    assert len(messages) == 1, f"{path.name} breaks more than one rule: {sorted(messages)}"
    assert expected_message(path) in messages.pop()


def test_messages_come_in_swedish_and_english(sources: Sources) -> None:
    path = INVALID[0]
    report = validate_graph(parse_files([path]), sources.shapes, sources.ontology)
    languages = {m.language for m in report.graph.objects(None, _result_message())}
    assert {"sv", "en"} <= languages


def _result_message():  # type: ignore[no-untyped-def]
    from rdflib.namespace import SH

    return SH.resultMessage


def test_empty_graph_conforms_trivially(sources: Sources) -> None:
    assert validate_graph(Graph(), sources.shapes, sources.ontology).conforms


def test_validation_leaves_the_shapes_graph_as_it_was() -> None:
    """pySHACL adds system triples to the shapes graph it is given: the published one must not change."""
    fresh = load_sources(load_settings())
    before = len(fresh.shapes)
    assert validate_graph(fresh.data, fresh.shapes, fresh.ontology).conforms
    assert len(fresh.shapes) == before
