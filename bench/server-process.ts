/**
 * A server in a process of its own, for benchmarks that must charge each server only its own
 * work: `flowserv-remote serve` (node with the tsx loader) on 127.0.0.1:0 with production
 * defaults and a fresh data dir, a generated client in this process, and the CPU time of the
 * server's main (JavaScript) thread read from /proc with nanosecond resolution.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { credentials } from '@grpc/grpc-js';
import { RemoteWorkflowServiceClient } from '../src/gen/flowserv/remote/v1/service.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A running server process and a client connected to it. */
export interface ServerProcess {
  readonly client: RemoteWorkflowServiceClient;
  /** The server's fresh data directory (removed by stop()). */
  readonly dataDir: string;
  /** CPU time the server's main thread has used so far, in ms (/proc/PID/schedstat). */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Starts `serve` with `args` on top of production defaults (CreateWorkflow rate limit off). */
export async function startServerProcess(args: readonly string[]): Promise<ServerProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fsr-bench-proc-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_DIR, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'info', '--create-rate-per-minute', '0', ...args],
    { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'inherit'] },
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
    dataDir,
    cpuMs: () => Number(readFileSync(`/proc/${child.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6,
    async stop() {
      client.close();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
