/**
 * Runs `flowserv-remote` as a real child process (node with the tsx loader, so the child IS the
 * CLI: a signal hits the server itself, not a wrapper): `serve` on port 0, resolving once its log
 * says it is listening (every stdout line kept, parsed), or any command to its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT, scratch } from './fixtures.js';
import type { LogLine } from './logger.js';

export type { LogLine } from './logger.js';

/** node with the tsx loader and the CLI's entry. */
const NODE_ARGS = ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts')];

/** A running server process. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly address: string;
  readonly port: number;
  /** Every stdout line so far, parsed when JSON. */
  readonly lines: LogLine[];
  readonly stderr: () => string;
  /** Resolves with the exit code or signal name. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts the server (log level info unless `args` say otherwise) with this process's environment
 * plus `env`; rejects if it exits before listening.
 */
export function spawnServerProcess(dataDir: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...args],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  const lines: LogLine[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      if (line.msg === 'listening' && typeof line.port === 'number') {
        resolve({ child, address: `127.0.0.1:${line.port}`, port: line.port, lines, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
}

/** Spawns `flowserv-remote serve --port 0` with a fresh data dir and debug logs; resolves once it listens. */
export function spawnServer(extraArgs: readonly string[] = []): Promise<ServerProcess> {
  return spawnServerProcess(scratch('flowserv-remote-serve-'), ['--log-level', 'debug', ...extraArgs]);
}

/** Runs `flowserv-remote <args>` as a process; resolves with exit code, stdout and stderr. */
export function runCliProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
