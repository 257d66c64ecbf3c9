/** Duration ↔ ms in both directions: signs, fractions, carries, and the protobuf invariants. */
import { describe, expect, it } from 'vitest';
import { Duration } from '../../../src/gen/google/protobuf/duration.js';
import { durationFromMs, durationMs, optionalDurationMs } from '../../../src/wire/duration.js';

describe('durationFromMs', () => {
  it.each([
    [0, 0, 0],
    [1, 0, 1_000_000],
    [999, 0, 999_000_000],
    [1000, 1, 0],
    [1500, 1, 500_000_000],
    [90_000, 90, 0],
    [0.5, 0, 500_000],
    [1.000001, 0, 1_000_001],
    [2500.25, 2, 500_250_000],
    [-1, 0, -1_000_000],
    [-1500, -1, -500_000_000],
    [-2500.25, -2, -500_250_000],
    [-0.5, 0, -500_000],
  ])('%d ms is {seconds: %d, nanos: %d}', (ms, seconds, nanos) => {
    expect(durationFromMs(ms)).toEqual({ seconds, nanos });
  });

  it('keeps seconds and nanos of one sign, |nanos| < 1e9 and nanos an integer (what protobuf requires)', () => {
    for (const ms of [-123456.789, -999.9999999, -0.0000001, 0.0000001, 999.9999999, 123456.789, 1e12 + 0.5]) {
      const { seconds, nanos } = durationFromMs(ms);
      expect(Number.isInteger(nanos), `${ms}`).toBe(true);
      expect(Math.abs(nanos), `${ms}`).toBeLessThan(1e9);
      expect(seconds * nanos >= 0, `${ms}`).toBe(true);
    }
  });

  it('carries a rounding up to a whole second into seconds', () => {
    expect(durationFromMs(999.9999999)).toEqual({ seconds: 1, nanos: 0 });
    expect(durationFromMs(-999.9999999)).toEqual({ seconds: -1, nanos: 0 });
  });

  it('never produces a negative zero', () => {
    expect(Object.is(durationFromMs(-0).seconds, 0)).toBe(true);
    expect(Object.is(durationFromMs(-0).nanos, 0)).toBe(true);
    expect(Object.is(durationFromMs(-0.5).seconds, 0)).toBe(true);
  });

  it('refuses NaN and infinities', () => {
    expect(() => durationFromMs(Number.NaN)).toThrow(RangeError);
    expect(() => durationFromMs(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('survives the protobuf encoding unchanged', () => {
    const d = durationFromMs(-2500.25);
    expect(Duration.decode(Duration.encode(d).finish())).toEqual(d);
  });
});

describe('durationMs', () => {
  it.each([
    [0, 0, 0],
    [1, 500_000_000, 1500],
    [0, 300_000_000, 300],
    [0, 1, 0.000001],
    [0, 1_500_000, 1.5],
    [-1, -500_000_000, -1500],
    [0, -250_000, -0.25],
    [90, 0, 90_000],
  ])('{seconds: %d, nanos: %d} is %d ms', (seconds, nanos, ms) => {
    expect(durationMs({ seconds, nanos })).toBeCloseTo(ms, 9);
  });

  it('round-trips with durationFromMs, fractions and signs included', () => {
    for (const ms of [0, 1, 0.5, 1.25, 999.5, 1500, 60_000.125, -0.5, -1500, -60_000.125]) {
      expect(durationMs(durationFromMs(ms))).toBeCloseTo(ms, 6);
    }
  });

  it('optionalDurationMs: an absent field stays undefined', () => {
    expect(optionalDurationMs(undefined)).toBeUndefined();
    expect(optionalDurationMs({ seconds: 2, nanos: 0 })).toBe(2000);
  });
});
