/**
 * Printing workflow output for a person: whole lines, each prefixed with the step name and, for
 * stderr, `!` (`[analyze] 40% done`, `[analyze!] warning: …`), so output of several steps and
 * streams interleaved with state changes stays readable. A partial line waits for its newline
 * (or the end of the stream). With --json every chunk is a JSON line instead.
 */
import type { LogChunk, LogEvent } from '../client/index.js';
import { writeJson } from './client-common.js';
import type { CliIo } from './commands.js';

/** Turns chunks into prefixed lines; `flush()` prints what is left of unfinished lines. */
export interface LinePrinter {
  print(chunk: LogChunk): void;
  flush(): void;
}

/** A printer whose step names come from `stepName` (the index when unknown). */
export function linePrinter(io: CliIo, stepName: (step: number) => string | undefined): LinePrinter {
  const pending = new Map<string, { prefix: string; text: string }>();
  const prefixOf = (c: LogChunk): string => `[${stepName(c.step) ?? `step ${c.step}`}${c.stream === 'stderr' ? '!' : ''}] `;
  return {
    print(chunk) {
      const key = `${chunk.step}/${chunk.command}/${chunk.stream}`;
      const entry = pending.get(key) ?? { prefix: prefixOf(chunk), text: '' };
      entry.text += Buffer.from(chunk.data).toString('utf8');
      const lines = entry.text.split('\n');
      entry.text = lines.pop() ?? '';
      for (const line of lines) io.stdout.write(`${entry.prefix}${line}\n`);
      if (chunk.droppedBytes !== undefined) {
        if (entry.text) io.stdout.write(`${entry.prefix}${entry.text}\n`);
        entry.text = '';
        io.stdout.write(`${entry.prefix}… output truncated by the server's log cap (${chunk.droppedBytes} bytes discarded)\n`);
      }
      pending.set(key, entry);
    },
    flush() {
      for (const entry of pending.values()) if (entry.text) io.stdout.write(`${entry.prefix}${entry.text}\n`);
      pending.clear();
    },
  };
}

/** A chunk as a JSON line (`data` as UTF-8 text). */
export function writeChunkJson(io: CliIo, workflowId: string, event: LogEvent): void {
  if (event.kind === 'heartbeat') return;
  writeJson(io, {
    event: 'log',
    workflowId,
    step: event.step,
    command: event.command,
    stream: event.stream,
    offset: event.offset,
    text: Buffer.from(event.data).toString('utf8'),
    ...(event.droppedBytes !== undefined && { truncated: true, droppedBytes: event.droppedBytes }),
  });
}
