/**
 * Test helpers for the local engine: temp directories, job specs, event collection and an
 * independent look at the process table (not the engine's own code, so a bug there shows up).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { createLocalEngine, type LocalEngine, type LocalEngineOptions } from '../../../../src/engines/local/local-engine.js';
import type { EngineAdapter, JobEvent, JobHandle, JobSpec, JobStep } from '../../../../src/engines/types.js';

/** A fresh base directory with a work and a control directory for one job. */
export interface TempJobDirs {
  readonly base: string;
  readonly workDir: string;
  readonly controlDir: string;
  cleanup(): Promise<void>;
}

export async function makeTempDirs(): Promise<TempJobDirs> {
  const base = await mkdtemp(join(tmpdir(), 'flowserv-local-'));
  return {
    base,
    workDir: join(base, 'work'),
    controlDir: join(base, 'control'),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

/** A JobSpec in `dirs` with the given steps. */
export function jobSpec(dirs: TempJobDirs, steps: JobStep[]): JobSpec {
  return { workflowId: 'wf-test', workDir: dirs.workDir, controlDir: dirs.controlDir, steps };
}

/** Observes a job to the end and returns every event. */
export async function collect(engine: EngineAdapter, handle: JobHandle, signal = new AbortController().signal): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  for await (const event of engine.observe(handle, signal)) events.push(event);
  return events;
}

/** The ended outcome among `events`; fails the test when there is none. */
export function outcomeOf(events: JobEvent[]) {
  const ended = events.find((e) => e.type === 'ended');
  if (ended?.type !== 'ended') throw new Error(`no ended event in ${JSON.stringify(events)}`);
  return ended.outcome;
}

/** The command line of process `pid` (empty when it is gone). */
export function cmdlineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return [];
  }
}

/** Pids of the live (non-zombie) processes whose process group is `pgid`, read from /proc. */
export function liveGroupMembers(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(name));
  }
  return pids;
}

/** Start time in clock ticks of `pid`, read from /proc. */
export function startTicksOf(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[19]);
}

/** Polls `condition` every 20 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGKILLs what is left of a process group (test cleanup); ignores a group already gone. */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** What `localEngineTest` hands each test; every piece is set up only when the test asks for it. */
export interface LocalEngineFixtures {
  /** Fresh directories, removed after the test. */
  readonly dirs: TempJobDirs;
  /** Process groups the test started; whatever is left of them is killed after the test. */
  readonly pgids: number[];
  /** Creates an engine in `dirs.base` (polling every 50 ms unless `options` say otherwise); each is closed after the test. */
  readonly makeEngine: (options?: Partial<LocalEngineOptions>) => LocalEngine;
  /** The default engine: `makeEngine()`. */
  readonly engine: LocalEngine;
}

/**
 * `it` with the local-engine set-up as vitest fixtures, torn down in reverse order (engines
 * closed, then leftover process groups killed, then the directories removed).
 */
export const localEngineTest = test.extend<LocalEngineFixtures>({
  // vitest reads a fixture's dependencies from its destructuring pattern, hence `{}` and `_dirs`.
  dirs: async ({}, use) => {
    const dirs = await makeTempDirs();
    await use(dirs);
    await dirs.cleanup();
  },
  pgids: async ({ dirs: _dirs }, use) => {
    const pgids: number[] = [];
    await use(pgids);
    pgids.splice(0).forEach(killGroup);
  },
  makeEngine: async ({ dirs, pgids: _pgids }, use) => {
    const engines: LocalEngine[] = [];
    await use((options = {}) => {
      const engine = createLocalEngine({ baseDir: dirs.base, pollIntervalMs: 50, ...options });
      engines.push(engine);
      return engine;
    });
    await Promise.all(engines.map((engine) => engine.close()));
  },
  engine: async ({ makeEngine }, use) => {
    await use(makeEngine());
  },
});
