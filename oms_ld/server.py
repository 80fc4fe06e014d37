"""Run the app under gunicorn: the app is built (and validated) once, then forked into workers."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from .app import create_app
from .web import App


class _Server(BaseApplication):  # type: ignore[misc]
    """A gunicorn application around an already-built App app."""

    def __init__(self, app: App, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> App:
        return self.application


def run(*, host: str, port: int, workers: int, threads: int, access_log: bool = True) -> None:
    """Build the app (raising if the data does not validate) and serve it until interrupted.

    `access_log` logs every request to stdout; under heavy load that costs throughput.
    """
    app = create_app()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "accesslog": "-" if access_log else None,
        "limit_request_line": 8190,
        "limit_request_field_size": 8190,
    }
    _Server(app, options).run()
