"""Retired IRIs (RETIRED_DIR): 301 to the replacement, or 410 Gone with the explanation."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oms_ld.config import ROOT
from oms_ld.publishing.retired import load_retired


@pytest.fixture(scope="module")
def app(retired_app: Flask) -> Flask:
    return retired_app


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_shipped_list_retires_nothing_yet() -> None:
    assert load_retired(ROOT / "retired") == {}
    assert load_retired(None) == {}


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/id/node-city/uppsala-stad", "/id/node-city/uppsala"),
        ("/doc/node-city/uppsala-stad", "/doc/node-city/uppsala"),
        ("/doc/node-city/uppsala-stad.ttl", "/doc/node-city/uppsala.ttl"),
    ],
)
def test_a_replaced_iri_moves_permanently(client: FlaskClient, path: str, location: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 301
    assert response.headers["Location"] == location
    assert client.get(location, headers={"Accept": "text/turtle"}).status_code in (200, 303)


@pytest.mark.parametrize("path", ["/id/report/utkast", "/doc/report/utkast", "/doc/report/utkast.jsonld"])
def test_a_withdrawn_iri_is_gone_with_the_reason(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle", "Accept-Language": "en"})
    assert response.status_code == 410
    text = response.get_data(as_text=True)
    assert "never reused" in text
    assert "A draft that was never issued." in text
    page = client.get(path, headers={"Accept": "text/html", "Accept-Language": "sv"})
    assert page.status_code == 410
    assert "Ett utkast som aldrig gavs ut." in page.get_data(as_text=True)


def test_other_iris_are_unaffected(client: FlaskClient) -> None:
    assert client.get("/id/node-city/uppsala").status_code == 303
    assert client.get("/id/report/nothing-like-it").status_code == 404
