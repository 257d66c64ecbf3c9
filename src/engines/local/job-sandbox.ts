/**
 * How a local job is confined: the one place that decides, for a job, which program runs its
 * runner, with which arguments and as which user. Engines (and whatever spawns runners for them)
 * call `command()` and `prepare()`; they never assemble sandbox arguments themselves.
 *
 * Modes, strongest first:
 * - `bwrap`: bubblewrap builds the job a root of its own (bwrap-args.ts). Preferred: a small,
 *   widely used tool (Flatpak's sandbox) that needs no privilege, only user namespaces.
 * - `namespaces`: util-linux unshare + setpriv (job-namespace.ts), for hosts without bubblewrap;
 *   needs root, and leaves the host's file system visible.
 * - `off`: no sandbox.
 * `auto` (the default) takes the first that actually starts a trial job here. When the server runs
 * as root, jobs run as the job user in every mode (default `flowserv-job`, else `nobody`).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { BWRAP, bwrapArgs, resolveHostLayout, type HostLayout } from './bwrap-args.js';
import { namespaceCommand, SETPRIV, UNSHARE } from './job-namespace.js';
import { pidRecordingArgv } from './job-spawner.js';
import { defaultJobUser, handOver, lookupUser, makeTraversable, type JobUser } from './job-user.js';

/** The values of the sandbox setting. */
export const JOB_SANDBOX_MODES = ['auto', 'bwrap', 'namespaces', 'off'] as const;
export type JobSandboxMode = (typeof JOB_SANDBOX_MODES)[number];

/** The sandbox jobs actually get. */
export type JobSandboxKind = Exclude<JobSandboxMode, 'auto'>;

/** The shell that runs the runner. */
const SHELL = '/bin/sh';

/** Options of createJobSandbox. */
export interface JobSandboxOptions {
  /** Default `auto`. An explicit `bwrap` or `namespaces` that cannot run here is an error. */
  readonly mode?: JobSandboxMode;
  /**
   * Account jobs run as when the server runs as root. Default: `flowserv-job` if it exists, else
   * `nobody`. Naming the server's own account (e.g. `root`) keeps jobs running as it. When the
   * server is not root, jobs run as the server's user and naming another account is an error.
   */
  readonly jobUser?: string;
  /** Where run directories are created; a trial job runs under it at start. */
  readonly baseDir: string;
  /** The server's data directory: hidden from jobs. */
  readonly dataDir?: string;
  /** The server's secret files (token file, TLS key, JWT key): hidden from jobs. */
  readonly secrets?: readonly string[];
  /** bwrap: further folders jobs may read (e.g. /opt with a Python installation). */
  readonly readOnlyPaths?: readonly string[];
  /** Default true. False: confined jobs get no network at all, loopback included. */
  readonly network?: boolean;
}

/** A job's two directories, as the runner uses them. */
export interface JobDirs {
  readonly workDir: string;
  readonly controlDir: string;
}

/** What to spawn (detached, cwd = work directory) to run a job's runner. */
export interface SpawnPlan {
  readonly file: string;
  readonly args: readonly string[];
  /** Set: spawn as this user and group (Node's `uid`/`gid` spawn options). */
  readonly uid?: number;
  readonly gid?: number;
  /** Set: the spawned process records its pid as `<pidFile>.<pid>` before it becomes `file` (see SpawnRequest). */
  readonly pidFile?: string;
}

/** The sandbox chosen at engine start. */
export interface JobSandbox {
  readonly kind: JobSandboxKind;
  /** The account jobs run as when it is not the server's own. */
  readonly user: JobUser | undefined;
  /** What the engine must log loudly at start (jobs less confined than they could be). */
  readonly warnings: readonly string[];
  /** Hands the job's directories (runner and staged files written) to the job user. */
  prepare(job: JobDirs): Promise<void>;
  /**
   * How to run `runner` with `interpreter` (default /bin/sh; the Perl runner's is perl). Confined, the spawned process records its pid (the empty file
   * `<pidFile>.<pid>`, the plan's pidFile) before it becomes the sandbox program (inside, the
   * runner is pid 1); unconfined, the runner records it.
   */
  command(job: JobDirs, runner: string, pidFile: string, interpreter?: string): SpawnPlan;
}

