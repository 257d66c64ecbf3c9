/**
 * Drives bench/log-followers.ts, the process that holds the WatchLogs followers of the live-logs
 * benchmark: one long-lived child (its start-up is paid once, not per round), talked to by lines.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { profileArgs } from './server-process.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Followers of one workflow: attached once `ready` resolves; `done` gives each one's bytes of step 1's stdout. */
export interface FollowerGroup {
  readonly ready: Promise<void>;
  readonly done: Promise<number[]>;
}

/** The follower process. */
export interface FollowerProcess {
  readonly pid: number;
  follow(workflowId: string, count: number): FollowerGroup;
  /** CPU time the process (all threads) has used so far, in ms. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the follower process against the server at `address` (host:port). */
export async function startFollowerProcess(address: string): Promise<FollowerProcess> {
  const child = spawn(process.execPath, [...profileArgs('followers'), '--import', 'tsx', 'bench/log-followers.ts', address], { cwd: REPO_DIR, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map<string, { resolve: (words: string[]) => void; reject: (err: Error) => void }>();
  const expect = (key: string) => new Promise<string[]>((resolve, reject) => waiting.set(key, { resolve, reject }));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const [verb, id = '', ...rest] = line.split(' ');
    if (verb === 'cpu') return waiting.get('cpu')?.resolve([id]);
    const key = verb === 'error' ? [`ready ${id}`, `done ${id}`].find((k) => waiting.has(k)) : `${verb} ${id}`;
    const entry = key === undefined ? undefined : waiting.get(key);
    if (!entry || key === undefined) return;
    waiting.delete(key);
    if (verb === 'error') entry.reject(new Error(`follower process: ${rest.join(' ')}`));
    else entry.resolve(rest);
  });
  child.once('exit', (code) => waiting.forEach((w) => w.reject(new Error(`follower process exited (${code})`))));
  const send = (line: string) => child.stdin!.write(`${line}\n`);
  return {
    pid: child.pid!,
    follow(workflowId, count) {
      const ready = expect(`ready ${workflowId}`).then(() => undefined);
      const done = expect(`done ${workflowId}`).then((words) => words.map(Number));
      send(`follow ${workflowId} ${count}`);
      return { ready, done };
    },
    async cpuMs() {
      const answer = expect('cpu');
      send('cpu');
      return Number((await answer)[0]);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
