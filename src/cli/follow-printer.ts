/**
 * Follows a workflow (WatchState with resume, polling fallback) and prints one line per state
 * with the elapsed time since creation; heartbeats refresh the elapsed time (rewriting the line
 * on a terminal, a new line otherwise). With --json every event is a JSON line.
 */
import { followWorkflow, type GrpcRemoteClient } from '../client/index.js';
import { serializeState, type WorkflowState } from '../model/index.js';
import { elapsed, writeJson } from './client-common.js';
import type { CliIo } from './commands.js';

function stateLine(state: WorkflowState, sequence: number, at?: Date): string {
  return `${state.type.padEnd(8)}  elapsed ${elapsed(state, at).padStart(7)}  (sequence ${sequence})`;
}

/** Prints states until the terminal one, which it returns. */
export async function followAndPrint(
  client: GrpcRemoteClient,
  workflowId: string,
  io: CliIo,
  options: { readonly json: boolean; readonly signal?: AbortSignal },
): Promise<WorkflowState> {
  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
  let last: { state: WorkflowState; sequence: number } | undefined;
  let openLine = false;
  for await (const ev of followWorkflow(client, workflowId, { ...(options.signal && { signal: options.signal }) })) {
    if (ev.kind === 'heartbeat') {
      if (!last) continue;
      const ms = Math.max(0, ev.at.getTime() - last.state.createdAt.getTime());
      if (options.json) writeJson(io, { event: 'heartbeat', at: ev.at.toISOString(), lastSequence: ev.lastSequence, elapsedMs: ms });
      else if (tty) io.stdout.write(`\r\x1b[K${stateLine(last.state, last.sequence, ev.at)}`);
      else io.stdout.write(`${stateLine(last.state, last.sequence, ev.at)}  heartbeat\n`);
      continue;
    }
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
