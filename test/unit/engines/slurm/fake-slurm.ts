/**
 * A scripted single-node Slurm behind the SlurmCli interface, for unit tests of the Slurm engine
 * on machines without Slurm. It answers sbatch, squeue, scontrol and scancel the way Slurm 22.05
 * prints them (as far as the engine reads them), writes the runner's `started` and `exit-status`
 * files when a test moves a job on, and can play a controller outage: while it is down every
 * command fails the way the real CLI does when slurmctld cannot be reached.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SlurmCommandError, type SlurmCli, type SlurmCommand, type SlurmCommandOutput } from '../../../../src/engines/slurm/slurm-cli.js';

interface FakeJob {
  readonly id: string;
  readonly name: string;
  readonly script: string;
  readonly controlDir: string;
  state: string;
  exitCode: string;
  endTime?: string;
}

/** A recorded command. */
export interface FakeSlurmCall {
  readonly command: SlurmCommand;
  readonly args: readonly string[];
}

/** The fake cluster and its controls. */
export interface FakeSlurm {
  readonly cli: SlurmCli;
  /** Every command run, in order (failed ones included). */
  readonly calls: FakeSlurmCall[];
  /** Commands of one kind, e.g. `callsOf('squeue')`. */
  callsOf(command: SlurmCommand): FakeSlurmCall[];
  /** From now on every command fails: the controller is unreachable. */
  down(): void;
  /** The controller answers again. */
  up(): void;
  /** The next sbatch refuses the job with `message` (exit 1), as for a bad partition. */
  refuseNextSubmit(message: string): void;
  /** The job starts: RUNNING, and the runner's `started` file is written. */
  start(jobId: string): Promise<void>;
  /** The runner ends with `code` (exit-status file written) and Slurm says COMPLETED or FAILED. */
  finish(jobId: string, code: number): Promise<void>;
  /** Sets Slurm's state without touching the job's files (TIMEOUT, NODE_FAIL, …). */
  setState(jobId: string, state: string, exitCode?: string): void;
  /** Slurm forgets the job (purged after MinJobAge). */
  purge(jobId: string): void;
}

const UNREACHABLE = 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)';

/** A fresh fake cluster with no jobs; job ids start at 1001. */
export function createFakeSlurm(): FakeSlurm {
  const jobs = new Map<string, FakeJob>();
  const calls: FakeSlurmCall[] = [];
  let nextId = 1001;
  let isDown = false;
  let refusal: string | undefined;

  const fail = (command: SlurmCommand, message: string, exitCode = 1): never => {
    throw new SlurmCommandError(command, message, exitCode, `${message}\n`, false);
  };
  const job = (id: string): FakeJob => {
    const found = jobs.get(id);
    if (!found) throw new Error(`fake slurm: no job ${id}`);
    return found;
  };
  const option = (args: readonly string[], name: string): string | undefined =>
    args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);

  function sbatch(args: readonly string[]): string {
    if (refusal !== undefined) {
      const message = refusal;
      refusal = undefined;
      fail('sbatch', `sbatch: error: ${message}`);
    }
    const id = String(nextId++);
    const output = option(args, '--output') ?? '';
    jobs.set(id, {
      id,
      name: option(args, '--job-name') ?? '',
      script: args.at(-1) ?? '',
      controlDir: output.slice(0, output.lastIndexOf('/')),
      state: 'PENDING',
      exitCode: '0:0',
    });
    return `${id}\n`;
  }

  function squeue(args: readonly string[]): string {
    const list = args[args.indexOf('-j') + 1];
    if (args.includes('-j') && list !== undefined) {
      const ids = list.split(',');
      const known = ids.filter((id) => jobs.has(id));
      if (ids.length === 1 && known.length === 0) fail('squeue', 'slurm_load_jobs error: Invalid job id specified');
      return known.map((id) => `${id}|${job(id).state}|None\n`).join('');
    }
    const name = option(args, '--name');
    return [...jobs.values()].filter((j) => j.name === name).map((j) => `${j.id}|${j.script}\n`).join('');
  }

  function scontrol(args: readonly string[]): string {
    if (args[0] === 'ping') return 'Slurmctld(primary) at node1 is UP\n';
    const id = args.at(-1)!;
    if (!jobs.has(id)) fail('scontrol', 'slurm_load_jobs error: Invalid job id specified');
    const j = job(id);
    return `JobId=${id} JobName=${j.name} JobState=${j.state} Reason=None ExitCode=${j.exitCode} EndTime=${j.endTime ?? 'Unknown'}\n`;
  }

  function scancel(args: readonly string[]): string {
    const j = jobs.get(args.at(-1)!);
    if (j && ['PENDING', 'RUNNING'].includes(j.state)) {
      j.state = 'CANCELLED';
      j.exitCode = '0:15';
      j.endTime = new Date().toISOString().slice(0, 19);
    }
    return '';
  }

  const cli: SlurmCli = {
    async run(command, args, options = {}): Promise<SlurmCommandOutput> {
      options.signal?.throwIfAborted();
      calls.push({ command, args: [...args] });
      if (isDown) {
        return fail(command, command === 'scontrol' && args[0] === 'ping' ? 'Slurmctld(primary) at node1 is DOWN' : UNREACHABLE);
      }
      const handlers: Record<SlurmCommand, (a: readonly string[]) => string> = {
        sbatch,
        squeue,
        scontrol,
        scancel,
        sinfo: () => '',
      };
      return { stdout: handlers[command](args), stderr: '' };
    },
  };

  return {
    cli,
    calls,
    callsOf: (command) => calls.filter((c) => c.command === command),
    down: () => void (isDown = true),
    up: () => void (isDown = false),
    refuseNextSubmit: (message) => void (refusal = message),
    async start(jobId) {
      const j = job(jobId);
      j.state = 'RUNNING';
      await mkdir(j.controlDir, { recursive: true });
      await writeFile(join(j.controlDir, 'started'), `${new Date().toISOString()}\n`);
    },
    async finish(jobId, code) {
      const j = job(jobId);
      await writeFile(join(j.controlDir, 'exit-status'), code === 0 ? '0 -1 -1\n' : `${code} 0 0\n`);
      j.state = code === 0 ? 'COMPLETED' : 'FAILED';
      j.exitCode = `${code}:0`;
      j.endTime = new Date().toISOString().slice(0, 19);
    },
    setState(jobId, state, exitCode) {
      const j = job(jobId);
      j.state = state;
      if (exitCode !== undefined) j.exitCode = exitCode;
      j.endTime = new Date().toISOString().slice(0, 19);
    },
    purge: (jobId) => void jobs.delete(jobId),
  };
}
