"""Domain errors → HTTP: the one table of statuses, used by the error handlers in `http`."""

from __future__ import annotations

from http import HTTPStatus

from .. import errors

#: The status for each domain error (the most specific class listed wins; anything else is a 500).
STATUS: dict[type[errors.OmsLdError], int] = {
    errors.NotFound: 404,
    errors.NotAcceptable: 406,
    errors.InvalidRequest: 400,
    errors.UpdateRefused: 403,
    errors.PayloadTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.QueryTimeout: 503,
    errors.Overloaded: 503,
    errors.NotAvailable: 503,
    errors.SandboxUnavailable: 503,
    errors.StoreError: 502,
    errors.StoreTimeout: 504,
}


def status_of(exc: errors.OmsLdError) -> int:
    """The HTTP status that `exc` is answered with."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def title_of(status: int) -> str:
    """The reason phrase of `status` (RFC 9110)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
