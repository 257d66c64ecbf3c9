/**
 * Runs `flowserv-remote serve` as a real child process (node with the tsx loader, so the child
 * IS the server: a signal hits the server itself, not a wrapper) on port 0 with a given data
 * dir, and resolves once its log says it is listening. Every stdout line is kept, parsed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** A JSON log line as pino wrote it (plain text lines as `{msg}`). */
export type LogLine = Record<string, unknown> & { msg?: string };

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
    ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...args],
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
