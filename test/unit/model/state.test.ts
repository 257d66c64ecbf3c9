import { describe, expect, it } from 'vitest';
import {
  InvalidRunStateError,
  StateCanceled,
  StateError,
  StatePending,
  StateRunning,
  StateSuccess,
  StateType,
  cancelState,
  checkTransition,
  errorState,
  startState,
  successState,
  type WorkflowState,
} from '../../../src/model/index.js';

const t0 = new Date('2026-11-29T17:49:42.520Z');
const t1 = new Date('2026-11-29T17:50:00.000Z');

function predicates(s: WorkflowState) {
  return [s.isActive(), s.isPending(), s.isRunning(), s.isCanceled(), s.isError(), s.isSuccess()];
}

describe('workflow state classes (test_workflow_state.py)', () => {
  it('each class has the right predicates', () => {
    expect(predicates(new StatePending(t0))).toEqual([true, true, false, false, false, false]);
    expect(predicates(new StateRunning(t0))).toEqual([true, false, true, false, false, false]);
    expect(predicates(new StateCanceled(t0))).toEqual([false, false, false, true, false, false]);
    expect(predicates(new StateError(t0))).toEqual([false, false, false, false, true, false]);
    expect(predicates(new StateSuccess(t0, t0))).toEqual([false, false, false, false, false, true]);
  });

  it("cancel's default messages list has length 1, error's has length 0", () => {
    const canceled = new StateCanceled(t0);
    expect(canceled.messages).toEqual(['canceled at user request']);
    expect(new StateError(t0).messages).toHaveLength(0);
    expect(new StatePending(t0).cancel().messages).toEqual(['canceled at user request']);
    expect(new StatePending(t0).error().messages).toEqual([]);
  });

  it('constructor defaults: started_at = created_at for canceled/error, files = []', () => {
    const c = new StateCanceled(t0);
    expect(c.startedAt).toBe(t0);
    expect(c.stoppedAt.getTime()).toBeGreaterThanOrEqual(t0.getTime());
    expect(new StateError(t0).startedAt).toBe(t0);
    expect(new StateSuccess(t0, t0).files).toEqual([]);
    expect(new StateCanceled(t0, null, null, []).messages).toEqual([]);
  });

  it('pending.start keeps created_at and sets started_at', () => {
    const running = new StatePending(t0).start(t1);
    expect(running.isRunning()).toBe(true);
    expect(running.createdAt).toBe(t0);
    expect(running.startedAt).toBe(t1);
    expect(new StatePending(t0).start().startedAt).toBeInstanceOf(Date);
  });

  it('pending cancel/error carry the given messages and start=stop=now', () => {
    const c = new StatePending(t0).cancel(['A', 'B'], t1);
    expect(c.messages).toEqual(['A', 'B']);
    expect([c.createdAt, c.startedAt, c.stoppedAt]).toEqual([t0, t1, t1]);
    const e = new StatePending(t0).error(['E'], t1);
    expect(e.messages).toEqual(['E']);
    expect([e.startedAt, e.stoppedAt]).toEqual([t1, t1]);
  });

  it('pending.success sets started_at = created_at', () => {
    const s = new StatePending(t0).success(['a.txt'], t1);
    expect(s.startedAt).toBe(t0);
    expect(s.finishedAt).toBe(t1);
    expect(s.files).toEqual(['a.txt']);
  });

  it("running.error(['Error','State']) keeps created and started, messages in order", () => {
    const running = new StateRunning(t0, t1);
    const e = running.error(['Error', 'State']);
    expect(e.isError()).toBe(true);
    expect(e.createdAt).toBe(t0);
    expect(e.startedAt).toBe(t1);
    expect(e.messages).toEqual(['Error', 'State']);
    const c = running.cancel();
    expect(c.startedAt).toBe(t1);
    expect(c.messages).toEqual(['canceled at user request']);
  });

  it("running.success(files=['results/myfile.json']) is inactive with that one file", () => {
    const s = new StateRunning(t0, t1).success(['results/myfile.json']);
    expect(s.isActive()).toBe(false);
    expect(s.files).toEqual(['results/myfile.json']);
    expect(s.startedAt).toBe(t1);
  });

  it('equality compares the type only; str() is the type id', () => {
    expect(new StateRunning(t0, t0).sameType(new StateRunning(t1, t1))).toBe(true);
    expect(new StateRunning(t0).sameType(new StatePending(t0))).toBe(false);
    expect(String(new StateSuccess(t0, t0))).toBe('SUCCESS');
  });
});

