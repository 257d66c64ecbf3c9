/**
 * The one catalogue of errors the service raises on purpose. Each class carries a stable
 * `reason` (sent as `google.rpc.ErrorInfo.reason`) and the data a caller needs; the transport
 * edge (src/server/status.ts) is the only place that turns them into gRPC status codes.
 * Anything thrown that is not a ServiceError is an internal fault: logged in full, answered
 * with INTERNAL and a generic message.
 */

import { ERROR_DOMAIN, ErrorReason, type ViolationReason } from './wire/reasons.js';

/** The reason catalogues live in src/wire (the client reads them too); re-exported for the service. */
export { ERROR_DOMAIN, ErrorReason, ViolationReason } from './wire/reasons.js';

/** One invalid field of a request, as `google.rpc.BadRequest.FieldViolation`. */
export interface FieldViolation {
  /** Path of the field, e.g. `arguments.names` or `template.parameters[2].dtype`. */
  readonly field: string;
  readonly description: string;
  /** Why the field is bad, from the one catalogue (src/wire/reasons.ts). */
  readonly reason: ViolationReason;
}

/** Base class of every deliberate error; `metadata` becomes ErrorInfo.metadata. */
export class ServiceError extends Error {
  override readonly name: string = 'ServiceError';
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly metadata: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The request is invalid; each problem is a field violation. INVALID_ARGUMENT. */
export class InvalidArgumentError extends ServiceError {
  override readonly name = 'InvalidArgumentError';
  constructor(
    message: string,
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(ErrorReason.INVALID_ARGUMENT, message);
  }
}

/** No workflow with this id. NOT_FOUND. */
export class WorkflowNotFoundError extends ServiceError {
  override readonly name = 'WorkflowNotFoundError';
  constructor(readonly workflowId: string) {
    super(ErrorReason.WORKFLOW_NOT_FOUND, `unknown workflow '${workflowId}'`, { workflow_id: workflowId });
  }
}

/** A file (upload digest or output path) does not exist or may not be read. NOT_FOUND. */
export class FileNotFoundError extends ServiceError {
  override readonly name = 'FileNotFoundError';
  constructor(
    readonly file: string,
    message = `unknown file '${file}'`,
  ) {
    super(ErrorReason.FILE_NOT_FOUND, message, { file });
  }
}

/** Same run id or request id with a different payload. ALREADY_EXISTS. */
export class AlreadyExistsError extends ServiceError {
  override readonly name = 'AlreadyExistsError';
  constructor(message: string, metadata: Record<string, string> = {}) {
    super(ErrorReason.ALREADY_EXISTS, message, metadata);
  }
}

/**
 * A stored file no longer matches its digest (it was changed after it was stored). DATA_LOSS;
 * the blob has been dropped, so an upload or a rerun replaces it.
 */
export class DataLossError extends ServiceError {
  override readonly name = 'DataLossError';
  constructor(readonly sha256: string, message: string) {
    super(ErrorReason.DATA_LOSS, message, { sha256 });
  }
}

/** The operation does not fit the workflow's current state. FAILED_PRECONDITION. */
export class FailedPreconditionError extends ServiceError {
  override readonly name = 'FailedPreconditionError';
  constructor(message: string, metadata: Record<string, string> = {}) {
    super(ErrorReason.FAILED_PRECONDITION, message, metadata);
  }
}

/** A cursor or offset beyond what exists. OUT_OF_RANGE. */
export class OutOfRangeError extends ServiceError {
  override readonly name = 'OutOfRangeError';
  constructor(message: string, metadata: Record<string, string> = {}) {
    super(ErrorReason.OUT_OF_RANGE, message, metadata);
  }
}

/** Uploaded bytes do not match the declared size or sha256; resending fixes it. INVALID_ARGUMENT. */
export class ChecksumMismatchError extends ServiceError {
  override readonly name = 'ChecksumMismatchError';
  constructor(message: string, metadata: Record<string, string> = {}) {
    super(ErrorReason.CHECKSUM_MISMATCH, message, metadata);
  }
}

/**
 * The request message could not be decoded (bad wire bytes, an int64 beyond 2^53, nesting too
 * deep). INVALID_ARGUMENT with reason MALFORMED_REQUEST; `detail` is the decoder's complaint.
 */
export class MalformedRequestError extends ServiceError {
  override readonly name = 'MalformedRequestError';
  constructor(readonly detail: string) {
    super(ErrorReason.MALFORMED_REQUEST, `request message could not be decoded: ${detail}`);
  }
}

/** A configured limit was hit. RESOURCE_EXHAUSTED. */
export class ResourceExhaustedError extends ServiceError {
  override readonly name: string = 'ResourceExhaustedError';
  constructor(message: string, metadata: Record<string, string> = {}) {
    super(ErrorReason.RESOURCE_EXHAUSTED, message, metadata);
  }
}

/** A rate limit was hit; `retryAfterMs` is sent as `google.rpc.RetryInfo`. RESOURCE_EXHAUSTED. */
export class RateLimitedError extends ResourceExhaustedError {
  override readonly name = 'RateLimitedError';
  constructor(
    message: string,
    /** How long the caller should wait before trying again, in ms. */
    readonly retryAfterMs: number,
    metadata: Record<string, string> = {},
  ) {
    super(message, { ...metadata, retry_after_ms: String(retryAfterMs) });
  }
}

/** The call carries no usable credentials; `failure` says why (sent as ErrorInfo metadata `cause`). UNAUTHENTICATED. */
export class UnauthenticatedError extends ServiceError {
  override readonly name = 'UnauthenticatedError';
  constructor(
    message: string,
    readonly failure: string,
  ) {
    super(ErrorReason.UNAUTHENTICATED, message, { cause: failure });
  }
}

/** The credentials are valid but may not call this method. PERMISSION_DENIED. */
export class PermissionDeniedError extends ServiceError {
  override readonly name = 'PermissionDeniedError';
  constructor(message: string, metadata: Record<string, string> = {}) {
    super(ErrorReason.PERMISSION_DENIED, message, metadata);
  }
}

/** The server is draining and ended a stream before it was complete: resume elsewhere. UNAVAILABLE. */
export class ShuttingDownError extends ServiceError {
  override readonly name = 'ShuttingDownError';
  constructor(message = 'the server is shutting down; resume the stream') {
    super(ErrorReason.SHUTTING_DOWN, message);
  }
}
