/**
 * A server in a process of its own, for benchmarks that must charge each server only its own
 * work: `flowserv-remote serve` (node with the tsx loader) on 127.0.0.1:0 with production
 * defaults and a fresh data dir, a generated client in this process, and the CPU time of the
 * server's main (JavaScript) thread read from /proc with nanosecond resolution.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { credentials } from '@grpc/grpc-js';
import { RemoteWorkflowServiceClient } from '../src/gen/flowserv/remote/v1/service.js';
import { removeDataDir } from './data-dir.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A running server process and a client connected to it. */
export interface ServerProcess {
  readonly client: RemoteWorkflowServiceClient;
  /** host:port, for clients in other processes. */
  readonly address: string;
  /** The server's fresh data directory (removed by stop()). */
  readonly dataDir: string;
  readonly pid: number;
  /** CPU time the server's main thread has used so far, in ms (/proc/PID/schedstat). */
  cpuMs(): number;
  /** CPU time all of the server's threads (libuv's pool, the GC, …) have used so far, in ms. */
  allThreadsCpuMs(): number;
  stop(): Promise<void>;
}

/**
 * Node flags that write a CPU profile of a benchmark's child process when BENCH_CPU_PROF_DIR
 * names a directory (for finding where the time goes; off in normal runs).
 */
export function profileArgs(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', '--cpu-prof-dir', join(dir, `${name}-${Date.now()}`)] : [];
}

/** CPU time of every thread of process `pid` so far, in ms (/proc/PID/task/TID/schedstat, ns). */
export function processCpuMs(pid: number | 'self'): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended while being read
    }
  }
  return ns / 1e6;
}

/** CPU times of some processes sampled over time, to charge each with what it used in a window. */
export interface CpuTimeline {
  /** CPU ms of process `index` (in the order given) used between two wall-clock times (epoch ms). */
  between(index: number, fromMs: number, toMs: number): number;
  stop(): void;
}

/** Samples the CPU time of `pids` (all threads) every `intervalMs` until stopped. */
export function sampleCpu(pids: readonly number[], intervalMs: number): CpuTimeline {
  const samples: { at: number; cpu: number[] }[] = [];
  const take = () => samples.push({ at: performance.timeOrigin + performance.now(), cpu: pids.map((pid) => processCpuMs(pid)) });
  take();
  const timer = setInterval(take, intervalMs);
  /** CPU of process `index` at time `at`, interpolated between the samples around it. */
  const at = (index: number, t: number): number => {
    const after = samples.findIndex((s) => s.at >= t);
    if (after <= 0) return (after === 0 ? samples[0]! : samples[samples.length - 1]!).cpu[index]!;
    const a = samples[after - 1]!;
    const b = samples[after]!;
    return a.cpu[index]! + ((b.cpu[index]! - a.cpu[index]!) * (t - a.at)) / (b.at - a.at);
  };
  return {
    between: (index, fromMs, toMs) => at(index, toMs) - at(index, fromMs),
    stop: () => {
      clearInterval(timer);
      take();
    },
  };
}

/**
 * Starts `serve` with `args` on top of production defaults (CreateWorkflow rate limit off), from
 * `repoDir` (default this checkout; another checkout's path measures an earlier commit in the same run).
 */
export async function startServerProcess(args: readonly string[], repoDir = REPO_DIR): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fsr-bench-proc-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [...profileArgs('server'), '--import', 'tsx', join(repoDir, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'info', '--create-rate-per-minute', '0', ...args],
    { cwd: repoDir, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as { msg?: string; port?: number };
        if (line.msg === 'listening' && typeof line.port === 'number') resolve(line.port);
      } catch {
        // not a log line
      }
    });
  });
  const client = new RemoteWorkflowServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  return {
    client,
    address: `127.0.0.1:${port}`,
    dataDir,
    pid: child.pid!,
    allThreadsCpuMs: () => processCpuMs(child.pid!),
    cpuMs: () => Number(readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6,
    async stop() {
      client.close();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await removeDataDir(dataDir);
    },
  };
}
