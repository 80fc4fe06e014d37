"""The app factory: typed settings in, a WSGI app out; content that does not conform is never served."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from oms_ld import create_app
from oms_ld.config import Settings
from oms_ld.errors import ValidationFailed

from .backends import free_port
from .conftest import FIXTURES, ROOT

BROKEN = FIXTURES / "invalid" / "county-code-three-digits.ttl"


def broken_content(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(BROKEN, data / BROKEN.name)
    return data


def test_testing_flag_comes_from_the_settings(tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    assert create_app({"CACHE_DIR": cache}).testing is False
    assert create_app(Settings(testing=True, cache_dir=cache)).testing is True


def test_create_app_refuses_content_that_does_not_conform(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as failure:
        create_app({"TESTING": True, "DATA_DIR": str(broken_content(tmp_path)), "CACHE_DIR": str(tmp_path / "c")})
    assert not failure.value.report.conforms
    assert "county" in failure.value.report.text().lower()


def test_serve_exits_1_on_content_that_does_not_conform_and_never_listens(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "OMS_LD_DATA_DIR": str(broken_content(tmp_path)), "OMS_LD_CACHE_DIR": str(tmp_path / "c")}
    run = subprocess.run([sys.executable, "-m", "oms_ld", "serve", "--port", str(port)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr
    assert "does not conform" in run.stderr and "not serving" in run.stderr
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
