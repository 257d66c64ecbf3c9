/**
 * The reason catalogues both ends of the protocol agree on. `ErrorReason` is what
 * `google.rpc.ErrorInfo.reason` says about a failed call (the server picks the status code from
 * it; the client picks its error class from it). `ViolationReason` is what each
 * `google.rpc.BadRequest.FieldViolation.reason` says about one bad field. Each reason has one
 * meaning; a new one is added here, never spelled as a loose string.
 *
 * Decision: ErrorInfo metadata keys are snake_case (`workflow_id`, `max_upload_bytes`,
 * `retry_after_ms`), not the lowerCamelCase AIP-193 asks for, because clients already read them;
 * renaming them is a breaking change, to make (or to record as final) before 1.0.
 */
import { ModelErrorCode } from '../model/errors.js';

/** The ErrorInfo domain of every error this service raises. */
export const ERROR_DOMAIN = 'flowserv.remote.v1';

/** Stable `ErrorInfo.reason` values, each with the one status code it travels with. */
export const ErrorReason = {
  /** INVALID_ARGUMENT: the request is invalid; BadRequest names each bad field. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** NOT_FOUND: no workflow with that id (metadata `workflow_id`). */
  WORKFLOW_NOT_FOUND: 'WORKFLOW_NOT_FOUND',
  /** NOT_FOUND: no uploaded file with that digest, or no output file at that path (metadata `file`). */
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  /** ALREADY_EXISTS: the run id or request id was used with a different payload. */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** FAILED_PRECONDITION: the workflow's state does not allow the operation. */
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  /** OUT_OF_RANGE: a watch cursor or download offset beyond what exists. */
  OUT_OF_RANGE: 'OUT_OF_RANGE',
  /** UNAVAILABLE: the server is draining and cut a stream short; resume it against a server that is up. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /**
   * INVALID_ARGUMENT: the request message could not be decoded (bad wire bytes, an int64 beyond
   * 2^53, nesting too deep); nothing of it was read.
   */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  /** INVALID_ARGUMENT: uploaded bytes disagree with the declared size or sha256. */
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  /** RESOURCE_EXHAUSTED: a configured limit or rate was hit (a rate limit adds RetryInfo). */
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  /** UNAUTHENTICATED: no usable credentials (metadata `cause`). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** PERMISSION_DENIED: the credentials may not call this method. */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  /** CANCELLED: the caller went away (cancel or deadline); not a fault. */
  CANCELLED: 'CANCELLED',
  /** UNIMPLEMENTED: this server has no handler for the method (metadata `rpc`). */
  UNIMPLEMENTED: 'UNIMPLEMENTED',
  /** NOT_FOUND: the health service knows no service of that name. */
  SERVICE_NOT_FOUND: 'SERVICE_NOT_FOUND',
  /**
   * DATA_LOSS: a stored file no longer matches its sha256 (changed after it was stored); the
   * server dropped it (metadata `sha256`): upload it again, or rerun the workflow for a result.
   */
  DATA_LOSS: 'DATA_LOSS',
  /**
   * RESOURCE_EXHAUSTED: the server's disk is full (ENOSPC, EDQUOT, SQLITE_FULL); nothing of the
   * request was kept. Retry once space is freed; health says NOT_SERVING meanwhile.
   */
  STORAGE_FULL: 'STORAGE_FULL',
  /**
   * UNAVAILABLE: the server's data directory is read-only (EROFS, SQLITE_READONLY); reads keep
   * working. Retry later; health says NOT_SERVING meanwhile.
   */
  STORAGE_READ_ONLY: 'STORAGE_READ_ONLY',
  /**
   * UNAVAILABLE: the server's database (the PostgreSQL store) cannot be reached right now: it is
   * restarting or failing over, or the network to it is down. Retry (CreateWorkflow with the same
   * request id: a create whose answer was lost is replayed, never stored twice); health's `store`
   * entry says NOT_SERVING meanwhile.
   */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** INTERNAL: a fault on the server; the message says nothing more, the server log does. */
  INTERNAL: 'INTERNAL',
} as const;
/** One of the reasons in {@link ErrorReason}. */
export type ErrorReason = (typeof ErrorReason)[keyof typeof ErrorReason];

