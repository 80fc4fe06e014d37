"""The page language: `?lang=`, then the reader's remembered choice (a cookie), then Accept-Language, else English."""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from .representations import LANGUAGES

#: The cookie that keeps a reader's `?lang=` choice across pages.
LANG_COOKIE = "lang"
#: For a reader who asks for neither Swedish nor English.
FALLBACK = "en"


def language(supported: tuple[str, ...] = LANGUAGES) -> str:
    """The page language: `?lang=`, else the remembered choice (cookie), else Accept-Language, else English."""
    for asked in (request.args.get("lang", ""), request.cookies.get(LANG_COOKIE, "")):
        if asked in supported:
            return asked
    return request.accept_languages.best_match(supported, default=FALLBACK) or FALLBACK


def remember_language(response: Response) -> Response:
    """A `?lang=` choice is kept in a cookie, so the next page speaks it too (`language` reads it)."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
