"""Settings enter in one place: defaults, then OMS_LD_* environment, then the caller's mapping; typed."""

from __future__ import annotations

import dataclasses

import pytest

from oms_ld.config import Settings, load_settings
from oms_ld.errors import ConfigError


def test_defaults_point_at_the_repository_content() -> None:
    settings = load_settings()
    assert settings.data_dir.endswith("data")
    assert settings.sparql_endpoint == ""


def test_environment_overrides_defaults_and_is_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_LD_QUERY_TIMEOUT", "2.5")
    monkeypatch.setenv("OMS_LD_SPARQL_ENDPOINT", "http://127.0.0.1:7878/query")
    monkeypatch.setenv("OMS_LD_SPARQL_PASSWORD", "1234")  # a string setting stays a string
    settings = load_settings()
    assert settings.query_timeout == 2.5
    assert settings.sparql_endpoint == "http://127.0.0.1:7878/query"
    assert settings.sparql_password == "1234"


def test_caller_mapping_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_LD_MAX_RESULT_ROWS", "5")
    assert load_settings({"MAX_RESULT_ROWS": 7}).max_result_rows == 7


@pytest.mark.parametrize(
    "override",
    [
        {"BASE_IRI": "https://w3id.org/oms-ld"},
        {"QUERY_TIMEOUT": 0},
        {"MAX_REQUEST_BYTES": "big"},
        {"MAX_RESULT_ROWS": 2.5},
        {"TESTING": "yes"},
        {"EXTRA_GRAPHS": ["not", "a", "mapping"]},
        {"NO_SUCH_SETTING": 1},
        {"FRONT_MEMO_BYTES": -1},
        {"FRONT_MEMO_BYTES": "32M"},
    ],
)
def test_settings_that_cannot_work_fail_fast(override: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        load_settings(override)


def test_settings_are_frozen_and_integers_count_as_seconds() -> None:
    settings = load_settings({"QUERY_TIMEOUT": 3})
    assert settings.query_timeout == 3.0 and isinstance(settings.query_timeout, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.query_timeout = 1.0  # type: ignore[misc]
    assert Settings().replace(max_result_rows=9).max_result_rows == 9
