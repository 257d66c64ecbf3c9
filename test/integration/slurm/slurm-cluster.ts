/**
 * Helpers for the tests against the real single-node Slurm that `scripts/slurm-dev.sh up`
 * starts (CI runs it before the tests; locally, run it yourself).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { EngineAdapter, JobEvent, JobHandle, JobSpec, JobStep } from '../../../src/engines/types.js';

const run = promisify(execFile);

/** The dev-cluster script. */
export const SLURM_DEV = resolve(import.meta.dirname, '../../../scripts/slurm-dev.sh');

/** Why the Slurm tests cannot run here, or undefined when a node is ready. */
export function slurmMissing(): string | undefined {
  try {
    const out = execFileSync('sinfo', ['-h', '-o', '%T'], { timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (/\b(idle|mixed|allocated|completing)\b/.test(out)) return undefined;
    return `no usable Slurm node (sinfo: ${out.trim() || 'nothing'}); run scripts/slurm-dev.sh up`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return 'sinfo not found (Slurm not installed); run scripts/slurm-dev.sh up';
    return `Slurm cluster not ready (${e.message.split('\n')[0]}); run scripts/slurm-dev.sh up`;
  }
}

/** Runs the dev-cluster script (`up`, `stop slurmctld`, …) and returns its output. */
export async function slurmDev(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(SLURM_DEV, args, { timeout: 120_000 });
  return stdout + stderr;
}

/** Lines squeue prints for `args` (plain squeue shows only active jobs). */
export async function squeue(...args: string[]): Promise<string> {
  const { stdout } = await run('squeue', ['-h', ...args], { timeout: 30_000 });
  return stdout.trim();
}

/** A temp directory on the local fs (shared by the one node) for work and control dirs. */
export async function makeTempRoot(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'flowserv-slurm-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

let counter = 0;

/** A JobSpec with one step per command list, dirs under `root`. */
export function jobSpec(root: string, steps: ReadonlyArray<readonly string[]>, extra: Partial<JobSpec> = {}): JobSpec {
  const n = ++counter;
  const workflowId = `wf-${process.pid}-${n}`;
  const jobSteps: JobStep[] = steps.map((commands, i) => ({ name: `step${i}`, commands }));
  return {
    workflowId,
    workDir: join(root, workflowId, 'work'),
    controlDir: join(root, workflowId, 'ctl'),
    steps: jobSteps,
    ...extra,
  };
}

/** Collects observe()'s events until it returns (or `timeoutMs` passes, which fails). */
export async function observeAll(engine: EngineAdapter, handle: JobHandle, timeoutMs = 60_000): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const e of engine.observe(handle, signal)) events.push(e);
  if (signal.aborted) throw new Error(`job ${handle.externalId} did not end within ${timeoutMs} ms`);
  return events;
}

/** Waits for the first event of observe() (normally `started`), then stops observing. */
export async function firstEvent(engine: EngineAdapter, handle: JobHandle, timeoutMs = 30_000): Promise<JobEvent> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for await (const e of engine.observe(handle, controller.signal)) return e;
    throw new Error(`no event for job ${handle.externalId} within ${timeoutMs} ms`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
