/**
 * The wire codec for rich error details: a serialized `google.rpc.Status` in the
 * `grpc-status-details-bin` trailer, carrying `google.rpc.ErrorInfo` and, for validation errors,
 * `google.rpc.BadRequest`, and for rate limits `google.rpc.RetryInfo`. Pure functions, no server APIs: the server
 * encodes with them and src/client decodes with them, so both ends agree on one definition.
 */
import type { Metadata } from '@grpc/grpc-js';
import { Any } from '../gen/google/protobuf/any.js';
import { BadRequest, ErrorInfo, RetryInfo } from '../gen/google/rpc/error_details.js';
import { Status } from '../gen/google/rpc/status.js';
import { durationFromMs, durationMs } from './duration.js';

/** Trailer key gRPC implementations (Python, Go, grpcurl) read rich details from. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

const TYPE_URL_PREFIX = 'type.googleapis.com/';
/** `Any.type_url` of `google.rpc.ErrorInfo`. */
export const ERROR_INFO_TYPE_URL = `${TYPE_URL_PREFIX}google.rpc.ErrorInfo`;
/** `Any.type_url` of `google.rpc.BadRequest`. */
export const BAD_REQUEST_TYPE_URL = `${TYPE_URL_PREFIX}google.rpc.BadRequest`;
/** `Any.type_url` of `google.rpc.RetryInfo`. */
export const RETRY_INFO_TYPE_URL = `${TYPE_URL_PREFIX}google.rpc.RetryInfo`;

/** `google.rpc.ErrorInfo` in plain terms. */
export interface ErrorInfoDetail {
  readonly reason: string;
  readonly domain: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** One `google.rpc.BadRequest.FieldViolation`; `reason` is '' when the server gave none. */
export interface FieldViolationDetail {
  readonly field: string;
  readonly description: string;
  readonly reason: string;
}

/** What a `grpc-status-details-bin` trailer says. */
export interface StatusDetails {
  readonly code: number;
  readonly message: string;
  readonly errorInfo?: ErrorInfoDetail | undefined;
  /** Empty unless the details held a BadRequest. */
  readonly fieldViolations: readonly FieldViolationDetail[];
  /** `google.rpc.RetryInfo.retry_delay` in milliseconds, when the server sent one (rate limits). */
  readonly retryDelayMs?: number;
  /** Type URLs of details this codec does not understand (kept for diagnostics). */
  readonly otherTypeUrls: readonly string[];
}

/** Serializes `google.rpc.Status{code, message, details: [ErrorInfo, BadRequest?, RetryInfo?]}`. */
export function encodeStatusDetails(details: Omit<StatusDetails, 'otherTypeUrls'>): Buffer {
  const anys: Any[] = [];
  if (details.errorInfo) {
    const info = ErrorInfo.fromPartial({
      reason: details.errorInfo.reason,
      domain: details.errorInfo.domain,
      metadata: { ...details.errorInfo.metadata },
    });
    anys.push({ typeUrl: ERROR_INFO_TYPE_URL, value: Buffer.from(ErrorInfo.encode(info).finish()) });
  }
  if (details.fieldViolations.length > 0) {
    const badRequest = BadRequest.fromPartial({ fieldViolations: details.fieldViolations.map((v) => ({ ...v })) });
    anys.push({ typeUrl: BAD_REQUEST_TYPE_URL, value: Buffer.from(BadRequest.encode(badRequest).finish()) });
  }
  if (details.retryDelayMs !== undefined) {
    // Whole milliseconds, never negative: a retry delay is a wait, rounded up so nobody retries early.
    const retryInfo = RetryInfo.fromPartial({ retryDelay: durationFromMs(Math.max(0, Math.ceil(details.retryDelayMs))) });
    anys.push({ typeUrl: RETRY_INFO_TYPE_URL, value: Buffer.from(RetryInfo.encode(retryInfo).finish()) });
  }
  return Buffer.from(Status.encode({ code: details.code, message: details.message, details: anys }).finish());
}

/** Parses serialized `google.rpc.Status` bytes. Throws on malformed protobuf. */
export function decodeStatusDetailsBytes(bytes: Uint8Array): StatusDetails {
  const status = Status.decode(bytes);
  let errorInfo: ErrorInfoDetail | undefined;
  let retryDelayMs: number | undefined;
  const fieldViolations: FieldViolationDetail[] = [];
  const otherTypeUrls: string[] = [];
  for (const any of status.details) {
    if (any.typeUrl === ERROR_INFO_TYPE_URL) {
      const info = ErrorInfo.decode(any.value);
      errorInfo = { reason: info.reason, domain: info.domain, metadata: info.metadata };
    } else if (any.typeUrl === BAD_REQUEST_TYPE_URL) {
      for (const v of BadRequest.decode(any.value).fieldViolations) {
        fieldViolations.push({ field: v.field, description: v.description, reason: v.reason });
      }
    } else if (any.typeUrl === RETRY_INFO_TYPE_URL) {
      const delay = RetryInfo.decode(any.value).retryDelay;
      retryDelayMs = delay ? durationMs(delay) : 0;
    } else {
      otherTypeUrls.push(any.typeUrl);
    }
  }
  return { code: status.code, message: status.message, errorInfo, fieldViolations, ...(retryDelayMs !== undefined && { retryDelayMs }), otherTypeUrls };
}

/**
 * Reads the rich details from a call's trailing metadata (client side: `ServiceError.metadata`).
 * Undefined when the trailer is absent or unreadable: callers then fall back to code + details.
 */
export function decodeStatusDetails(metadata: Metadata | undefined): StatusDetails | undefined {
  const value = metadata?.get(STATUS_DETAILS_KEY)[0];
  if (value === undefined || typeof value === 'string') return undefined;
  try {
    return decodeStatusDetailsBytes(value);
  } catch {
    return undefined;
  }
}
