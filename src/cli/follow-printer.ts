/**
 * Follows a workflow (WatchState with resume, polling fallback) and prints one line per state
 * with the elapsed time since creation; heartbeats refresh the elapsed time (rewriting the line
 * on a terminal, a new line otherwise). With --json every event is a JSON line.
 *
 * With `logs`, the workflow's output (WatchLogs) is printed as it is written, line by line with
 * the step name in front, interleaved with the state lines and one line each time a step starts
 * or ends; heartbeats are not printed then, and the terminal state comes after the last output.
 */
import { followWorkflow, type GrpcRemoteClient, type WorkflowProgress } from '../client/index.js';
import { serializeState, type WorkflowState } from '../model/index.js';
import { elapsed, writeJson } from './client-common.js';
import type { CliIo } from './commands.js';
import { linePrinter, writeChunkJson } from './logs-printer.js';

function stateLine(state: WorkflowState, sequence: number, at?: Date): string {
  return `${state.type.padEnd(8)}  elapsed ${elapsed(state, at).padStart(7)}  (sequence ${sequence})`;
}

/** Lines for what changed between two progress reports: steps that ended, the step that started. */
function progressLines(before: WorkflowProgress | undefined, now: WorkflowProgress): string[] {
  const lines: string[] = [];
  for (const step of now.steps) {
    const was = before?.steps.find((s) => s.step === step.step);
    const label = `step ${step.step + 1}/${now.stepCount} ${step.name}`;
    if (!was) lines.push(`${label}: started`);
    if (step.exitCode !== undefined && was?.exitCode === undefined) {
      lines.push(`${label}: exit ${step.exitCode} (elapsed ${((step.durationMs ?? 0) / 1000).toFixed(1)}s)`);
    }
  }
  return lines;
}

/** Options of followAndPrint. */
export interface FollowPrintOptions {
  readonly json: boolean;
  readonly signal?: AbortSignal;
  /** Also print the workflow's output and step progress as they happen. */
  readonly logs?: boolean;
}

/** Prints the workflow's output until WatchLogs ends (the workflow ended and all was sent). */
async function printLogs(client: GrpcRemoteClient, workflowId: string, io: CliIo, options: FollowPrintOptions): Promise<void> {
  const info = await client.getWorkflow(workflowId, { ...(options.signal && { signal: options.signal }) });
  const names = new Map(info.progress?.steps.map((s) => [s.step, s.name]));
  const printer = linePrinter(io, (step) => names.get(step));
  try {
    for await (const event of client.watchLogs(workflowId, { ...(options.signal && { signal: options.signal }) })) {
      if (options.json) writeChunkJson(io, workflowId, event);
      else if (event.kind === 'chunk') {
        if (!names.has(event.step)) {
          const latest = await client.getWorkflow(workflowId);
          for (const s of latest.progress?.steps ?? []) names.set(s.step, s.name);
        }
        printer.print(event);
      }
    }
  } finally {
    printer.flush();
  }
}

/** Prints states until the terminal one, which it returns. */
export async function followAndPrint(client: GrpcRemoteClient, workflowId: string, io: CliIo, options: FollowPrintOptions): Promise<WorkflowState> {
  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true && options.logs !== true;
  const logsDone = options.logs ? printLogs(client, workflowId, io, options) : undefined;
  logsDone?.catch(() => undefined);
  let last: { state: WorkflowState; sequence: number } | undefined;
  let progress: WorkflowProgress | undefined;
  let openLine = false;
  const follow = followWorkflow(client, workflowId, { ...(options.signal && { signal: options.signal }), includeProgress: options.logs === true });
  for await (const ev of follow) {
    if (ev.kind === 'progress') {
      if (options.json) writeJson(io, { event: 'progress', workflowId, ...ev.progress });
      else for (const line of progressLines(progress, ev.progress)) io.stdout.write(`${line}\n`);
      progress = ev.progress;
      continue;
    }
    if (ev.kind === 'heartbeat') {
      if (!last || options.logs) continue;
      const ms = Math.max(0, ev.at.getTime() - last.state.createdAt.getTime());
      if (options.json) writeJson(io, { event: 'heartbeat', at: ev.at.toISOString(), lastSequence: ev.lastSequence, elapsedMs: ms });
      else if (tty) io.stdout.write(`\r\x1b[K${stateLine(last.state, last.sequence, ev.at)}`);
      else io.stdout.write(`${stateLine(last.state, last.sequence, ev.at)}  heartbeat\n`);
      continue;
    }
    // The output comes before the line that says the workflow has ended.
    if (!ev.state.isActive() && logsDone) await logsDone;
    last = { state: ev.state, sequence: ev.sequence };
    if (options.json) {
      const ms = Math.max(0, Date.now() - ev.state.createdAt.getTime());
      writeJson(io, { event: 'state', workflowId, sequence: ev.sequence, elapsedMs: ms, ...serializeState(ev.state), files: ev.files });
      continue;
    }
    if (openLine) io.stdout.write('\n');
    io.stdout.write(stateLine(ev.state, ev.sequence));
    openLine = tty && ev.state.isActive();
    if (!openLine) io.stdout.write('\n');
    if ('messages' in ev.state) for (const m of ev.state.messages) io.stdout.write(`    ${m.trimEnd()}\n`);
  }
  if (!last) throw new Error(`workflow '${workflowId}' ended without a state`);
  return last.state;
}
