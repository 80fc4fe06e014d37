"""Fixtures shared by the web tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oms_ld.web import site_of

from ..live import serve


@pytest.fixture(scope="module")
def linking_app() -> Iterator[Flask]:
    """One app on the embedded store for a module (the linking services are backend-neutral SPARQL)."""
    from oms_ld import create_app

    app = create_app({"TESTING": True})
    yield app
    site_of(app).store.close()


@pytest.fixture()
def web(linking_app: Flask) -> FlaskClient:
    return linking_app.test_client()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app on the embedded store behind a real HTTP server on a free loopback port (for browsers)."""
    from oms_ld import create_app

    with serve(create_app({"TESTING": True})) as url:
        yield url
