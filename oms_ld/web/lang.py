"""The page language: `?lang=`, then the reader's remembered choice (a cookie), then Accept-Language.

A reader who states no preference gets Swedish, the language of the source text; one who asks only for
other languages (`de`, `fi`) reads English sooner than Swedish.
"""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from .representations import LANGUAGES

#: The cookie that keeps a reader's `?lang=` choice across pages.
LANG_COOKIE = "lang"
#: For a reader who asks for neither Swedish nor English.
FALLBACK = "en"


def language(supported: tuple[str, ...] = LANGUAGES) -> str:
    """The page language: `?lang=`, else the remembered choice (cookie), else Accept-Language (none: Swedish;
    neither sv nor en: English)."""
    for asked in (request.args.get("lang", ""), request.cookies.get(LANG_COOKIE, "")):
        if asked in supported:
            return asked
    if not request.accept_languages:
        return supported[0]
    fallback = FALLBACK if FALLBACK in supported else supported[0]
    return request.accept_languages.best_match(supported, default=fallback) or fallback


def remember_language(response: Response) -> Response:
    """A `?lang=` choice is kept in a cookie, so the next page speaks it too (`language` reads it)."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES and request.cookies.get(LANG_COOKIE) != asked:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
