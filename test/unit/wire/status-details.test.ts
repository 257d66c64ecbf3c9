/** The status-details codec both ends use: ErrorInfo, BadRequest and RetryInfo in `grpc-status-details-bin`. */
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { decodeStatusDetails, decodeStatusDetailsBytes, encodeStatusDetails, STATUS_DETAILS_KEY } from '../../../src/wire/status-details.js';

describe('status details codec', () => {
  it('round-trips and ignores detail types it does not know', () => {
    const bytes = encodeStatusDetails({ code: 3, message: 'm', errorInfo: { reason: 'R', domain: 'd', metadata: { k: 'v' } }, fieldViolations: [] });
    const metadata = new Metadata();
    metadata.set(STATUS_DETAILS_KEY, bytes);
    expect(decodeStatusDetails(metadata)).toEqual({ code: 3, message: 'm', errorInfo: { reason: 'R', domain: 'd', metadata: { k: 'v' } }, fieldViolations: [], otherTypeUrls: [] });
  });

  it('carries field violations', () => {
    const fieldViolations = [{ field: 'arguments.n', description: 'not an int', reason: 'INVALID_ARGUMENT' }];
    expect(decodeStatusDetailsBytes(encodeStatusDetails({ code: 3, message: 'm', fieldViolations }))).toMatchObject({ fieldViolations });
  });

  it('returns undefined when the trailer is missing or garbage', () => {
    const metadata = new Metadata();
    expect(decodeStatusDetails(metadata)).toBeUndefined();
    metadata.set(STATUS_DETAILS_KEY, Buffer.from([0xff, 0xff, 0xff]));
    expect(decodeStatusDetails(metadata)).toBeUndefined();
  });
});

describe('RetryInfo', () => {
  it('round-trips the retry delay in milliseconds', () => {
    const bytes = encodeStatusDetails({ code: 8, message: 'slow down', errorInfo: { reason: 'RESOURCE_EXHAUSTED', domain: 'd', metadata: {} }, fieldViolations: [], retryDelayMs: 1500 });
    expect(decodeStatusDetailsBytes(bytes)).toMatchObject({ retryDelayMs: 1500, otherTypeUrls: [] });
    const without = encodeStatusDetails({ code: 8, message: 'x', fieldViolations: [] });
    expect(decodeStatusDetailsBytes(without).retryDelayMs).toBeUndefined();
  });

  it('sends whole, non-negative milliseconds (rounded up, so nobody retries early)', () => {
    const delay = (ms: number) => decodeStatusDetailsBytes(encodeStatusDetails({ code: 8, message: 'x', fieldViolations: [], retryDelayMs: ms })).retryDelayMs;
    expect(delay(1500.2)).toBe(1501);
    expect(delay(-5)).toBe(0);
  });
});
