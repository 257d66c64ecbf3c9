/**
 * Starting job runners without forking the server. `child_process.spawn` forks the whole server
 * process (well over 100 MB mapped), which costs milliseconds of event-loop time per job; a small
 * long-lived Perl process (spawner-program.ts, started on the first job) forks instead, and the
 * server only writes a request to its pipe. Jobs are started in sessions of their own, so they
 * outlive the spawner as they outlive the server: when the spawner dies, its jobs keep running
 * (they are polled instead of reported), and the next job starts a new spawner.
 *
 * Where perl is missing the engine uses {@link createDirectSpawner}, which spawns from this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PERL } from '../runner/log-cap-helper.js';
import { readProcStatSync } from './process-table.js';
import { SPAWNER_PROGRAM } from './spawner-program.js';

/** What to run: the program and arguments (argv[0] is the program), with its directory and env. */
export interface SpawnRequest {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Run as this user/group (the spawner must be allowed to switch: root). Default: unchanged. */
  readonly uid?: number;
  readonly gid?: number;
  /**
   * Set: the started process records its pid as the empty file `<pidFile>.<pid>` (as the user it
   * runs as) before it executes the program, which then keeps that pid. Failing to, it starts nothing.
   */
  readonly pidFile?: string;
}

/** A started runner: the leader of its own session and process group. */
export interface SpawnedJob {
  readonly pid: number;
  /** Its start time (/proc/<pid>/stat field 22), read before it could be reaped. */
  readonly startTicks: number;
  /** Settles when it exits, or when its exit can no longer be reported (then poll /proc). */
  readonly exited: Promise<void>;
}

/** Starts job runners. */
export interface JobSpawner {
  /** Rejects with {@link SpawnError} when nothing started, {@link SpawnUncertainError} when it cannot tell. */
  spawn(request: SpawnRequest): Promise<SpawnedJob>;
  /** Lets the spawner go (jobs keep running); pending `exited` promises settle. */
  close(): void;
}

/** The program could not be started; nothing runs. */
export class SpawnError extends Error {}

/** The spawner died while starting a job: the job may or may not have started. */
export class SpawnUncertainError extends Error {}

/** Records its pid (`<pidFile>.<pid>`), then becomes the program: the pid stays the job's process-group id. */
const PID_THEN_EXEC = ': > "$1.$$" && shift && exec "$@"';

/**
 * `argv` run by a shell that first records its pid as `<pidFile>.<pid>` (where the spawner cannot
 * do it itself: the direct spawner, the sandbox's trial job). One process more than the Perl
 * spawner needs.
 */
export function pidRecordingArgv(pidFile: string, argv: readonly string[]): string[] {
  return ['/bin/sh', '-c', PID_THEN_EXEC, 'flowserv-job', pidFile, ...argv];
}

/** Whether the Perl spawner can be used here. */
export function perlSpawnerAvailable(): boolean {
  return existsSync(PERL);
}

