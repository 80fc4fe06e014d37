"""oms-ld: a linked open data publisher for ÖMS (Östra Mellansverige)."""

from __future__ import annotations

__version__ = "1.0.0"

from .app import create_app as create_app

__all__ = ["__version__", "create_app"]
