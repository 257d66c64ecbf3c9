/**
 * Step progress of a workflow, from the runner's progress file: which step runs and how the
 * earlier ones ended. It is read on demand (GetWorkflow, WatchState with progress) and never
 * stored: it is an addition to flowServ's states that leaves their types and sequences alone.
 */
import { readStepRecords } from '../engines/runner/job-logs.js';
import { isActiveType } from '../model/state.js';
import type { WorkflowRecord } from '../store/records.js';

/** One step that has started. */
export interface StepProgressRecord {
  readonly step: number;
  readonly name: string;
  readonly startedAt: Date;
  /** Set once the step ended: its exit code and how long it ran. */
  readonly exitCode?: number;
  readonly durationMs?: number;
}

/** Where a workflow's steps are. */
export interface WorkflowProgressRecord {
  readonly stepCount: number;
  /** The step running now; undefined when none runs (not started, or the workflow ended). */
  readonly runningStep?: number;
  /** Every step that has started, in order. */
  readonly steps: readonly StepProgressRecord[];
}

/** Reads the progress of `wf`; a workflow whose job has not started has no steps yet. */
export async function readProgress(wf: WorkflowRecord): Promise<WorkflowProgressRecord> {
  const records = await readStepRecords(wf.job.controlDir);
  const steps = records.map(
    (r): StepProgressRecord => ({
      step: r.step,
      name: wf.job.steps[r.step]?.name ?? '',
      startedAt: r.startedAt,
      ...(r.end && { exitCode: r.end.exitCode, durationMs: Math.max(0, r.end.at.getTime() - r.startedAt.getTime()) }),
    }),
  );
  const last = steps.at(-1);
  const running = isActiveType(wf.state.type) && last && last.exitCode === undefined ? last.step : undefined;
  return { stepCount: wf.job.steps.length, ...(running !== undefined && { runningStep: running }), steps };
}

/** True when two progress records say the same (used to send only changes). */
export function sameProgress(a: WorkflowProgressRecord | undefined, b: WorkflowProgressRecord): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
