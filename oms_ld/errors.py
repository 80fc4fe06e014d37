"""The project's exceptions, one tree of domain errors. They carry no HTTP status: the web edge maps
them (``web/errors.py``), so the same errors serve the CLI, the export and the server alike.

OmsLdError
├── ConfigError          settings that cannot work
├── SourceError          an ontology/data/shapes file that cannot be read or parsed
├── ValidationFailed     the data does not conform to the shapes (carries the report)
├── NotFound             no such resource / document / file
├── NotAcceptable        no representation matches Accept / ?format=
├── InvalidRequest       malformed client input (parameters, charset, bytes)
│   ├── QueryError       a query that cannot be run as given (syntax, too many rows)
│   ├── QueryRefused     a query we will not run (SERVICE, …)
│   └── ResultTooLarge   an answer over the byte limit, or over the query's memory
├── UpdateRefused        SPARQL Update on this read-only service
├── PayloadTooLarge      request body over the limit
├── UnsupportedMediaType a POST body of a type we do not read
├── QueryTimeout         a query overran the endpoint's time limit
├── Overloaded           every query process is busy (with when to retry)
├── SandboxUnavailable   query processes cannot be confined on this host
└── StoreError           the triple store failed
    └── StoreTimeout     the remote store did not answer in time
"""

from __future__ import annotations

from typing import Protocol


class Report(Protocol):
    """What a validation report offers (publishing.validation.ValidationReport is one)."""

    @property
    def conforms(self) -> bool: ...

    def text(self) -> str: ...


class OmsLdError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(OmsLdError):
    """A setting is missing or cannot work."""


class SourceError(OmsLdError):
    """A content file cannot be read or parsed; the message names the file and line."""


class ValidationFailed(OmsLdError):
    """The data does not conform to the shapes."""

    def __init__(self, report: Report) -> None:
        super().__init__("the data does not conform to the shapes")
        self.report = report


class NotFound(OmsLdError):
    """Nothing is published at this path."""


class NotAcceptable(OmsLdError):
    """No representation matches what the client accepts."""


    def __init__(self, message: str, alternatives: list[str]) -> None:
        super().__init__(message)
        self.alternatives = alternatives


class InvalidRequest(OmsLdError):
    """The request is malformed."""



class QueryError(InvalidRequest):
    """The query cannot be run as given: it does not parse, or its answer is over a limit."""


class QueryRefused(InvalidRequest):
    """A query the service will not run (updates, remote fetches)."""


class ResultTooLarge(InvalidRequest):
    """The answer is over MAX_RESULT_BYTES, or building it needs more memory than a query may use.

    Refused whole: a client never gets a partial answer with a 200.
    """


class UpdateRefused(OmsLdError):
    """SPARQL Update is never executed: the service is read-only by construction."""



class UnsupportedMediaType(OmsLdError):
    """A request body of a media type the endpoint does not read."""



class PayloadTooLarge(OmsLdError):
    """The request body is over the configured limit."""



class QueryTimeout(OmsLdError):
    """A query ran past the endpoint's time limit and was stopped."""


class Overloaded(OmsLdError):
    """Every query process is busy; the client is told at once when to try again (Retry-After)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after



class NotAvailable(OmsLdError):
    """What is asked for is not offered for content this big: a limit of the deployment, not of the request."""


class StoreError(OmsLdError):
    """The triple store failed or answered something unreadable."""



class StoreTimeout(StoreError):
    """The store did not answer within the time limit."""


class SandboxUnavailable(OmsLdError):
    """Untrusted queries are refused: their processes cannot be confined here (see store/confine.py)."""

