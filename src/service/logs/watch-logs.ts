/**
 * WatchLogs as an async generator: sends each command's log output from the caller's offsets, in
 * execution order, and (with follow) keeps sending as it grows until the workflow has ended and
 * nothing of its job can write any more. Live followers share one reader per job (log-tail.ts):
 * it notices growth, lists the files and reads each range once for all of them. Each follower
 * sends at its own pace (the transport's backpressure), so a slow one holds back no other and
 * never the job; one that fell behind reads the ranges it missed from the file.
 */
import { listLogFiles, type LogFileInfo } from '../../engines/runner/job-logs.js';
import { WorkflowNotFoundError } from '../../errors.js';
import { mayAccess, type Caller } from '../../model/owner.js';
import { isActiveType } from '../../model/state.js';
import type { WorkflowRecord } from '../../store/records.js';
import type { WorkflowStore } from '../../store/workflow-store.js';
import { sleep } from '../../util/abort.js';
import { checkLogRequest, checkOffsetsInRange, streamKey } from './log-request.js';
import { readChunk } from './chunk-cache.js';
import type { LogTail, LogTails } from './log-tail.js';
import { createPacer } from './pacer.js';
import type { LogEvent, WatchLogsInput } from './log-types.js';

/** What watchLogs needs. */
export interface WatchLogsDeps {
  readonly store: WorkflowStore;
  /** The shared readers of the jobs' logs. */
  readonly tails: LogTails;
  readonly heartbeatIntervalMs: number;
  /** Largest chunk of a plain (not followed) read, in bytes; followers get the tails' chunks. */
  readonly chunkBytes: number;
  /** Longest a follower waits before it looks at the workflow's state again, in ms. */
  readonly pollIntervalMs: number;
  /**
   * Bytes per second a plain read (without follow) sends while the workflow is active, beyond a
   * burst (LOG_PACE_BURST_BYTES); 0 = unpaced. Followers use their job's budget instead, which
   * the shared reader holds (LogTailOptions), so that they together take from a job that prints
   * in bulk no more CPU than one; the rest is sent at full speed once the workflow ended.
   */
  readonly paceBytesPerSecond?: number;
  readonly now?: () => Date;
}

/**
 * Largest first chunk of a stream (the one that carries the command's text): each follower gets
 * its own copy of that message, while the chunks after it are shared by the followers at the
 * same place.
 */
const ANNOUNCING_CHUNK_BYTES = 4096;

/** Largest chunk sent while the workflow runs and its followers are paced. */
const PACED_CHUNK_BYTES = 64 * 1024;

/** Bytes sent at once before pacing applies (lines and small bursts go at once). */
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
  const tail: LogTail | undefined = input.follow ? deps.tails.acquire(ctl) : undefined;
  let lastSentAt = Date.now();
  let active = true;
  const pace = deps.paceBytesPerSecond ?? 0;
  // Followers share their job's budget; a plain read (no shared reader) has one of its own.
  const pacer = tail ? tail.pacer : pace > 0 ? createPacer(pace, LOG_PACE_BURST_BYTES) : undefined;
  /** While the job runs, waits as long as the budget says after sending `bytes`. */
  const paced = async (bytes: number): Promise<void> => {
    if (!active || !pacer) return;
    const waitMs = pacer.take(bytes);
    if (waitMs <= 0) return;
    active = !finished((await deps.store.get(first.workflowId)) ?? first);
    if (!active) return;
    await sleep(waitMs, signal);
  };

  /** Sends everything of `file` past its cursor up to its listed size, then its truncation mark once. */
  async function* drain(file: LogFileInfo): AsyncGenerator<LogEvent, boolean> {
    const key = streamKey(file);
    let offset = cursors.get(key) ?? 0;
    let sent = false;
    const commandText = (): string | undefined => {
      if (announced.has(key)) return undefined;
      announced.add(key);
      return steps[file.step]?.commands[file.command];
    };
    while (offset < file.sizeBytes) {
      // The chunk that names the command is sent to this follower alone, so it is kept small.
      // While paced, chunks are small enough for the budget to spread them over the followers.
      const most = !announced.has(key) ? ANNOUNCING_CHUNK_BYTES : active && pacer ? PACED_CHUNK_BYTES : Infinity;
      const end = Math.min(file.sizeBytes, offset + most);
      // The budget is taken before the chunk is read and sent, so that all followers of a job
      // together send no more than the burst before the rate applies (taken after sending,
      // each of them sent a chunk first: ten followers, ten chunks at once).
      // While the job prints in bulk, one chunk per turn of the shared reader (see log-tail.ts),
      // which paces the followers then (the budget's waits would spread them over the turn);
      // the chunk that names the command goes at once.
      const turned = tail !== undefined && active && announced.has(key) && (await tail.bulkTurn(signal));
      if (!turned) await paced(end - offset);
      if (signal.aborted) return sent;
      const record = tail ? await tail.chunk(file, offset, end) : await readChunk(file, offset, Math.min(deps.chunkBytes, end - offset));
      if (record.data.length === 0) break;
      const text = commandText();
      yield { kind: 'chunk', chunk: text === undefined ? record : { ...record, commandText: text } };
      offset += record.data.length;
      cursors.set(key, offset);
      sent = true;
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
    let fresh = true;
    for (;;) {
      // Read the state before the files: once it says finished, a listing taken now sees every byte.
      const wf = (await deps.store.get(first.workflowId)) ?? first;
      const done = finished(wf);
      active = !done;
      const seen = tail?.current();
      // The first and the last pass list the files themselves; the passes between share the tail's.
      const files = fresh || done || !seen ? await listLogFiles(ctl) : seen.files;
      fresh = false;
      let sent = false;
      for (const file of files) {
        if (!wanted(file)) continue;
        if (yield* drain(file)) sent = true;
        if (signal.aborted) return;
      }
      if (!tail || done) return;
      if (sent) {
        lastSentAt = Date.now();
        continue;
      }
      const idleMs = Date.now() - lastSentAt;
      if (idleMs >= deps.heartbeatIntervalMs) {
        yield { kind: 'heartbeat', at: now(), lastSequence: wf.state.sequence };
        lastSentAt = Date.now();
        continue;
      }
      await tail.changed(seen?.version ?? 0, Math.min(deps.heartbeatIntervalMs - idleMs, deps.pollIntervalMs), signal);
      if (signal.aborted) return;
    }
  } finally {
    tail?.release();
  }
}
