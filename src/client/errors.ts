/**
 * The one place the client turns a failed call into a typed error. `google.rpc.ErrorInfo`
 * (reason, domain, metadata), `google.rpc.BadRequest` field violations and `google.rpc.RetryInfo`
 * are read from the `grpc-status-details-bin` trailer with the same codec the server encodes
 * with. The class is picked by this service's ErrorInfo reason first (the shared catalogue in
 * src/wire/reasons.ts), and only then by the status code, as Temporal's client reads typed
 * details before the code. A call the caller cancelled (AbortSignal) is a CallCancelledError,
 * which says nothing about the workflow: a canceled workflow is a StateCanceled, never an error.
 */
import { status as Code, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { ERROR_DOMAIN, ErrorReason } from '../wire/reasons.js';
import { decodeStatusDetails, type FieldViolationDetail } from '../wire/status-details.js';

/** Reasons the client gives errors it raises itself; a server never sends them. */
export const ClientReason = {
  /** A downloaded file disagrees with the size or sha256 the server announced. */
  DOWNLOAD_CORRUPT: 'DOWNLOAD_CORRUPT',
  /** The server answered something the protocol does not allow (a required field missing, an unknown enum value). */
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
} as const;

/** Base of every error the client raises for a failed call; `code` is the gRPC status code. */
export class RemoteError extends Error {
  override readonly name: string = 'RemoteError';
  constructor(
    message: string,
    /** gRPC status code (`@grpc/grpc-js` `status`). */
    readonly code: number,
    /** `ErrorInfo.reason` (ErrorReason of src/wire/reasons.ts for this service, or a ClientReason); '' when absent. */
    readonly reason: string = '',
    /** `ErrorInfo.metadata`, e.g. `{workflow_id}`. */
    readonly metadata: Readonly<Record<string, string>> = {},
    /** `ErrorInfo.domain`; `flowserv.remote.v1` for this service. */
    readonly domain: string = '',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** NOT_FOUND: something the call named does not exist (the subclasses say what). */
export class NotFoundError extends RemoteError {
  override readonly name: string = 'NotFoundError';
}

/** NOT_FOUND with reason WORKFLOW_NOT_FOUND: no workflow with that id. */
export class WorkflowNotFoundError extends NotFoundError {
  override readonly name = 'WorkflowNotFoundError';
  /** The id from ErrorInfo metadata, when the server named it. */
  get workflowId(): string | undefined {
    return this.metadata.workflow_id;
  }
}

/** NOT_FOUND with reason FILE_NOT_FOUND: an upload digest or output path the server does not have. */
export class FileNotFoundError extends NotFoundError {
  override readonly name = 'FileNotFoundError';
}

/** INVALID_ARGUMENT; `violations` name each bad field (e.g. `arguments.sleeptime`). */
export class InvalidArgumentError extends RemoteError {
  override readonly name: string = 'InvalidArgumentError';
  violations: readonly FieldViolationDetail[] = [];
}

/** INVALID_ARGUMENT with reason CHECKSUM_MISMATCH: uploaded bytes disagree with the declared size or sha256; resending fixes it. */
export class ChecksumMismatchError extends InvalidArgumentError {
  override readonly name = 'ChecksumMismatchError';
}

/** ALREADY_EXISTS: the run id or request id was used with a different payload. */
export class AlreadyExistsError extends RemoteError {
  override readonly name = 'AlreadyExistsError';
}

/** UNAVAILABLE: server unreachable or draining; safe to retry. */
export class UnavailableError extends RemoteError {
  override readonly name: string = 'UnavailableError';
}

/**
 * UNAVAILABLE raised by the client itself: a stream stayed silent (no message, heartbeats
 * included) past its watchdog limit, so the server or the connection is presumed lost (a frozen
 * process, a node gone without a reset). Followers reconnect on a fresh connection.
 */
export class StreamSilentError extends UnavailableError {
  override readonly name = 'StreamSilentError';
  constructor(
    /** The limit that passed without a message, in milliseconds. */
    readonly silenceMs: number,
  ) {
    super(`no message on the stream for ${silenceMs} ms (heartbeats included); the server or the connection is presumed lost`, Code.UNAVAILABLE);
  }
}

/** FAILED_PRECONDITION: the workflow is not in a state that allows this (e.g. download before SUCCESS). */
export class FailedPreconditionError extends RemoteError {
  override readonly name = 'FailedPreconditionError';
}

/** OUT_OF_RANGE: a watch cursor or download offset beyond what exists. */
export class OutOfRangeError extends RemoteError {
  override readonly name = 'OutOfRangeError';
}

/** RESOURCE_EXHAUSTED: a server limit was hit (upload size, workflow count, message size, a rate). */
export class ResourceExhaustedError extends RemoteError {
  override readonly name = 'ResourceExhaustedError';
  /** How long to wait before trying again, in ms, when the server said (`google.rpc.RetryInfo`, rate limits). */
  retryDelayMs: number | undefined;
}

/** UNAUTHENTICATED: missing or invalid credentials. */
export class UnauthenticatedError extends RemoteError {
  override readonly name = 'UnauthenticatedError';
}

/** PERMISSION_DENIED: the credentials may not do this. */
export class PermissionDeniedError extends RemoteError {
  override readonly name = 'PermissionDeniedError';
}

/** INTERNAL / UNKNOWN / DATA_LOSS: a fault on the server (or corrupt data on the way). */
export class InternalError extends RemoteError {
  override readonly name: string = 'InternalError';
}

/**
 * The server broke the protocol: it answered OK without a field the protocol requires, or with
 * an enum value this client does not know. Raised by the client (code INTERNAL, reason
 * PROTOCOL_ERROR); usually a client older or newer than the server.
 */
export class ProtocolError extends InternalError {
  override readonly name = 'ProtocolError';
  constructor(message: string) {
    super(`protocol error: ${message}`, Code.INTERNAL, ClientReason.PROTOCOL_ERROR);
  }
}

/** `value`, or a ProtocolError naming `what` (e.g. `GetWorkflowState.state`) when the server left it out. */
export function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new ProtocolError(`the server sent no ${what}`);
  return value;
}

/** DEADLINE_EXCEEDED: the call's `timeoutMs` ran out. The workflow is unaffected. */
export class DeadlineExceededError extends RemoteError {
  override readonly name = 'DeadlineExceededError';
}

/** UNIMPLEMENTED: the server does not offer this RPC (the controller then falls back to polling). */
export class UnimplementedError extends RemoteError {
  override readonly name = 'UnimplementedError';
}

/**
 * CANCELLED: the call was abandoned, normally because the caller's AbortSignal fired. Only the
 * waiting ended; the workflow keeps running (use stopWorkflow to stop it).
 */
export class CallCancelledError extends RemoteError {
  override readonly name = 'CallCancelledError';
}

/** A downloaded file does not match the size or sha256 the server announced (DATA_LOSS, reason DOWNLOAD_CORRUPT). */
export class DownloadCorruptError extends RemoteError {
  override readonly name = 'DownloadCorruptError';
  constructor(message: string, metadata: Record<string, string> = {}) {
    super(message, Code.DATA_LOSS, ClientReason.DOWNLOAD_CORRUPT, metadata);
  }
}

type ErrorClass = new (
  message: string,
  code: number,
  reason?: string,
  metadata?: Readonly<Record<string, string>>,
  domain?: string,
  options?: { cause?: unknown },
) => RemoteError;

/** The class of each reason of this service. Exhaustive: a new reason fails to compile until it has one. */
const CLASS_BY_REASON: Readonly<Record<ErrorReason, ErrorClass>> = {
  [ErrorReason.INVALID_ARGUMENT]: InvalidArgumentError,
  [ErrorReason.WORKFLOW_NOT_FOUND]: WorkflowNotFoundError,
  [ErrorReason.FILE_NOT_FOUND]: FileNotFoundError,
  [ErrorReason.ALREADY_EXISTS]: AlreadyExistsError,
  [ErrorReason.FAILED_PRECONDITION]: FailedPreconditionError,
  [ErrorReason.OUT_OF_RANGE]: OutOfRangeError,
  [ErrorReason.SHUTTING_DOWN]: UnavailableError,
  [ErrorReason.MALFORMED_REQUEST]: InvalidArgumentError,
  [ErrorReason.CHECKSUM_MISMATCH]: ChecksumMismatchError,
  [ErrorReason.RESOURCE_EXHAUSTED]: ResourceExhaustedError,
  [ErrorReason.UNAUTHENTICATED]: UnauthenticatedError,
  [ErrorReason.PERMISSION_DENIED]: PermissionDeniedError,
  [ErrorReason.CANCELLED]: CallCancelledError,
  [ErrorReason.UNIMPLEMENTED]: UnimplementedError,
  [ErrorReason.SERVICE_NOT_FOUND]: NotFoundError,
  [ErrorReason.DATA_LOSS]: InternalError,
  [ErrorReason.STORAGE_FULL]: ResourceExhaustedError,
  [ErrorReason.STORAGE_READ_ONLY]: UnavailableError,
  [ErrorReason.STORE_UNAVAILABLE]: UnavailableError,
  [ErrorReason.INTERNAL]: InternalError,
};

/** The class of each status code, for answers without a reason of this service (plain gRPC, proxies, other servers). */
const CLASS_BY_CODE: Readonly<Partial<Record<number, ErrorClass>>> = {
  [Code.CANCELLED]: CallCancelledError,
  [Code.UNKNOWN]: InternalError,
  [Code.INVALID_ARGUMENT]: InvalidArgumentError,
  [Code.DEADLINE_EXCEEDED]: DeadlineExceededError,
  [Code.NOT_FOUND]: NotFoundError,
  [Code.ALREADY_EXISTS]: AlreadyExistsError,
  [Code.PERMISSION_DENIED]: PermissionDeniedError,
  [Code.RESOURCE_EXHAUSTED]: ResourceExhaustedError,
  [Code.FAILED_PRECONDITION]: FailedPreconditionError,
  [Code.OUT_OF_RANGE]: OutOfRangeError,
  [Code.UNIMPLEMENTED]: UnimplementedError,
  [Code.INTERNAL]: InternalError,
  [Code.UNAVAILABLE]: UnavailableError,
  [Code.DATA_LOSS]: InternalError,
  [Code.UNAUTHENTICATED]: UnauthenticatedError,
};

function isGrpcError(err: unknown): err is GrpcServiceError {
  return err instanceof Error && typeof (err as Partial<GrpcServiceError>).code === 'number';
}

/** The class for a reason of this service's domain; undefined for other domains and reasons this client does not know. */
function classOfReason(domain: string | undefined, reason: string | undefined): ErrorClass | undefined {
  if (domain !== ERROR_DOMAIN || reason === undefined || !Object.hasOwn(CLASS_BY_REASON, reason)) return undefined;
  return CLASS_BY_REASON[reason as ErrorReason];
}

/**
 * Rebuilds the typed error of a failed call: by this service's ErrorInfo reason when there is
 * one, else by the status code. `aborted` is true when the caller's signal fired: whatever
 * grpc-js reported, that is a CallCancelledError. Errors that are already RemoteErrors pass
 * through; anything that is not a gRPC status (a local I/O error, say) is returned as is.
 */
export function toRemoteError(err: unknown, aborted = false): unknown {
  if (err instanceof RemoteError) return err;
  if (aborted) return new CallCancelledError('call cancelled by the caller', Code.CANCELLED, ErrorReason.CANCELLED, {}, '', { cause: err });
  if (!isGrpcError(err)) return err;
  const details = decodeStatusDetails(err.metadata);
  const info = details?.errorInfo;
  const Class = classOfReason(info?.domain, info?.reason) ?? CLASS_BY_CODE[err.code] ?? RemoteError;
  const message = details?.message || err.details || err.message;
  const error = new Class(message, err.code, info?.reason ?? '', info?.metadata ?? {}, info?.domain ?? '', { cause: err });
  if (error instanceof InvalidArgumentError) error.violations = details?.fieldViolations ?? [];
  if (error instanceof ResourceExhaustedError) error.retryDelayMs = details?.retryDelayMs;
  return error;
}

/** True for the codes a retry may fix; `idempotent` also admits DEADLINE_EXCEEDED. */
export function isTransient(err: unknown, idempotent: boolean): boolean {
  if (!(err instanceof RemoteError)) return false;
  return err.code === Code.UNAVAILABLE || (idempotent && err.code === Code.DEADLINE_EXCEEDED);
}