/** The requested sandbox cannot run here (or the job user does not exist): the server must not start. */
export class JobSandboxUnavailableError extends Error {
  override readonly name = 'JobSandboxUnavailableError';
}

interface Resolved {
  readonly user: JobUser | undefined;
  readonly host: HostLayout;
  readonly dataDir: string | undefined;
  readonly secrets: readonly string[];
  readonly network: boolean;
}

function planFor(kind: JobSandboxKind, r: Resolved, job: JobDirs, runner: string, pidFile: string, interpreter = SHELL): SpawnPlan {
  const ids = r.user ? { uid: r.user.uid, gid: r.user.gid } : {};
  if (kind === 'off') return { file: interpreter, args: [runner], ...ids };
  if (kind === 'bwrap') {
    return { file: BWRAP, args: [...bwrapArgs(r.host, { ...job, network: r.network }), '--', interpreter, runner], pidFile, ...ids };
  }
  // unshare needs root: the switch to the job user happens inside, after the mounts.
  const [file, args] = namespaceCommand(SHELL, runner, {
    ...job,
    ...(r.dataDir && { dataDir: r.dataDir }),
    // The server's home (its keys, shell history, tools) is hidden too: the host stays visible here.
    hidden: [...r.secrets, homedir()],
    ...(r.user && { user: r.user }),
    network: r.network,
  }, interpreter);
  return { file, args, pidFile };
}

/**
 * Runs a trial job in `kind` under `baseDir`: it must start, write a file in its working
 * directory as the job user, and end with status 0. Returns why not, or undefined.
 */
