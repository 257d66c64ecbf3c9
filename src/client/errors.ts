/**
 * The one place the client turns a failed call into a typed error: the gRPC status code picks
 * the class, `google.rpc.ErrorInfo` (reason, domain, metadata) and `google.rpc.BadRequest`
 * field violations are read from the `grpc-status-details-bin` trailer with the same codec the
 * server encodes with. A call the caller cancelled (AbortSignal) is a CallCancelledError, which
 * says nothing about the workflow: a canceled workflow is a StateCanceled, never an error.
 */
import { status as Code, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { decodeStatusDetails, type FieldViolationDetail } from '../wire/status-details.js';

/** Base of every error the client raises for a failed call; `code` is the gRPC status code. */
export class RemoteError extends Error {
  override readonly name: string = 'RemoteError';
  constructor(
    message: string,
    /** gRPC status code (`@grpc/grpc-js` `status`). */
    readonly code: number,
    /** `ErrorInfo.reason` (src/errors.ts ErrorReason for this service); '' when absent. */
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

/** NOT_FOUND: no workflow (or output file) with that id. */
export class WorkflowNotFoundError extends RemoteError {
  override readonly name = 'WorkflowNotFoundError';
  /** The id from ErrorInfo metadata, when the server named it. */
  get workflowId(): string | undefined {
    return this.metadata.workflow_id;
  }
}

/** NOT_FOUND with reason FILE_NOT_FOUND: an upload digest or output path the server does not have. */
export class FileNotFoundError extends RemoteError {
  override readonly name = 'FileNotFoundError';
}

/** INVALID_ARGUMENT; `violations` name each bad field (e.g. `arguments.sleeptime`). */
export class InvalidArgumentError extends RemoteError {
  override readonly name = 'InvalidArgumentError';
  violations: readonly FieldViolationDetail[] = [];
}

/** ALREADY_EXISTS: the run id or request id was used with a different payload. */
export class AlreadyExistsError extends RemoteError {
  override readonly name = 'AlreadyExistsError';
}

/** UNAVAILABLE: server unreachable, draining, or the engine is not serving; safe to retry. */
export class UnavailableError extends RemoteError {
  override readonly name = 'UnavailableError';
}

/** FAILED_PRECONDITION: the workflow is not in a state that allows this (e.g. download before SUCCESS). */
export class FailedPreconditionError extends RemoteError {
  override readonly name = 'FailedPreconditionError';
}

/** OUT_OF_RANGE: a watch cursor or download offset beyond what exists. */
export class OutOfRangeError extends RemoteError {
  override readonly name = 'OutOfRangeError';
}

/** RESOURCE_EXHAUSTED: a server limit was hit (upload size, workflow count, message size). */
export class ResourceExhaustedError extends RemoteError {
  override readonly name = 'ResourceExhaustedError';
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
  override readonly name = 'InternalError';
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

/** A downloaded file does not match the size or sha256 the server announced. */
export class ChecksumMismatchError extends RemoteError {
  override readonly name = 'ChecksumMismatchError';
  constructor(message: string, metadata: Record<string, string> = {}) {
    super(message, Code.DATA_LOSS, 'CHECKSUM_MISMATCH', metadata);
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

const CLASS_BY_CODE: Readonly<Partial<Record<number, ErrorClass>>> = {
  [Code.CANCELLED]: CallCancelledError,
  [Code.UNKNOWN]: InternalError,
  [Code.INVALID_ARGUMENT]: InvalidArgumentError,
  [Code.DEADLINE_EXCEEDED]: DeadlineExceededError,
  [Code.NOT_FOUND]: WorkflowNotFoundError,
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

/**
 * Rebuilds the typed error of a failed call. `aborted` is true when the caller's signal fired:
 * whatever grpc-js reported, that is a CallCancelledError. Errors that are already RemoteErrors
 * pass through; anything that is not a gRPC status (a local I/O error, say) is returned as is.
 */
export function toRemoteError(err: unknown, aborted = false): unknown {
  if (err instanceof RemoteError) return err;
  if (aborted) return new CallCancelledError('call cancelled by the caller', Code.CANCELLED, 'CANCELLED', {}, '', { cause: err });
  if (!isGrpcError(err)) return err;
  const details = decodeStatusDetails(err.metadata);
  const info = details?.errorInfo;
  const Class =
    err.code === Code.NOT_FOUND && info?.reason === 'FILE_NOT_FOUND' ? FileNotFoundError : (CLASS_BY_CODE[err.code] ?? RemoteError);
  const message = details?.message || err.details || err.message;
  const error = new Class(message, err.code, info?.reason ?? '', info?.metadata ?? {}, info?.domain ?? '', { cause: err });
  if (error instanceof InvalidArgumentError) error.violations = details?.fieldViolations ?? [];
  return error;
}

/** True for the codes a retry may fix; `idempotent` also admits DEADLINE_EXCEEDED. */
export function isTransient(err: unknown, idempotent: boolean): boolean {
  if (!(err instanceof RemoteError)) return false;
  return err.code === Code.UNAVAILABLE || (idempotent && err.code === Code.DEADLINE_EXCEEDED);
}
