import { describe, expect, it } from 'vitest';
import {
  InvalidStateDocumentError,
  StateCanceled,
  StateError,
  StateKeyError,
  StatePending,
  StateRunning,
  StateSuccess,
  deserializeState,
  formatTimestamp,
  parseTimestamp,
  serializeState,
  type WorkflowState,
} from '../../../src/model/index.js';

const t0 = new Date('2026-11-29T17:49:42.520Z');
const t1 = new Date('2026-11-29T17:50:01.000Z');
const t2 = new Date('2026-11-29T17:51:07.001Z');

describe('state serialization (test_state_serialize.py)', () => {
  const cases: WorkflowState[] = [
    new StatePending(t0),
    new StateRunning(t0, t1),
    new StateCanceled(t0, t1, t2, ['by user']),
    new StateError(t0, t1, t2, ['Error', 'State']),
    new StateSuccess(t0, t1, t2, ['results/a.json', 'results/b.txt']),
  ];

  it.each(cases.map((s) => [s.type, s] as const))('round trip of %s keeps type, timestamps, messages, files', (_t, state) => {
    const copy = deserializeState(JSON.parse(JSON.stringify(serializeState(state))));
    expect(copy.type).toBe(state.type);
    expect(copy).toEqual(state);
  });

  it('uses flowServ keys; finishedAt carries stopped_at for CANCELED and ERROR', () => {
    expect(serializeState(cases[0]!)).toEqual({ type: 'PENDING', createdAt: '2026-11-29T17:49:42.520000+00:00' });
    expect(serializeState(cases[1]!)).toEqual({
      type: 'RUNNING',
      createdAt: '2026-11-29T17:49:42.520000+00:00',
      startedAt: '2026-11-29T17:50:01+00:00',
    });
    expect(serializeState(cases[2]!)).toEqual({
      type: 'CANCELED',
      createdAt: '2026-11-29T17:49:42.520000+00:00',
      startedAt: '2026-11-29T17:50:01+00:00',
      finishedAt: '2026-11-29T17:51:07.001000+00:00',
      messages: ['by user'],
    });
    expect(Object.keys(serializeState(cases[3]!))).toEqual(['type', 'createdAt', 'startedAt', 'finishedAt', 'messages']);
    expect(Object.keys(serializeState(cases[4]!))).toEqual(['type', 'createdAt', 'startedAt', 'finishedAt', 'files']);
  });

  it("{type:'unknown'} raises KeyError; with createdAt it raises ValueError", () => {
    let err: unknown;
    try {
      deserializeState({ type: 'unknown' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateKeyError);
    expect((err as Error).name).toBe('KeyError');
    expect((err as StateKeyError).key).toBe('createdAt');
    expect((err as StateKeyError).code).toBe('INVALID_STATE_DOCUMENT');
    expect(() => deserializeState({ type: 'unknown', createdAt: '2026-11-29T17:49:42.520158+00:00' })).toThrow(
      new InvalidStateDocumentError("invalid state type 'unknown'", 'type'),
    );
  });

  it('a key required by the type is checked', () => {
    expect(() => deserializeState({ type: 'RUNNING', createdAt: '2026-11-29T17:49:42+00:00' })).toThrow(StateKeyError);
    expect(() => deserializeState({ createdAt: '2026-11-29T17:49:42+00:00' })).toThrow("'type'");
    expect(() =>
      deserializeState({ type: 'ERROR', createdAt: 'x', startedAt: 'x', finishedAt: 'x', messages: [] }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP' }));
  });
});

describe('timestamps', () => {
  it('format like Python isoformat: microseconds, +00:00, fraction dropped when zero', () => {
    expect(formatTimestamp(t0)).toBe('2026-11-29T17:49:42.520000+00:00');
    expect(formatTimestamp(t1)).toBe('2026-11-29T17:50:01+00:00');
    expect(formatTimestamp(new Date('0999-01-02T03:04:05.006Z'))).toBe('0999-01-02T03:04:05.006000+00:00');
  });

  it('parse leniently', () => {
    expect(parseTimestamp('2026-11-29T17:49:42.520158+00:00')).toEqual(t0);
    expect(parseTimestamp('2026-11-29T17:49:42.520Z')).toEqual(t0);
    expect(parseTimestamp('2026-11-29T17:49:42.52')).toEqual(t0);
    expect(parseTimestamp('2026-11-29T18:49:42.520+01:00')).toEqual(t0);
    expect(parseTimestamp('2026-11-29T17:50:01')).toEqual(t1);
    expect(parseTimestamp('Sun, 29 Nov 2026 17:50:01 GMT')).toEqual(t1);
    expect(() => parseTimestamp('yesterday')).toThrow("invalid timestamp 'yesterday'");
  });

  it('string order of formatted timestamps follows time order', () => {
    expect(formatTimestamp(t0) < formatTimestamp(t1)).toBe(true);
  });
});
