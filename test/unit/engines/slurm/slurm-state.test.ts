/** What Slurm's job states and exit codes mean for a workflow, without Slurm. */
import { describe, expect, it } from 'vitest';
import { classifySlurmState, describeSchedulerFailure, isActiveSlurmState, parseSlurmExitCode } from '../../../../src/engines/slurm/slurm-state.js';

describe('classifySlurmState', () => {
  it.each([
    ['PENDING', { phase: 'queued' }],
    ['CONFIGURING', { phase: 'queued' }],
    ['REQUEUED', { phase: 'queued' }],
    ['RUNNING', { phase: 'running' }],
    ['COMPLETING', { phase: 'running' }],
    ['SUSPENDED', { phase: 'running' }],
    ['SOMETHING_NEW', { phase: 'running' }],
    ['COMPLETED', { phase: 'ended', end: 'exit-status' }],
    ['FAILED', { phase: 'ended', end: 'exit-status' }],
    ['CANCELLED', { phase: 'ended', end: 'canceled' }],
    ['TIMEOUT', { phase: 'ended', end: 'timeout' }],
    ['NODE_FAIL', { phase: 'ended', end: 'scheduler-failure' }],
    ['OUT_OF_MEMORY', { phase: 'ended', end: 'scheduler-failure' }],
    [' cancelled \n', { phase: 'ended', end: 'canceled' }],
  ])('%j is %j', (state, phase) => {
    expect(classifySlurmState(state)).toEqual(phase);
  });

  it('counts every state but the ended ones as active (a job still to watch or stop)', () => {
    expect(['PENDING', 'RUNNING', 'COMPLETING', 'UNKNOWN_STATE'].map(isActiveSlurmState)).toEqual([true, true, true, true]);
    expect(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'PREEMPTED'].map(isActiveSlurmState)).toEqual([false, false, false, false, false]);
  });

  it('words scheduler failures for the outcome message, naming unknown states', () => {
    expect(describeSchedulerFailure('NODE_FAIL')).toBe('the node running the job failed');
    expect(describeSchedulerFailure('out_of_memory')).toBe('the job ran out of memory');
    expect(describeSchedulerFailure('WEIRD')).toBe('the job ended in state WEIRD');
  });
});

describe('parseSlurmExitCode', () => {
  it.each([
    ['0:0', 0],
    ['3:0', 3],
    ['0:15', 143],
    ['0:9', 137],
    [' 2:0 ', 2],
    ['', undefined],
    [undefined, undefined],
    ['3', undefined],
    ['a:b', undefined],
  ])('reads %j as %j (128 + signal when a signal ended the job)', (text, code) => {
    expect(parseSlurmExitCode(text)).toBe(code);
  });
});