function trial(kind: JobSandboxKind, r: Resolved, baseDir: string): string | undefined {
  const program = kind === 'bwrap' ? BWRAP : UNSHARE;
  if (!existsSync(program)) return `${program} is not installed`;
  if (kind === 'namespaces' && r.user && !existsSync(SETPRIV)) return `${SETPRIV} is not installed`;
  let dir: string | undefined;
  try {
    // Where jobs will run, so that the trial meets the same folder permissions; if that folder
    // does not exist yet (health then reports it), the system's temporary folder.
    dir = mkdtempSync(join(existsSync(baseDir) ? baseDir : tmpdir(), '.flowserv-sandbox-trial-'));
    chmodSync(dir, 0o711);
    const job = { workDir: join(dir, 'work'), controlDir: join(dir, 'control') };
    mkdirSync(job.workDir);
    mkdirSync(job.controlDir);
    const runner = join(job.controlDir, 'run.sh');
    writeFileSync(runner, `echo ok > '${join(job.workDir, 'ok')}'\n`);
    if (r.user) for (const path of [job.workDir, job.controlDir, runner]) chownSync(path, r.user.uid, r.user.gid);
    const plan = planFor(kind, r, job, runner, join(job.controlDir, 'pid'));
    const [file, ...args] = plan.pidFile === undefined ? [plan.file, ...plan.args] : pidRecordingArgv(plan.pidFile, [plan.file, ...plan.args]);
    const run = spawnSync(file!, args, {
      cwd: job.workDir,
      encoding: 'utf8',
      timeout: 10_000,
      ...(plan.uid !== undefined && { uid: plan.uid, gid: plan.gid }),
    });
    if (run.status !== 0) return `a trial job failed (status ${run.status ?? run.signal}): ${(run.stderr || run.error?.message || '').trim().slice(0, 300)}`;
    if (!existsSync(join(job.workDir, 'ok')) || readFileSync(join(job.workDir, 'ok'), 'utf8') !== 'ok\n') return 'a trial job could not write its working directory';
    return undefined;
  } catch (err) {
    return `a trial job could not be set up: ${(err as Error).message}`;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The account jobs run as: `name` (or the default job user) when the server is root, none (the
 * server's own) otherwise; a server that is not root cannot switch and says so. `self` is the
 * server's uid, a parameter so that both cases can be checked on one machine.
 */
export function resolveJobUser(name: string | undefined, self: number = process.getuid?.() ?? -1): JobUser | undefined {
  if (self !== 0) {
    if (name === undefined) return undefined;
    const wanted = lookupUser(name);
    if (wanted?.uid === self) return undefined;
    throw new JobSandboxUnavailableError(`job user '${name}' needs the server to run as root (it runs as uid ${self}); jobs run as the server's user`);
  }
  const user = name === undefined ? defaultJobUser() : lookupUser(name);
  if (user === undefined) throw new JobSandboxUnavailableError(`job user '${name ?? 'flowserv-job or nobody'}' does not exist (scripts/create-job-user.sh creates flowserv-job)`);
  return user.uid === 0 ? undefined : user;
}

/**
 * Chooses and checks the sandbox once, at engine start (synchronously: it runs one trial job per
 * mode it tries, some tens of milliseconds each). Throws JobSandboxUnavailableError when an
 * explicit mode cannot run or the job user is missing.
 */
export function createJobSandbox(options: JobSandboxOptions): JobSandbox {
  const mode = options.mode ?? 'auto';
  const user = resolveJobUser(options.jobUser);
  const secrets = (options.secrets ?? []).filter((path) => path !== '');
  const hidden = options.dataDir ? [options.dataDir, ...secrets] : secrets;
  const r: Resolved = {
    user,
    host: resolveHostLayout(options.readOnlyPaths ?? [], hidden),
    dataDir: options.dataDir,
    secrets,
    network: options.network ?? true,
  };
  // The job user (and bwrap, started as it) must reach the run directories.
  // Its parent is the data directory in the server's layout.
  if (user) makeTraversable([...new Set([options.dataDir ?? dirname(options.baseDir), options.baseDir])]);
  const warnings: string[] = [];
  const asWhom = user ? `the job user ${user.name}` : process.getuid?.() === 0 ? 'root' : "the server's user";
  const problems: string[] = [];
  let kind: JobSandboxKind = 'off';
  if (mode !== 'off') {
    for (const candidate of mode === 'auto' ? (['bwrap', 'namespaces'] as const) : [mode]) {
      const why = trial(candidate, r, options.baseDir);
      if (why === undefined) {
        kind = candidate;
        break;
      }
      problems.push(`${candidate}: ${why}`);
    }
    if (mode !== 'auto' && kind !== mode) throw new JobSandboxUnavailableError(`job sandbox '${mode}' cannot run here (${problems.join('; ')})`);
  }
  if (kind === 'off') {
    warnings.push(
      `JOBS ARE NOT CONFINED (job sandbox ${mode === 'off' ? 'turned off' : `unavailable: ${problems.join('; ')}`}): ` +
        `a job runs as ${asWhom} and can read whatever that account can (the database, run directories of other workflows, ` +
        `the token file and TLS key if their permissions allow), sees every process with its command line, and processes it starts with setsid can outlive it`,
    );
  } else if (kind === 'namespaces' && mode === 'auto') {
    warnings.push(`jobs are confined with unshare, not bubblewrap (${problems.join('; ')}): the host's file system outside the data directory stays visible to them`);
  }
  if (user === undefined && process.getuid?.() === 0) warnings.push('jobs run as root (the job user is root)');
  return {
    kind,
    user,
    warnings,
    async prepare(job) {
      if (!user) return;
      // The working directory usually lies inside the control directory (the run directory): one walk then.
      const rel = relative(job.controlDir, job.workDir);
      const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
      await Promise.all([inside ? undefined : handOver(job.workDir, user), handOver(job.controlDir, user)]);
    },
    command: (job, runner, pidFile, interpreter) => planFor(kind, r, job, runner, pidFile, interpreter),
  };
}
