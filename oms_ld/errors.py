"""The project's exceptions, one tree, translated to HTTP only at the edge (``http_errors``).

OmsLdError
├── ConfigError          settings that cannot work
├── SourceError          an ontology/data/shapes file that cannot be read or parsed
├── ValidationFailed     the data does not conform to the shapes (carries the report)
├── NotFound             no such resource / document / file               → 404
├── NotAcceptable        no representation matches Accept / ?format=       → 406
├── BadRequest           malformed client input                            → 400
│   ├── QueryRefused     a query we will not run (update, SERVICE, …)      → 400
│   └── ResultTooLarge   an answer over the byte limit, or the query's memory → 400
├── UpdateRefused        SPARQL Update on this read-only service           → 403
├── PayloadTooLarge      request body over the limit                       → 413
├── UnsupportedMediaType a POST body of a type we do not read              → 415
├── QueryTimeout         a query overran the endpoint's time limit         → 503
├── Overloaded           every query process is busy (has Retry-After)     → 503
└── StoreError           the triple store failed                           → 502
    ├── StoreTimeout     the remote store did not answer in time           → 504
    └── SandboxUnavailable  query processes cannot be confined on this host → 503
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .validation import ValidationReport


class OmsLdError(Exception):
    """Base of every error this package raises on purpose."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(OmsLdError):
    """A setting is missing or cannot work."""


class SourceError(OmsLdError):
    """A content file cannot be read or parsed; the message names the file and line."""


class ValidationFailed(OmsLdError):
    """The data does not conform to the shapes."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__("the data does not conform to the shapes")
        self.report = report


class NotFound(OmsLdError):
    """Nothing is published at this path."""

    status = 404


class NotAcceptable(OmsLdError):
    """No representation matches what the client accepts."""

    status = 406

    def __init__(self, message: str, alternatives: list[str]) -> None:
        super().__init__(message)
        self.alternatives = alternatives


class BadRequest(OmsLdError):
    """The request is malformed."""

    status = 400


class QueryRefused(BadRequest):
    """A query the service will not run (updates, remote fetches)."""


class ResultTooLarge(BadRequest):
    """The answer is over MAX_RESULT_BYTES, or building it needs more memory than a query may use.

    Refused whole: a client never gets a partial answer with a 200.
    """


class UpdateRefused(OmsLdError):
    """SPARQL Update is never executed: the service is read-only by construction."""

    status = 403


class UnsupportedMediaType(OmsLdError):
    """A request body of a media type the endpoint does not read."""

    status = 415


class PayloadTooLarge(OmsLdError):
    """The request body is over the configured limit."""

    status = 413


class QueryTimeout(OmsLdError):
    """A query ran past the endpoint's time limit and was stopped."""

    status = 503


class Overloaded(OmsLdError):
    """Every query process is busy; the client is told at once when to try again (Retry-After)."""

    status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class StoreError(OmsLdError):
    """The triple store failed or answered something unreadable."""

    status = 502


class StoreTimeout(StoreError):
    """The store did not answer within the time limit."""

    status = 504


class SandboxUnavailable(StoreError):
    """Untrusted queries are refused: their processes cannot be confined here (see store/confine.py)."""

    status = 503
