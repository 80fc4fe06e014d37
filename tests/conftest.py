"""Shared fixtures: paths, the reference material beside the repository, and an app per test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
FIXTURES = TESTS / "data"
#: The shared reference material (fact sheet, W3C tests, DCAT-AP shapes) lives beside the repository.
REFERENCE = Path(os.environ.get("OMS_LD_REFERENCE_DIR", ROOT.parent / "shared" / "reference"))
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(condition: bool, reason: str) -> None:
    """Skip on a developer machine that lacks a component; fail in CI, where everything must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def reference() -> Path:
    """The reference folder (fact sheet, standards material)."""
    need(REFERENCE.is_dir(), f"reference material not found at {REFERENCE}")
    return REFERENCE


@pytest.fixture(scope="session")
def app():  # type: ignore[no-untyped-def]
    """One app over the real content for the whole session (building it validates the data)."""
    from oms_ld import create_app

    return create_app({"TESTING": True})


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()
