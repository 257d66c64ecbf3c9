/**
 * Checking a WatchLogs request against the workflow before anything is sent: indexes inside the
 * workflow (INVALID_ARGUMENT with a field violation each), offsets not ahead of what their
 * stream holds (OUT_OF_RANGE, since a stream only grows, such an offset was never handed out).
 */
import { listLogFiles } from '../../engines/runner/job-logs.js';
import { InvalidArgumentError, OutOfRangeError, ViolationReason, type FieldViolation } from '../../errors.js';
import type { WorkflowRecord } from '../../store/records.js';
import type { LogCursor, WatchLogsInput } from './log-types.js';

/** The key of one stream of one command, for maps of cursors. */
export function streamKey(c: Pick<LogCursor, 'step' | 'command' | 'stream'>): string {
  return `${c.step}-${c.command}-${c.stream}`;
}

/** Throws InvalidArgumentError listing every bad index or offset of `input` for `wf`. */
export function checkLogRequest(wf: WorkflowRecord, input: WatchLogsInput): void {
  const steps = wf.job.steps;
  const violations: FieldViolation[] = [];
  if (input.step !== undefined && !(Number.isSafeInteger(input.step) && input.step >= 0 && input.step < steps.length)) {
    violations.push({ field: 'step_index', description: `step_index must be in 0..${steps.length - 1}`, reason: ViolationReason.OUT_OF_BOUNDS });
  }
  const seen = new Set<string>();
  input.startOffsets.forEach((c, i) => {
    const field = `start_offsets[${i}]`;
    const step = steps[c.step];
    if (!step || !Number.isSafeInteger(c.step)) {
      violations.push({ field: `${field}.step_index`, description: `step_index must be in 0..${steps.length - 1}`, reason: ViolationReason.OUT_OF_BOUNDS });
    } else if (!Number.isSafeInteger(c.command) || c.command < 0 || c.command >= step.commands.length) {
      violations.push({ field: `${field}.command_index`, description: `step ${c.step} has commands 0..${step.commands.length - 1}`, reason: ViolationReason.OUT_OF_BOUNDS });
    }
    if (!Number.isSafeInteger(c.offset) || c.offset < 0) {
      violations.push({ field: `${field}.offset`, description: 'offset must not be negative', reason: ViolationReason.OUT_OF_BOUNDS });
    }
    const key = streamKey(c);
    if (seen.has(key)) violations.push({ field, description: 'a stream is listed twice', reason: ViolationReason.DUPLICATE_OFFSET });
    seen.add(key);
  });
  if (violations.length > 0) throw new InvalidArgumentError('invalid log request', violations);
}

/** Throws OutOfRangeError when a start offset lies beyond what its stream holds now. */
export async function checkOffsetsInRange(wf: WorkflowRecord, offsets: readonly LogCursor[]): Promise<void> {
  if (offsets.length === 0) return;
  const sizes = new Map((await listLogFiles(wf.job.controlDir)).map((f) => [streamKey(f), f.sizeBytes]));
  for (const c of offsets) {
    const size = sizes.get(streamKey(c)) ?? 0;
    if (c.offset > size) {
      throw new OutOfRangeError(`offset ${c.offset} of step ${c.step} command ${c.command} ${c.stream} is beyond its ${size} bytes`, {
        workflow_id: wf.workflowId,
        size_bytes: String(size),
      });
    }
  }
}
