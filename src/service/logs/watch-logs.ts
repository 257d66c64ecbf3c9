/**
 * WatchLogs as an async generator: reads each command's log files from the job's control
 * directory from the caller's offsets, in execution order, and (with follow) keeps reading as
 * they grow until the workflow has ended and nothing of its job can write any more. Followers
 * only read files the job writes on its own, so no follower, however slow, can slow the job
 * down; each follower reads at its own pace (the transport's backpressure), from the page cache.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { listLogFiles, type LogFileInfo } from '../../engines/runner/job-logs.js';
import { RUNNER_FILES } from '../../engines/runner/job-runner.js';
import { WorkflowNotFoundError } from '../../errors.js';
import { mayAccess, type Caller } from '../../model/owner.js';
import { isActiveType } from '../../model/state.js';
import type { WorkflowRecord } from '../../store/records.js';
import type { WorkflowStore } from '../../store/workflow-store.js';
import { sleep } from '../../util/abort.js';
import type { DirWatchers } from '../dir-changes.js';
import { checkLogRequest, checkOffsetsInRange, streamKey } from './log-request.js';
import type { LogEvent, WatchLogsInput } from './log-types.js';

/** What watchLogs needs. */
export interface WatchLogsDeps {
  readonly store: WorkflowStore;
  /** The shared change notifiers (one fs.watch per directory for all followers). */
  readonly dirs: DirWatchers;
  readonly heartbeatIntervalMs: number;
  /** Largest chunk sent, in bytes. */
  readonly chunkBytes: number;
  /** How often a follower looks for new output when no change event arrives, in ms. */
  readonly pollIntervalMs: number;
  /**
   * Bytes per second one follower reads while the workflow is active, once it is behind by more
   * than a burst (LOG_PACE_BURST_BYTES); 0 = unpaced. Keeps followers of a step that prints in
   * bulk from competing with it for CPU; the rest is sent at full speed once the workflow ended.
   */
  readonly paceBytesPerSecond?: number;
  readonly now?: () => Date;
}

/** Bytes a follower reads in one go before pacing applies (lines and small bursts go at once). */
export const LOG_PACE_BURST_BYTES = 256 * 1024;

/**
 * Validates the request eagerly (NOT_FOUND, also for another owner's workflow than `caller`'s,
 * and INVALID_ARGUMENT before the first event;
 * OUT_OF_RANGE on the first read) and resolves to the events. Aborting `signal` ends the stream
 * without error.
 */
export async function watchLogs(deps: WatchLogsDeps, input: WatchLogsInput, signal: AbortSignal, caller?: Caller): Promise<AsyncGenerator<LogEvent>> {
  const wf = await deps.store.get(input.workflowId);
  // Another owner's workflow answers exactly like an unknown one.
  if (!wf || !mayAccess(caller, wf.owner)) throw new WorkflowNotFoundError(input.workflowId);
  checkLogRequest(wf, input);
  return stream(deps, wf, input, signal);
}

/** Nothing of the job can write any more: the workflow ended and its job is done (or never ran). */
function finished(wf: WorkflowRecord): boolean {
  return !isActiveType(wf.state.type) && (wf.jobDone || wf.handle === undefined);
}

async function* stream(deps: WatchLogsDeps, first: WorkflowRecord, input: WatchLogsInput, signal: AbortSignal): AsyncGenerator<LogEvent> {
  await checkOffsetsInRange(first, input.startOffsets);
  const now = deps.now ?? (() => new Date());
  const ctl = first.job.controlDir;
  const steps = first.job.steps;
  const cursors = new Map(input.startOffsets.map((c) => [streamKey(c), c.offset]));
  const announced = new Set<string>();
  const marked = new Set<string>();
  const wanted = (f: LogFileInfo): boolean =>
    (input.step === undefined || f.step === input.step) && (!input.streams?.length || input.streams.includes(f.stream));
  const changes = input.follow ? deps.dirs.watch([ctl, join(ctl, RUNNER_FILES.logs)], deps.pollIntervalMs) : undefined;
  let lastSentAt = Date.now();
  let active = true;
  let burst = 0;
  const pace = deps.paceBytesPerSecond ?? 0;
  /** After each burst while the job runs, waits as long as the burst takes at the pace. */
  const paced = async (bytes: number): Promise<void> => {
    burst += bytes;
    if (!active || pace <= 0 || burst < LOG_PACE_BURST_BYTES) return;
    active = !finished((await deps.store.get(first.workflowId)) ?? first);
    if (!active) return;
    const waitMs = (burst / pace) * 1000;
    burst = 0;
    await sleep(waitMs, signal);
  };

  /** Sends everything of `file` past its cursor, then its truncation mark once. */
  async function* drain(file: LogFileInfo): AsyncGenerator<LogEvent, boolean> {
    const key = streamKey(file);
    let offset = cursors.get(key) ?? 0;
    let sent = false;
    const commandText = (): string | undefined => {
      if (announced.has(key)) return undefined;
      announced.add(key);
      return steps[file.step]?.commands[file.command];
    };
    if (file.sizeBytes > offset) {
      const handle = await open(file.path, 'r');
      try {
        while (offset < file.sizeBytes) {
          const want = Math.min(deps.chunkBytes, file.sizeBytes - offset);
          const buffer = Buffer.allocUnsafe(want);
          const { bytesRead } = await handle.read(buffer, 0, want, offset);
          if (bytesRead === 0) break;
          const text = commandText();
          yield { kind: 'chunk', chunk: { step: file.step, command: file.command, ...(text !== undefined && { commandText: text }), stream: file.stream, offset, data: buffer.subarray(0, bytesRead) } };
          offset += bytesRead;
          cursors.set(key, offset);
          sent = true;
          await paced(bytesRead);
          if (signal.aborted) return sent;
        }
      } finally {
        await handle.close();
      }
    }
    if (file.droppedBytes !== undefined && offset >= file.sizeBytes && !marked.has(key)) {
      marked.add(key);
      const text = commandText();
      yield { kind: 'chunk', chunk: { step: file.step, command: file.command, ...(text !== undefined && { commandText: text }), stream: file.stream, offset, data: new Uint8Array(0), droppedBytes: file.droppedBytes } };
      sent = true;
    }
    return sent;
  }

  try {
    for (;;) {
      // Read the state before the files: once it says finished, this pass sees every byte.
      const wf = (await deps.store.get(first.workflowId)) ?? first;
      const done = finished(wf);
      active = !done;
      let sent = false;
      for (const file of await listLogFiles(ctl)) {
        if (!wanted(file)) continue;
        if (yield* drain(file)) sent = true;
        if (signal.aborted) return;
      }
      if (!changes || done) return;
      if (sent) {
        lastSentAt = Date.now();
        continue;
      }
      burst = 0;
      const idleMs = Date.now() - lastSentAt;
      if (idleMs >= deps.heartbeatIntervalMs) {
        yield { kind: 'heartbeat', at: now(), lastSequence: wf.state.sequence };
        lastSentAt = Date.now();
        continue;
      }
      await changes.wait(deps.heartbeatIntervalMs - idleMs, signal);
      if (signal.aborted) return;
    }
  } finally {
    changes?.close();
  }
}
