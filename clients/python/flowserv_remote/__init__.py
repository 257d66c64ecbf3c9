"""Python client for the flowserv-remote gRPC service (import name ``flowserv_remote``).

``Client`` wraps every RPC (create with deduplicated uploads, state, stop, a resuming watch,
verified and resumable downloads, paged listing, service info, health) with typed errors,
deadlines, TLS, mutual TLS and bearer tokens. ``flowserv_remote.flowserv`` makes the service a
flowServ backend. The generated protobuf and gRPC modules live in ``flowserv_remote._gen``, never
under a top-level ``flowserv`` package, so this package can be imported next to flowServ itself.
"""

from .arguments import Actor, Directory, File
from .blobs import Blob
from .client import Client, static_files_from_dir
from .connection import open_channel
from .logs import STDERR, STDOUT, LogChunk, LogCursor
from .errors import (
    AlreadyExistsError, CallCancelledError, ChecksumMismatchError, DeadlineExceededError, FailedPreconditionError,
    FieldViolation, InternalError, InvalidArgumentError, NotFoundError, OutOfRangeError, PermissionDeniedError,
    RemoteError, RemoteFileNotFoundError, ResourceExhaustedError, UnauthenticatedError, UnavailableError,
    UnimplementedError, WorkflowNotFoundError,
)
from ._retry import RetryPolicy
from .states import (
    CANCELED, ERROR, PENDING, RUNNING, SUCCESS, EngineInfo, Heartbeat, OutputFile, ServiceInfo, Workflow,
    WorkflowState,
)
from .silence import StreamSilentError
from .template import load_template

__version__ = '0.1.0'

__all__ = [
    'Actor', 'AlreadyExistsError', 'Blob', 'CANCELED', 'CallCancelledError', 'ChecksumMismatchError', 'Client',
    'DeadlineExceededError', 'Directory', 'ERROR', 'EngineInfo', 'FailedPreconditionError', 'FieldViolation', 'File',
    'Heartbeat', 'InternalError', 'InvalidArgumentError', 'LogChunk', 'LogCursor', 'NotFoundError', 'OutOfRangeError', 'OutputFile',
    'PENDING', 'PermissionDeniedError', 'RUNNING', 'RemoteError', 'RemoteFileNotFoundError',
    'ResourceExhaustedError', 'RetryPolicy', 'STDERR', 'STDOUT', 'SUCCESS', 'ServiceInfo', 'StreamSilentError', 'UnauthenticatedError', 'UnavailableError',
    'UnimplementedError', 'Workflow', 'WorkflowNotFoundError', 'WorkflowState', 'load_template', 'open_channel',
    'static_files_from_dir',
]
