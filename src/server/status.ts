/**
 * The one place errors become gRPC statuses. Deliberate errors (ServiceError and its
 * subclasses, the server plumbing's included) map to a code and carry
 * `google.rpc.ErrorInfo{reason, domain}` (plus `BadRequest` field violations for validation
 * errors, `RetryInfo` for rate limits) in `grpc-status-details-bin`. Engine errors never get
 * here: the service checks resources up front (EngineAdapter.validate), submits in the
 * background and retries stops (src/service/settle-job.ts). Anything else is an internal
 * fault: logged once in full, answered with INTERNAL and a generic message that reveals nothing
 * of the original error.
 */
import { Metadata, status as Code, type StatusObject } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ERROR_DOMAIN, ErrorReason, InvalidArgumentError, RateLimitedError, ServiceError, type FieldViolation } from '../errors.js';
import { storageFault } from '../storage-faults.js';
import { boundMetadata, boundViolations, MAX_DETAILS_BYTES, MAX_MESSAGE_CHARS, shorten } from './bounded-details.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY, type FieldViolationDetail } from '../wire/status-details.js';

/** Message sent for every internal fault. */
export const INTERNAL_MESSAGE = 'internal error';

/** The RPC `rpc` (full method path) has no handler in this build. UNIMPLEMENTED. */
export function unimplemented(rpc: string): ServiceError {
  return new ServiceError(ErrorReason.UNIMPLEMENTED, `${rpc} is not implemented by this server yet`, { rpc });
}

/** The gRPC code each ServiceError reason maps to. Exhaustive: a new reason fails to compile. */
export const CODE_BY_REASON: Readonly<Record<ErrorReason, Code>> = {
  [ErrorReason.INVALID_ARGUMENT]: Code.INVALID_ARGUMENT,
  [ErrorReason.WORKFLOW_NOT_FOUND]: Code.NOT_FOUND,
  [ErrorReason.FILE_NOT_FOUND]: Code.NOT_FOUND,
  [ErrorReason.ALREADY_EXISTS]: Code.ALREADY_EXISTS,
  [ErrorReason.FAILED_PRECONDITION]: Code.FAILED_PRECONDITION,
  [ErrorReason.OUT_OF_RANGE]: Code.OUT_OF_RANGE,
  [ErrorReason.SHUTTING_DOWN]: Code.UNAVAILABLE,
  [ErrorReason.MALFORMED_REQUEST]: Code.INVALID_ARGUMENT,
  // The uploaded bytes disagree with what the caller declared; resending fixes it, nothing on the
  // server was lost, so this is a bad request rather than DATA_LOSS.
  [ErrorReason.CHECKSUM_MISMATCH]: Code.INVALID_ARGUMENT,
  [ErrorReason.RESOURCE_EXHAUSTED]: Code.RESOURCE_EXHAUSTED,
  [ErrorReason.UNAUTHENTICATED]: Code.UNAUTHENTICATED,
  [ErrorReason.PERMISSION_DENIED]: Code.PERMISSION_DENIED,
  [ErrorReason.CANCELLED]: Code.CANCELLED,
  [ErrorReason.UNIMPLEMENTED]: Code.UNIMPLEMENTED,
  [ErrorReason.SERVICE_NOT_FOUND]: Code.NOT_FOUND,
  [ErrorReason.DATA_LOSS]: Code.DATA_LOSS,
  [ErrorReason.STORAGE_FULL]: Code.RESOURCE_EXHAUSTED,
  [ErrorReason.STORAGE_READ_ONLY]: Code.UNAVAILABLE,
  [ErrorReason.STORE_UNAVAILABLE]: Code.UNAVAILABLE,
  [ErrorReason.INTERNAL]: Code.INTERNAL,
};

/** What a status is built from, before encoding. */
interface Described {
  readonly code: Code;
  readonly message: string;
  readonly reason: ErrorReason;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly violations?: readonly FieldViolation[];
  /** Sent as `google.rpc.RetryInfo` (rate limits). */
  readonly retryDelayMs?: number;
}

function describe(err: unknown): Described | undefined {
  if (err instanceof ServiceError) {
    return {
      code: CODE_BY_REASON[err.reason],
      message: err.message,
      reason: err.reason,
      metadata: err.metadata,
      ...(err instanceof InvalidArgumentError && { violations: err.violations }),
      ...(err instanceof RateLimitedError && { retryDelayMs: err.retryAfterMs }),
    };
  }
  // A full or read-only disk is a condition of the server the caller can wait out, not a fault.
  const fault = storageFault(err);
  if (fault === 'full') {
    return { code: Code.RESOURCE_EXHAUSTED, message: 'the server is out of disk space; retry once space is freed', reason: ErrorReason.STORAGE_FULL };
  }
  if (fault === 'read-only') {
    return { code: Code.UNAVAILABLE, message: "the server's data directory is read-only; retry later", reason: ErrorReason.STORAGE_READ_ONLY };
  }
  if (fault === 'unavailable') {
    return { code: Code.UNAVAILABLE, message: "the server's database cannot be reached right now; retry later", reason: ErrorReason.STORE_UNAVAILABLE };
  }
  return undefined;
}

/**
 * Builds the status object (code, details, trailers with ErrorInfo/BadRequest) for one answer,
 * bounded (bounded-details.ts): the message and every echoed value are shortened, and the
 * violations are cut to what fits the byte budget, with an "and N more" entry.
 */
function buildStatus(described: Described): StatusObject {
  const message = shorten(described.message, MAX_MESSAGE_CHARS);
  const encode = (fieldViolations: readonly FieldViolationDetail[]) =>
    encodeStatusDetails({
      code: described.code,
      message,
      errorInfo: { reason: described.reason, domain: ERROR_DOMAIN, metadata: boundMetadata(described.metadata ?? {}) },
      fieldViolations,
      ...(described.retryDelayMs !== undefined && { retryDelayMs: described.retryDelayMs }),
    });
  const violations = boundViolations(described.violations ?? [], (kept) => encode(kept).length <= MAX_DETAILS_BYTES);
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, encode(violations));
  return { code: described.code, details: message, metadata };
}

/**
 * Maps anything a handler threw to the status sent to the caller. Unknown errors are logged on
 * `logger` as `{err}` (once, here) and answered with INTERNAL and INTERNAL_MESSAGE.
 */
export function toGrpcStatus(err: unknown, logger: Logger): StatusObject {
  const described = describe(err);
  if (described && storageFault(err)) logger.warn({ err }, 'storage fault');
  if (described) return buildStatus(described);
  logger.error({ err }, 'internal error in handler');
  return buildStatus({ code: Code.INTERNAL, message: INTERNAL_MESSAGE, reason: ErrorReason.INTERNAL });
}

/** The status for a call whose caller already went away (cancel, deadline); never logged as a fault. */
export function cancelledStatus(): StatusObject {
  return buildStatus({ code: Code.CANCELLED, message: 'call cancelled', reason: ErrorReason.CANCELLED });
}
