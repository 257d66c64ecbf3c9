/**
 * `google.protobuf.Duration` ↔ milliseconds, both directions in one place (as protobuf-es keeps
 * one small module per well-known type). A Duration's seconds and nanos carry the same sign and
 * |nanos| < 1e9; fractions of a millisecond travel as nanos and come back exactly.
 */
import type { Duration } from '../gen/google/protobuf/duration.js';

/** The Duration of `ms` milliseconds (negative and fractional allowed). Throws RangeError for NaN or ±Infinity. */
export function durationFromMs(ms: number): Duration {
  if (!Number.isFinite(ms)) throw new RangeError(`not a finite duration: ${ms} ms`);
  const sign = ms < 0 ? -1 : 1;
  const abs = Math.abs(ms);
  let seconds = Math.floor(abs / 1000);
  let nanos = Math.round((abs - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  // `|| 0` turns -0 into 0, which protobuf encodes the same but tests and logs show apart.
  return { seconds: sign * seconds || 0, nanos: sign * nanos || 0 };
}

/** The milliseconds of a Duration, fractions kept (1 ns is 1e-6 ms). */
export function durationMs(duration: Duration): number {
  return duration.seconds * 1000 + duration.nanos / 1e6;
}

/** The milliseconds of an optional Duration field; undefined when the field is absent. */
export function optionalDurationMs(duration: Duration | undefined): number | undefined {
  return duration === undefined ? undefined : durationMs(duration);
}
