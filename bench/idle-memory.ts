/**
 * Resident memory of the production build at rest: `node dist/cli/main.js serve` (built by this
 * benchmark from the working tree with `tsc -p tsconfig.build.json`) over an empty data dir,
 * against a bare grpc-js server with the same protos (bench/bare-idle-server.mjs), each a fresh
 * plain-node process, alternating. A sample is the process's VmRSS a fixed time after it listens.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compare, interleave, type Benchmark } from './harness.js';
import { removeDataDir } from './data-dir.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));
const BUILD_DIR = join(REPO_DIR, 'dist');

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `npm run build`'s two steps, so that the numbers are of the code in the working tree. */
async function build(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(REPO_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: REPO_DIR });
  copyFileSync(join(REPO_DIR, 'src', 'gen', 'descriptor-set.binpb'), join(BUILD_DIR, 'gen', 'descriptor-set.binpb'));
}

/** Resolves once `matches` accepts a line of the child's stdout. */
function untilLine(child: ChildProcess, matches: (line: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited (${code}) before it listened`)));
    createInterface({ input: child.stdout! }).on('line', (line) => matches(line) && resolve());
  });
}

/** Starts `args` with plain node, waits until it listens, then `settleMs`; resolves with its VmRSS. */
async function restingRss(args: readonly string[], listening: (line: string) => boolean, settleMs: number): Promise<number> {
  const child = spawn(process.execPath, args, { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await untilLine(child, listening);
    await pause(settleMs);
    return rssBytes(child.pid!);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
}

export const idleMemory: Benchmark = {
  id: 'idle-rss',
  title: 'Idle memory of the production build',
  description:
    '`node dist/cli/main.js serve` (built from the working tree by the benchmark; empty data dir, production defaults, ' +
    'access log on) against `node bench/bare-idle-server.mjs dist`, a grpc-js server registering the same services from ' +
    'the same generated code and protos (RemoteWorkflowService, health, reflection v1 and v1alpha) with empty handlers. ' +
    'Each sample is a fresh process\'s resident memory (VmRSS) a fixed time after it listens, before any call ' +
    '(goal: ≤ 1.15× bare).',
  async run(ctx) {
    const settleMs = ctx.quick ? 200 : 3000;
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: 5 };
    // The smoke run checks the harness, not the build: it runs the sources through tsx instead.
    const loader = ctx.quick ? ['--import', 'tsx'] : [];
    const code = ctx.quick ? join(REPO_DIR, 'src') : BUILD_DIR;
    if (!ctx.quick) {
      ctx.log('building the production bundle (tsc -p tsconfig.build.json)');
      await build();
    }
    ctx.log(`${counts.iterations} starts of each, VmRSS ${settleMs} ms after listening`);
    const samples = await interleave(
      counts,
      async () => {
        const dataDir = await mkdtemp(join(tmpdir(), 'fsr-bench-idle-'));
        try {
          const args = [...loader, join(code, 'cli', ctx.quick ? 'main.ts' : 'main.js'), 'serve', '--port', '0', '--data-dir', dataDir];
          return await restingRss(args, (line) => line.includes('"msg":"listening"'), settleMs);
        } finally {
          await removeDataDir(dataDir);
        }
      },
      () => restingRss([...loader, join(REPO_DIR, 'bench', 'bare-idle-server.mjs'), code], (line) => /^\d+$/.test(line), settleMs),
    );
    return [
      compare(
        { name: 'idle RSS of the production build', subject: '`node dist/cli/main.js serve`', baseline: 'bare grpc-js, same protos', unit: 'bytes', note: 'goal ≤ 1.15×' },
        samples,
      ),
    ];
  },
};
