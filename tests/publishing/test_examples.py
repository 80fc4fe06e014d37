"""The example queries: every file is well-formed, and every runnable one answers on the real endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from oms_ld.config import Settings
from oms_ld.errors import SourceError
from oms_ld.publishing.examples import Example, load_examples, parse_example, permalink
from oms_ld.rdf.sparql import read

QUERIES_DIR = Path(Settings().queries_dir)
EXAMPLES = load_examples(QUERIES_DIR)
RUNNABLE = [ex for ex in EXAMPLES if ex.runnable]


def test_there_are_at_least_twelve_examples_in_file_name_order() -> None:
    assert len(EXAMPLES) >= 12
    assert [ex.slug for ex in EXAMPLES] == sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda ex: ex.slug)
def test_every_example_has_titles_and_descriptions_in_both_languages(example: Example) -> None:
    for lang in ("sv", "en"):
        assert len(example.title[lang]) >= 5
        assert len(example.description[lang]) >= 20
    assert example.title["sv"] != example.title["en"]
    assert read(example.query).form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
    assert not example.query.lstrip().startswith("# title")


def test_the_gallery_covers_the_asked_kinds_of_query() -> None:
    forms = {read(ex.query).form for ex in EXAMPLES}
    assert {"SELECT", "CONSTRUCT"} <= forms
    not_runnable = [ex for ex in EXAMPLES if not ex.runnable]
    assert len(not_runnable) == 1 and read(not_runnable[0].query).has_service
    assert "<https://query.wikidata.org/sparql>" in not_runnable[0].query
    assert not any(read(ex.query).has_service for ex in RUNNABLE)


def run(client, query: str):  # type: ignore[no-untyped-def]
    graph = read(query).form in ("CONSTRUCT", "DESCRIBE")
    accept = "text/turtle" if graph else "application/sparql-results+json"
    return client.get("/sparql", query_string={"query": query}, headers={"Accept": accept}), graph


@pytest.mark.parametrize("example", RUNNABLE, ids=lambda ex: ex.slug)
def test_every_runnable_example_gives_results_on_our_data(client, backend, example: Example) -> None:  # type: ignore[no-untyped-def]
    response, graph = run(client, example.query)
    if backend.name == "virtuoso" and "geof:" in example.query:
        # Virtuoso 7 has no GeoSPARQL functions: the geo examples fail there, and the error names the function.
        assert response.status_code == 400 and "geosparql" in response.get_data(as_text=True)
        return
    assert response.status_code == 200, response.get_data(as_text=True)
    if graph:
        assert response.mimetype == "text/turtle"
        assert len(Graph().parse(data=response.get_data(as_text=True), format="turtle")) > 0
    else:
        answer = json.loads(response.get_data(as_text=True))
        assert answer.get("boolean") is True or answer["results"]["bindings"], "no rows"


@pytest.mark.parametrize("example", [ex for ex in EXAMPLES if not ex.runnable], ids=lambda ex: ex.slug)
def test_the_federated_example_is_refused_with_a_reason(client, example: Example) -> None:  # type: ignore[no-untyped-def]
    response, _ = run(client, example.query)
    assert response.status_code == 400
    assert "SERVICE" in response.get_data(as_text=True)


def test_a_few_answers_match_the_data(client) -> None:  # type: ignore[no-untyped-def]
    by_slug = {ex.slug: ex for ex in EXAMPLES}

    def rows(slug: str) -> list[dict[str, str]]:
        response, _ = run(client, by_slug[slug].query)
        bindings = json.loads(response.get_data(as_text=True))["results"]["bindings"]
        return [{k: v["value"] for k, v in b.items()} for b in bindings]

    per_region = rows("01-node-cities-per-region")
    assert sum(int(r["nodeCities"]) for r in per_region) == 14
    directions = rows("04-strategic-directions")
    assert [int(r["ordinal"]) for r in directions] == [1, 2, 3, 4, 5]
    assert sum(1 for r in directions if "variantWording" in r) == 2
    counties = rows("07-counties-and-codes")
    assert [r["countyCode"] for r in counties] == ["01", "03", "04", "05", "18", "19", "21"]
    assert counties[0]["iso31662"] == "SE-AB" and counties[0]["nuts3"].endswith("/SE110")
    municipalities = rows("08-municipalities-per-county")
    assert all(r["municipalityCode"].startswith(r["countyCode"]) for r in municipalities)
    composite = {r["name"]: int(r["places"]) for r in rows("09-composite-node-cities")}
    assert composite == {"Arlanda-Märsta": 2, "Barkarby-Jakobsberg": 2, "Kista-Sollentuna-Häggvik": 3}
    members = {r["name"]: r["kind"] for r in rows("03-members-of-oms")}
    assert len(members) == 8 and members["Mälardalsrådet"] == "organisation"


# --- the file format -------------------------------------------------------------------------------

HEADER = """# title-sv: Titel
# title-en: Title
# description-sv: Första raden
#   och en fortsättning.
# description-en: First line
#   and a continuation.
"""


def test_parse_joins_continuation_lines_and_keeps_only_the_query() -> None:
    example = parse_example("x", HEADER + "# runnable: no\nSELECT * WHERE { ?s ?p ?o }\n")
    assert example.description == {"sv": "Första raden och en fortsättning.", "en": "First line and a continuation."}
    assert example.query == "SELECT * WHERE { ?s ?p ?o }\n"
    assert example.runnable is False
    assert parse_example("x", HEADER + "ASK {}").runnable is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# title-sv: T\nASK {}", "header lacks title-en"),
        (HEADER + "# colour: blue\nASK {}", "unknown header field"),
        (HEADER + "# title-sv: again\nASK {}", "given twice"),
        (HEADER + "# runnable: maybe\nASK {}", "runnable must be"),
        (HEADER, "no query"),
        (HEADER + "#just a comment\nASK {}", "expected '# key: value'"),
    ],
)
def test_parse_refuses_malformed_headers(text: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        parse_example("x", text)


def test_load_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        load_examples(tmp_path / "nope")


def test_permalink_encodes_the_whole_query() -> None:
    link = permalink('SELECT * { ?s ?p "a&b=c #d+e" }')
    assert link == "/sparql?query=SELECT%20%2A%20%7B%20%3Fs%20%3Fp%20%22a%26b%3Dc%20%23d%2Be%22%20%7D"
