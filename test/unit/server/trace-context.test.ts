import { describe, expect, it } from 'vitest';
import { callTraceOf, formatTraceparent, parseTraceparent } from '../../../src/server/trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('W3C traceparent', () => {
  it('parses version 00 and formats it back', () => {
    const value = `00-${TRACE}-${SPAN}-01`;
    expect(parseTraceparent(value)).toEqual({ traceId: TRACE, spanId: SPAN, flags: '01' });
    expect(formatTraceparent(parseTraceparent(value)!)).toBe(value);
  });

  it('accepts a later version by its first four fields', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-00-future-part`)).toEqual({ traceId: TRACE, spanId: SPAN, flags: '00' });
  });

  it.each([
    ['missing', undefined],
    ['not a string', 42],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['extra fields on version 00', `00-${TRACE}-${SPAN}-01-x`],
    ['garbage', 'hello'],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('gives a call the caller\'s trace and sampling with a span of its own', () => {
    const call = callTraceOf(`00-${TRACE}-${SPAN}-01`);
    expect(call.traceId).toBe(TRACE);
    expect(call.flags).toBe('01');
    expect(call.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(call.spanId).not.toBe(SPAN);
  });

  it('starts a new, unsampled trace when the caller sent none or a broken one', () => {
    for (const incoming of [undefined, 'broken']) {
      const call = callTraceOf(incoming);
      expect(call.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(call.flags).toBe('00');
    }
    expect(callTraceOf(undefined).traceId).not.toBe(callTraceOf(undefined).traceId);
  });
});