function checkFields(request: SpawnRequest): string[] {
  const env = Object.entries(request.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const ids = [request.uid, request.gid].map((n) => (n === undefined ? '' : String(n)));
  const fields = [request.cwd, ...ids, request.pidFile ?? '', String(request.argv.length), ...request.argv, ...env];
  if (fields.some((f) => f.includes('\0'))) throw new SpawnError('a spawn argument contains a NUL byte');
  return fields;
}

interface Pending {
  readonly resolve: (job: SpawnedJob) => void;
  readonly reject: (err: Error) => void;
}

interface Running {
  readonly startTicks: number;
  readonly release: () => void;
}

/** Creates the spawner client; the Perl process starts on the first spawn (and again after it died). */
export function createPerlSpawner(): JobSpawner {
  let proc: ChildProcess | undefined;
  // A perl that dies before its first answer cannot run the spawner: spawn from here instead.
  let answered = false;
  let direct: JobSpawner | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const running = new Map<number, Running>();

  function lost(child: ChildProcess): void {
    if (proc !== child) return;
    proc = undefined;
    if (!answered) direct ??= createDirectSpawner();
    for (const p of pending.values()) p.reject(new SpawnUncertainError('the job spawner exited while starting a job'));
    pending.clear();
    for (const r of running.values()) r.release();
    running.clear();
  }

  function onLine(line: string): void {
    answered = true;
    const [kind, a, b, c] = line.split(' ');
    if (kind === 'X') {
      const entry = running.get(Number(a));
      running.delete(Number(a));
      entry?.release();
      return;
    }
    const id = Number(a);
    const request = pending.get(id);
    if (!request) return;
    pending.delete(id);
    if (kind === 'F') {
      request.reject(new SpawnError(line.slice(kind.length + a!.length + 2)));
      return;
    }
    const pid = Number(b);
    const startTicks = Number(c);
    let release!: () => void;
    const exited = new Promise<void>((resolve) => (release = resolve));
    if (!Number.isSafeInteger(startTicks) || startTicks < 0) {
      request.reject(new SpawnUncertainError(`runner ${pid} vanished before it could be identified`));
      return;
    }
    running.set(pid, { startTicks, release });
    request.resolve({ pid, startTicks, exited });
  }

  function ensureStarted(): ChildProcess {
    if (proc) return proc;
    // Detached: a terminal's Ctrl-C for the server does not reach it; it ends when stdin closes.
    const child = spawn(PERL, ['-e', SPAWNER_PROGRAM], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    proc = child;
    child.on('error', () => lost(child));
    // 'close', not 'exit': every answer it wrote before it ended has been read by then.
    child.on('close', () => lost(child));
    child.stdin!.on('error', () => lost(child));
    createInterface({ input: child.stdout! }).on('line', onLine);
    child.unref();
    for (const stream of [child.stdin, child.stdout] as const) (stream as unknown as { unref?: () => void }).unref?.();
    return child;
  }

  return {
    spawn(request) {
      if (direct) return direct.spawn(request);
      return new Promise((resolve, reject) => {
        const payload = checkFields(request);
        const child = ensureStarted();
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const body = Buffer.from([String(id), ...payload].join('\0'));
        child.stdin!.write(Buffer.concat([Buffer.from(`${body.length}\n`), body]));
      });
    },
    close() {
      direct?.close();
      const child = proc;
      if (!child) return;
      child.stdin!.end();
      lost(child);
    },
  };
}

/** Spawns from this process (the fallback where perl is missing): detached, output discarded. */
export function createDirectSpawner(): JobSpawner {
  const children = new Set<{ child: ChildProcess; release: () => void }>();
  return {
    spawn(request) {
      return new Promise((resolve, reject) => {
        const argv = request.pidFile === undefined ? request.argv : pidRecordingArgv(request.pidFile, request.argv);
        const [program, ...args] = argv;
        const child = spawn(program!, args, {
          detached: true,
          stdio: 'ignore',
          cwd: request.cwd,
          env: request.env,
          ...(request.uid !== undefined && { uid: request.uid }),
          ...(request.gid !== undefined && { gid: request.gid }),
        });
        if (child.pid === undefined) {
          child.once('error', (err) => reject(new SpawnError(`cannot start ${program}: ${err.message}`)));
          return;
        }
        // Synchronous on purpose: no event-loop turn since spawn, so Node cannot have reaped it yet.
        const proc = readProcStatSync(child.pid);
        if (proc === undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // nothing left to kill
          }
          reject(new SpawnUncertainError(`runner ${child.pid} vanished before it could be identified`));
          return;
        }
        let release!: () => void;
        const exited = new Promise<void>((done) => (release = done));
        const entry = { child, release };
        children.add(entry);
        child.once('exit', () => {
          children.delete(entry);
          release();
        });
        child.unref();
        resolve({ pid: child.pid, startTicks: proc.startTicks, exited });
      });
    },
    close() {
      for (const entry of children) entry.release();
      children.clear();
    },
  };
}

