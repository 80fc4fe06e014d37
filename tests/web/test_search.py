"""Site search: `/search?q=` as a page (a search box on every page) and as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from ..conftest import BASE

ID = BASE + "id/"


def results(web: FlaskClient, q: str) -> list[dict[str, Any]]:
    response = web.get("/search", query_string={"q": q}, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    found: list[dict[str, Any]] = response.get_json()["results"]
    return found


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("Uppsala kommun", "municipality/uppsala"),
        ("upps", "municipality/uppsala"),
        ("UPPSALA LÄN", "county/uppsala-lan"),
        ("sodermanl", "county/sodermanlands-lan"),
        ("sörml", "region/sormland"),
        ("kista soll", "node-city/kista-sollentuna-haggvik"),
        ("Örebro", "node-city/orebro"),  # the bare name is the city; "Örebro kommun" is the municipality
        ("Örebro kommun", "municipality/orebro"),
        ("orebro lan", "county/orebro-lan"),
        ("Stockholm County", "county/stockholms-lan"),
        ("nykping", "municipality/nykoping"),
    ],
)
def test_ranked_prefix_and_diacritic_insensitive(web: FlaskClient, q: str, first: str) -> None:
    found = results(web, q)
    assert found and found[0]["id"] == ID + first, [r["id"] for r in found[:5]]
    assert found == sorted(found, key=lambda r: -r["score"])


def test_json_carries_iris_names_and_types(web: FlaskClient) -> None:
    hit = results(web, "Gävleborgs län")[0]
    assert hit["id"] == ID + "county/gavleborgs-lan"
    assert hit["name"] == {"sv": "Gävleborgs län", "en": "Gävleborg County"}
    assert BASE + "def/oms#County" in hit["types"] and hit["document"] == "/doc/county/gavleborgs-lan"
    assert results(web, "") == [] and results(web, "zzzzqqq") == []


def test_exact_beats_prefix_beats_typo(web: FlaskClient) -> None:
    exact = results(web, "Uppsala")[0]["score"]
    prefix = results(web, "Uppsal")[0]["score"]
    typo = results(web, "Upsala")[0]["score"]
    assert exact > prefix > typo


def test_the_page_and_the_box_on_every_page(web: FlaskClient) -> None:
    page = web.get("/search?q=V%C3%A4ster%C3%A5s", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert page.mimetype == "text/html" and 'href="/doc/municipality/vasteras"' in text
    assert 'value="Västerås"' in text
    english = web.get("/search?q=vasteras&lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Västerås Municipality" in english and 'name="lang" value="en"' in english
    for path in ("/", "/doc/county/uppsala-lan", "/def/oms", "/sparql", "/search", "/features"):
        html = web.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert '<form role="search"' in html and 'action="/search"' in html, path


RECONCILE = "/reconcile?queries=%7B%22q0%22%3A%7B%22query%22%3A%22Uppsala%22%7D%7D"


@pytest.mark.parametrize("path", ["/search?q=uppsala", RECONCILE, "/features/collections"])
def test_content_over_the_linking_limit_gets_503_naming_it(path: str) -> None:
    from oms_ld import create_app

    app = create_app({"TESTING": True, "LINKING_MAX_TRIPLES": 10})
    try:
        response = app.test_client().get(path, headers={"Accept": "application/json"})
        assert response.status_code == 503
        assert "LINKING_MAX_TRIPLES" in response.get_data(as_text=True)
        assert app.test_client().get("/doc/node-city/uppsala").status_code == 200  # the rest is served
    finally:
        app.extensions["oms_ld"].store.close()