describe('checkTransition (RunManager.update_run rules)', () => {
  it('RUNNING -> PENDING raises with flowServ text', () => {
    expect(() => checkTransition('RUNNING', 'PENDING')).toThrow(InvalidRunStateError);
    expect(() => checkTransition('RUNNING', 'PENDING')).toThrow('cannot change run in state RUNNING to state PENDING');
  });

  it('after a cancel: cancel again is a no-op; error or success raise', () => {
    const canceled = new StatePending(t0).cancel();
    expect(checkTransition(canceled, canceled)).toBe('noop');
    expect(checkTransition(canceled, new StateCanceled(t1))).toBe('noop');
    expect(() => checkTransition(canceled, new StateError(t0))).toThrow(InvalidRunStateError);
    expect(() => checkTransition(canceled, new StateSuccess(t0, t0))).toThrow(
      'cannot change run in state CANCELED to state SUCCESS',
    );
  });

  it('allowed transitions', () => {
    expect(checkTransition('PENDING', 'RUNNING')).toBe('apply');
    for (const to of ['CANCELED', 'ERROR', 'SUCCESS'] as const) {
      expect(checkTransition('PENDING', to)).toBe('apply');
      expect(checkTransition('RUNNING', to)).toBe('apply');
    }
    expect(checkTransition('PENDING', 'PENDING')).toBe('noop');
    expect(checkTransition('RUNNING', 'RUNNING')).toBe('noop');
  });

  it('nothing leaves a terminal state', () => {
    for (const from of ['CANCELED', 'ERROR', 'SUCCESS'] as const) {
      for (const to of ['PENDING', 'RUNNING', 'CANCELED', 'ERROR', 'SUCCESS'] as const) {
        if (from === to) expect(checkTransition(from, to)).toBe('noop');
        else expect(() => checkTransition(from, to)).toThrow(`cannot change run in state ${from} to state ${to}`);
      }
    }
    expect(() => checkTransition('ERROR', 'RUNNING')).toThrow(expect.objectContaining({ code: 'INVALID_RUN_STATE' }));
  });
});

describe('the transition rule as a table (the one checkTransition the store applies)', () => {
  // Rows: from; columns: to, in the order P R C E S. a = apply, n = no-op, x = refused.
  const TYPES = [StateType.PENDING, StateType.RUNNING, StateType.CANCELED, StateType.ERROR, StateType.SUCCESS] as const;
  const TABLE: Record<string, string> = {
    PENDING: 'n a a a a',
    RUNNING: 'x n a a a',
    CANCELED: 'x x n x x',
    ERROR: 'x x x n x',
    SUCCESS: 'x x x x n',
  };
  const cases = TYPES.flatMap((from) => TABLE[from]!.split(' ').map((cell, i) => ({ from, to: TYPES[i]!, cell })));

  it.each(cases)('$from -> $to: $cell', ({ from, to, cell }) => {
    if (cell === 'x') {
      expect(() => checkTransition(from, to)).toThrow(InvalidRunStateError);
      expect(() => checkTransition(from, to)).toThrow(`cannot change run in state ${from} to state ${to}`);
    } else {
      expect(checkTransition(from, to)).toBe(cell === 'a' ? 'apply' : 'noop');
    }
  });
});

describe('transition builders over plain state data (used by the server)', () => {
  const pending = { createdAt: t0 };
  const running = { createdAt: t0, startedAt: t1 };
  const t2 = new Date('2026-11-29T17:51:00.000Z');

  it('start keeps created_at and sets started_at', () => {
    expect(startState(pending, t1)).toEqual({ type: 'RUNNING', createdAt: t0, startedAt: t1, messages: [], files: [] });
  });

  it('ending a PENDING workflow: success starts at created_at, error and cancel start and stop at the same time', () => {
    expect(successState(pending, t2, ['a.txt'])).toEqual({ type: 'SUCCESS', createdAt: t0, startedAt: t0, finishedAt: t2, messages: [], files: ['a.txt'] });
    expect(errorState(pending, t2, ['boom'])).toEqual({ type: 'ERROR', createdAt: t0, startedAt: t2, stoppedAt: t2, messages: ['boom'], files: [] });
    expect(cancelState(pending, t2)).toEqual({
      type: 'CANCELED', createdAt: t0, startedAt: t2, stoppedAt: t2, messages: ['canceled at user request'], files: [],
    });
  });

  it('ending a RUNNING workflow keeps its started_at; files may be any shape (keys or stored records)', () => {
    const stored = [{ key: 'a.txt', sizeBytes: 1, sha256: 'x' }];
    expect(successState(running, t2, stored)).toMatchObject({ startedAt: t1, finishedAt: t2, files: stored });
    expect(errorState(running, t2)).toMatchObject({ startedAt: t1, stoppedAt: t2, messages: [] });
    expect(cancelState(running, t2, ['bye'])).toMatchObject({ startedAt: t1, stoppedAt: t2, messages: ['bye'] });
  });

  it('the classes give the same data as the builders', () => {
    const c = new StateRunning(t0, t1).cancel(null, t2);
    expect({ createdAt: c.createdAt, startedAt: c.startedAt, stoppedAt: c.stoppedAt, messages: c.messages }).toEqual({
      createdAt: t0, startedAt: t1, stoppedAt: t2, messages: ['canceled at user request'],
    });
    const s = new StatePending(t0).success(['a.txt'], t2);
    expect([s.startedAt, s.finishedAt, s.files]).toEqual([t0, t2, ['a.txt']]);
  });
});
