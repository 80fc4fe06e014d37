"""Protocol edges: CORS preflight on every resource, and the page language outside Swedish and English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oms_ld import create_app

from ..conftest import ROOT

PREFLIGHT = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "accept-language, if-none-match"}  # fmt: skip
RESOURCES = ["/", "/id/node-city/uppsala", "/doc/node-city/uppsala", "/doc/node-city/uppsala.ttl", "/def/oms",
             "/def/shapes.rdf", "/map.svg", "/download/", "/.well-known/void", "/catalog", "/graph/data",
             "/def/oms/1.0.0"]  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "CACHE_DIR": str(tmp_path_factory.mktemp("cache"))})
    yield app
    app.extensions["oms_ld"].store.close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize("path", RESOURCES)
def test_every_resource_answers_a_cors_preflight(client: FlaskClient, path: str) -> None:
    response = client.options(path, headers=PREFLIGHT)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"].split(", ")
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"accept", "accept-language", "if-none-match"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_sparql_keeps_its_own_preflight(client: FlaskClient) -> None:
    response = client.options("/sparql", headers=PREFLIGHT)
    assert response.status_code == 204
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_errors_are_readable_cross_origin(client: FlaskClient) -> None:
    response = client.get("/doc/node-city/nowhere", headers={"Origin": "https://example.org"})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [("de", "en"), ("fi", "en"), ("fi-FI, de;q=0.5", "en"), ("de, sv;q=0.5", "sv"), ("en", "en"), ("sv", "sv"),
     ("*", "sv"), (None, "sv")],
)  # fmt: skip
def test_languages_we_do_not_have_fall_back_to_english(client: FlaskClient, accept_language: str | None,
                                                       lang: str) -> None:  # fmt: skip
    headers = {"Accept": "text/html"} | ({"Accept-Language": accept_language} if accept_language else {})
    response = client.get("/doc/node-city/uppsala", headers=headers)
    assert response.headers["Content-Language"] == lang


def test_readme_documents_the_edges() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`true` or `false`" in readme
    assert "preflight" in readme
