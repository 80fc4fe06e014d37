"""Fixtures shared by the web tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oms_ld.web import site_of


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
