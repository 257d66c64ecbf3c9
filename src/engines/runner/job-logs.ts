/**
 * Reading what the job runner records while a job runs, for live logs and step progress. Both
 * engines run the same runner, whose control directory lies on a filesystem the server can read
 * (Slurm: the shared one), so one reader serves the local and the Slurm engine, before and
 * after a server restart.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogStreamName } from '../../model/logs.js';
import { listControlEntries } from './control-dir.js';

export type { LogStreamName } from '../../model/logs.js';

/** A command's log file as it is now. */
export interface LogFileInfo {
  readonly step: number;
  readonly command: number;
  readonly stream: LogStreamName;
  readonly path: string;
  /** Bytes in the file now. */
  readonly sizeBytes: number;
  /** Bytes the log cap discarded; set only once the stream has ended (sizeBytes is then final). */
  readonly droppedBytes?: number;
}

const LOG_NAME = /^(\d+)-(\d+)\.(out|err)$/;

/** Orders log files by execution: step, command, then stdout before stderr. */
export function compareLogFiles(a: Pick<LogFileInfo, 'step' | 'command' | 'stream'>, b: Pick<LogFileInfo, 'step' | 'command' | 'stream'>): number {
  return a.step - b.step || a.command - b.command || (a.stream === b.stream ? 0 : a.stream === 'stdout' ? -1 : 1);
}

async function droppedBytes(path: string): Promise<number | undefined> {
  const text = await readFile(`${path}.truncated`, 'utf8').catch(() => undefined);
  const n = text === undefined ? NaN : Number(text.trim());
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * The per-command log files of a job in execution order. An absent control directory (a job
 * not submitted yet) has none. Files that vanish while being listed are left out.
 */
export async function listLogFiles(controlDir: string): Promise<LogFileInfo[]> {
  const entries = await listControlEntries(controlDir);
  const marks = new Set(entries.filter(({ name }) => name.endsWith('.truncated')).map(({ dir, name }) => join(dir, name)));
  const found = await Promise.all(
    entries.map(async ({ dir, name }): Promise<LogFileInfo | undefined> => {
      const m = LOG_NAME.exec(name);
      if (!m) return undefined;
      const path = join(dir, name);
      // The mark first: it is written once the stream has ended, so a size taken after it is final.
      // Only marks the listing saw are read (a mark written since shows on the next listing).
      const dropped = marks.has(`${path}.truncated`) ? await droppedBytes(path) : undefined;
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) return undefined;
      return {
        step: Number(m[1]),
        command: Number(m[2]),
        stream: m[3] === 'out' ? 'stdout' : 'stderr',
        path,
        sizeBytes: info.size,
        ...(dropped !== undefined && { droppedBytes: dropped }),
      };
    }),
  );
  return found.filter((f): f is LogFileInfo => f !== undefined).sort(compareLogFiles);
}

/** One step as the runner's progress files record it. */
export interface StepRecord {
  readonly step: number;
  readonly startedAt: Date;
  /** Set once the step ended. */
  readonly end?: { readonly exitCode: number; readonly at: Date };
}

/** When and with what code step s ended: `<s>.end.<code>` (empty), or an earlier runner's `<s>.end` holding the code. */
async function readStepEnd(dir: string, name: string, codeInName: string | undefined): Promise<{ exitCode: number; at: Date } | undefined> {
  const path = join(dir, name);
  const [text, ended] = await Promise.all([
    codeInName === undefined ? readFile(path, 'utf8').catch(() => undefined) : Promise.resolve(codeInName),
    stat(path).catch(() => undefined),
  ]);
  const exitCode = text === undefined || text.trim() === '' ? NaN : Number(text.trim());
  return ended && Number.isSafeInteger(exitCode) ? { exitCode, at: ended.mtime } : undefined;
}

/**
 * The steps that have started, in order, from the runner's step files (empty when the job has
 * not started, or was written by a runner that predates progress). A step whose end is not
 * recorded yet (or, from an earlier runner, still being written) counts as running.
 */
export async function readStepRecords(controlDir: string): Promise<StepRecord[]> {
  const entries = await listControlEntries(controlDir);
  const ends = new Map<number, { dir: string; name: string; code: string | undefined }>();
  for (const { dir, name } of entries) {
    const m = /^(\d+)\.end(?:\.(\d+))?$/.exec(name);
    if (m && (m[2] !== undefined || !ends.has(Number(m[1])))) ends.set(Number(m[1]), { dir, name, code: m[2] });
  }
  const records = await Promise.all(
    entries.map(async ({ dir, name }): Promise<StepRecord | undefined> => {
      const m = /^(\d+)\.start$/.exec(name);
      if (!m) return undefined;
      const step = Number(m[1]);
      const started = await stat(join(dir, name)).catch(() => undefined);
      if (!started) return undefined;
      const endEntry = ends.get(step);
      const end = endEntry && (await readStepEnd(endEntry.dir, endEntry.name, endEntry.code));
      return { step, startedAt: started.mtime, ...(end && { end }) };
    }),
  );
  return records.filter((r): r is StepRecord => r !== undefined).sort((a, b) => a.step - b.step);
}
