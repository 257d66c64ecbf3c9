"""Typed errors, rebuilt in one place from a failed call.

The server puts a serialized ``google.rpc.Status`` into the ``grpc-status-details-bin`` trailer of
every error, with ``google.rpc.ErrorInfo`` (a stable ``reason`` such as ``WORKFLOW_NOT_FOUND``,
domain ``flowserv.remote.v1``, metadata such as ``workflow_id``), ``google.rpc.BadRequest`` field
violations for validation errors and ``google.rpc.RetryInfo`` for rate limits. ``from_rpc_error``
turns a ``grpc.RpcError`` into the matching subclass of ``RemoteError`` carrying all of that, so
callers catch ``WorkflowNotFoundError`` instead of comparing status codes. A cancelled or failed
*call* never says anything about the workflow: a canceled workflow is a CANCELED state.
"""

from dataclasses import dataclass

import grpc

from ._proto import error_details, status

STATUS_DETAILS_KEY = 'grpc-status-details-bin'
DOMAIN = 'flowserv.remote.v1'


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request (``google.rpc.BadRequest.FieldViolation``), e.g.
    ``field='arguments.names'``, ``reason='MISSING_ARGUMENT'``."""

    field: str
    description: str
    reason: str = ''


class RemoteError(Exception):
    """A failed call: the gRPC ``code``, the server's ``message``, and ErrorInfo's ``reason``,
    ``domain`` and ``metadata`` ('' and {} when the server sent none)."""

    def __init__(self, message, code=grpc.StatusCode.UNKNOWN, reason='', domain='', metadata=None,
                 violations=(), retry_after=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reason = reason
        self.domain = domain
        self.metadata = dict(metadata or {})
        #: BadRequest field violations (INVALID_ARGUMENT only).
        self.violations = list(violations)
        #: RetryInfo's delay in seconds, when the server asked the caller to wait (rate limits).
        self.retry_after = retry_after

    def __str__(self):
        head = f'{self.code.name}: {self.message}'
        if self.reason:
            head += f' [{self.reason}]'
        if self.violations:
            head += ' (' + '; '.join(f'{v.field}: {v.description}' for v in self.violations) + ')'
        return head


class InvalidArgumentError(RemoteError):
    """INVALID_ARGUMENT: a bad template, argument, id or file reference; see ``violations``."""


class NotFoundError(RemoteError):
    """NOT_FOUND (base of the two kinds below)."""


class WorkflowNotFoundError(NotFoundError):
    """NOT_FOUND, reason WORKFLOW_NOT_FOUND: no workflow with that id."""

    @property
    def workflow_id(self):
        """The id the server named, if any."""
        return self.metadata.get('workflow_id')


class RemoteFileNotFoundError(NotFoundError):
    """NOT_FOUND, reason FILE_NOT_FOUND: an output path the workflow does not have."""


class AlreadyExistsError(RemoteError):
    """ALREADY_EXISTS: the run id or request id was used before with a different payload."""


class FailedPreconditionError(RemoteError):
    """FAILED_PRECONDITION: not allowed in the workflow's state (download before SUCCESS)."""


class OutOfRangeError(RemoteError):
    """OUT_OF_RANGE: a watch cursor or download offset beyond what exists."""


class ResourceExhaustedError(RemoteError):
    """RESOURCE_EXHAUSTED: a server limit (size, rate: see ``retry_after``)."""


class UnavailableError(RemoteError):
    """UNAVAILABLE: server unreachable or draining, or the engine is not serving; retry."""


class UnauthenticatedError(RemoteError):
    """UNAUTHENTICATED: missing or invalid token (``metadata['cause']`` says which)."""


class PermissionDeniedError(RemoteError):
    """PERMISSION_DENIED: the token may not do this (read-only token on a write)."""


class DeadlineExceededError(RemoteError):
    """DEADLINE_EXCEEDED: the call's timeout ran out; the workflow is unaffected."""


class UnimplementedError(RemoteError):
    """UNIMPLEMENTED: the server does not offer this RPC."""


class CallCancelledError(RemoteError):
    """CANCELLED: the call was abandoned; only the waiting ended, never the workflow."""


class InternalError(RemoteError):
    """INTERNAL, UNKNOWN or DATA_LOSS: a fault on the server side."""


class ChecksumMismatchError(RemoteError):
    """A downloaded file differs from the size or sha256 the server announced."""

    def __init__(self, message, metadata=None):
        super().__init__(message, grpc.StatusCode.DATA_LOSS, 'CHECKSUM_MISMATCH', DOMAIN, metadata)


_CLASS_BY_CODE = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: WorkflowNotFoundError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.OUT_OF_RANGE: OutOfRangeError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
    grpc.StatusCode.UNIMPLEMENTED: UnimplementedError,
    grpc.StatusCode.CANCELLED: CallCancelledError,
    grpc.StatusCode.INTERNAL: InternalError,
    grpc.StatusCode.UNKNOWN: InternalError,
    grpc.StatusCode.DATA_LOSS: InternalError,
}

_CLASS_BY_REASON = {
    'WORKFLOW_NOT_FOUND': WorkflowNotFoundError,
    'FILE_NOT_FOUND': RemoteFileNotFoundError,
}


def _details(err):
    """The decoded google.rpc.Status of a failed call, or None."""
    try:
        trailers = err.trailing_metadata() or ()
    except Exception:  # an RpcError that is not a Call (e.g. raised by an interceptor)
        return None
    for key, value in trailers:
        if key == STATUS_DETAILS_KEY:
            try:
                return status.Status.FromString(value)
            except Exception:  # a malformed trailer must not hide the original error
                return None
    return None


def from_rpc_error(err):
    """The typed RemoteError for a ``grpc.RpcError`` (other exceptions are returned unchanged)."""
    if isinstance(err, RemoteError) or not isinstance(err, grpc.RpcError):
        return err
    code = err.code() if callable(getattr(err, 'code', None)) else grpc.StatusCode.UNKNOWN
    message = err.details() if callable(getattr(err, 'details', None)) else str(err)
    reason, domain, metadata, violations, retry_after = '', '', {}, [], None
    detail_status = _details(err)
    if detail_status is not None:
        message = detail_status.message or message
        for any_detail in detail_status.details:
            if any_detail.Is(error_details.ErrorInfo.DESCRIPTOR):
                info = error_details.ErrorInfo()
                any_detail.Unpack(info)
                reason, domain, metadata = info.reason, info.domain, dict(info.metadata)
            elif any_detail.Is(error_details.BadRequest.DESCRIPTOR):
                bad = error_details.BadRequest()
                any_detail.Unpack(bad)
                violations = [FieldViolation(v.field, v.description, getattr(v, 'reason', ''))
                              for v in bad.field_violations]
            elif any_detail.Is(error_details.RetryInfo.DESCRIPTOR):
                retry = error_details.RetryInfo()
                any_detail.Unpack(retry)
                retry_after = retry.retry_delay.ToTimedelta().total_seconds()
    cls = _CLASS_BY_REASON.get(reason) if code == grpc.StatusCode.NOT_FOUND else None
    cls = cls or _CLASS_BY_CODE.get(code, RemoteError)
    error = cls(message or code.name, code, reason, domain, metadata, violations, retry_after)
    error.__cause__ = err
    return error