/**
 * Stable `FieldViolation.reason` values. The first group are the workflow model's error codes
 * (flowServ's validation: templates, parameters, arguments); the rest are the service's own checks
 * of a request's envelope.
 */
export const ViolationReason = {
  ...ModelErrorCode,
  /** A required field is empty or absent. */
  REQUIRED: 'REQUIRED',
  /** CreateWorkflow without a `run`. */
  MISSING_RUN: 'MISSING_RUN',
  /** An argument with neither a value, a file nor an actor. */
  MISSING_VALUE: 'MISSING_VALUE',
  /** An upload whose first message is not the header. */
  MISSING_HEADER: 'MISSING_HEADER',
  /** An upload that sends the header again after the first message. */
  DUPLICATE_HEADER: 'DUPLICATE_HEADER',
  /** A number outside its allowed range (a grace period, a page size, a file size, a step index). */
  OUT_OF_BOUNDS: 'OUT_OF_BOUNDS',
  /** A resume offset given twice for the same stream of the same command (WatchLogs). */
  DUPLICATE_OFFSET: 'DUPLICATE_OFFSET',
  /** An enum value this server does not know (or UNSPECIFIED where a value is needed). */
  INVALID_ENUM: 'INVALID_ENUM',
  /** A sha256 digest that is not 64 lowercase hex characters. */
  INVALID_DIGEST: 'INVALID_DIGEST',
  /** A page token this server did not issue, or one issued for other filters. */
  INVALID_PAGE_TOKEN: 'INVALID_PAGE_TOKEN',
  /** A chunk larger than Limits.upload_chunk_bytes. */
  CHUNK_TOO_LARGE: 'CHUNK_TOO_LARGE',
  /** A run id that is not 1-64 characters of letters, digits, _ . - */
  INVALID_RUN_ID: 'INVALID_RUN_ID',
  /** An engine this server does not offer. */
  UNKNOWN_ENGINE: 'UNKNOWN_ENGINE',
  /** A label key or value outside the allowed form. */
  INVALID_LABEL: 'INVALID_LABEL',
  /** A request id longer than allowed. */
  INVALID_REQUEST_ID: 'INVALID_REQUEST_ID',
  /** A file reference (by sha256) to nothing uploaded. */
  UNKNOWN_FILE: 'UNKNOWN_FILE',
  /** A target or output path that is absolute, escapes the run directory, or is malformed. */
  INVALID_PATH: 'INVALID_PATH',
  /** Two arguments or files on one target path. */
  PATH_CONFLICT: 'PATH_CONFLICT',
  /** A folder argument with more entries or bytes than Limits.max_directory_entries / max_directory_bytes. */
  DIRECTORY_TOO_LARGE: 'DIRECTORY_TOO_LARGE',
  /** Resources the engine refused (partition, limits, extra arguments). */
  ENGINE_REJECTED: 'ENGINE_REJECTED',
  /** A workflow id no workflow can have (too long, characters outside letters, digits, _ . -). */
  INVALID_WORKFLOW_ID: 'INVALID_WORKFLOW_ID',
  /** A string, key or argument name of a template or argument over its length cap. */
  VALUE_TOO_LONG: 'VALUE_TOO_LONG',
  /** A template or argument value nested deeper than allowed. */
  VALUE_TOO_DEEP: 'VALUE_TOO_DEEP',
  /** More text in a request's template and arguments together than allowed. */
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  /** Not a problem of its own: stands for the violations an answer left out ("and N more violations"). */
  MORE_VIOLATIONS: 'MORE_VIOLATIONS',
} as const;
/** One of the reasons in {@link ViolationReason}. */
export type ViolationReason = (typeof ViolationReason)[keyof typeof ViolationReason];
