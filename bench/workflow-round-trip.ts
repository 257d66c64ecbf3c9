/**
 * Workflow round trip: the whole life of the smallest workflow (`true`) through the service,
 * against spawning that command directly. The difference is what the service adds per
 * workflow: validation, planning, staging, three SQLite commits, the runner script and its
 * processes, observing the exit, and the WatchState stream.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeJobRunner, writePerlRunner } from '../src/engines/runner/job-runner.js';
import { PERL } from '../src/engines/runner/log-cap-helper.js';
import type { JobSpec } from '../src/engines/types.js';
import { compare, formatAdded, interleave, timed, type Benchmark } from './harness.js';
import { runWorkflow, shellWorkflow, spawnAndWait, spawnShell } from './rpc.js';
import { withServer } from './server.js';
import { removeDataDir } from './data-dir.js';

/**
 * A job runner for a one-command `true` workflow, run bare: the Perl runner the local engine runs
 * (`perl`), or the shell runner Slurm runs (`sh`).
 */
async function runnerAlone(counts: { warmup: number; iterations: number }, kind: 'perl' | 'sh') {
  const dir = await mkdtemp(join(tmpdir(), 'fsr-bench-runner-'));
  try {
    const job: JobSpec = {
      workflowId: 'bench-runner',
      workDir: dir,
      controlDir: join(dir, '.control'),
      steps: [{ name: 'main', commands: ['true'] }],
      // The server's default log cap: the runner as production runs it.
      logCapBytes: 64 * 1024 * 1024,
    };
    const [program, script] = kind === 'perl' ? [PERL, await writePerlRunner(job)] : ['/bin/sh', await writeJobRunner(job)];
    const samples = await interleave(counts, timed(() => spawnAndWait(program, [script])), timed(() => spawnShell('true')));
    const row =
      kind === 'perl'
        ? { name: 'Job runner alone', subject: '`perl run.pl` (the local engine\'s runner for `true`)' }
        : { name: 'Shell job runner alone', subject: '`/bin/sh run.sh` (Slurm\'s runner for `true`)' };
    const result = compare({ ...row, baseline: 'spawn `/bin/sh -c true`' }, samples);
    return { ...result, note: `${formatAdded(result)} per job` };
  } finally {
    await removeDataDir(dir);
  }
}

export const workflowRoundTrip: Benchmark = {
  id: 'roundtrip',
  title: 'Workflow round trip',
  description:
    'One workflow at a time: `CreateWorkflow` of a one-step workflow running `true`, then `WatchState` from sequence 0 ' +
    'until the stream ends after SUCCESS. The baseline spawns `/bin/sh -c true` with `child_process` and waits for its exit. ' +
    'The local engine runs a generated runner (`perl run.pl`: one process that records the steps, starts each command\'s ' +
    '`/bin/sh -c` and, with the default 64 MiB log cap, copies its output), so the second row times that runner alone ' +
    '(cap on, outside any namespace), against the same baseline: the round trip divided by the runner is what staging, ' +
    'persistence, observation and the RPCs add. The third row times the POSIX shell runner Slurm runs (`/bin/sh run.sh`: ' +
    'shell built-ins around the commands, with the cap one `perl` helper per command).',
  async run(ctx) {
    const counts = ctx.quick ? { warmup: 1, iterations: 5 } : { warmup: 5, iterations: 40 };
    ctx.log(`round trip: ${counts.iterations} workflows and ${counts.iterations} spawns`);
    return withServer([], async (server) => {
      let n = 0;
      const samples = await interleave(
        counts,
        timed(() => runWorkflow(server.client, shellWorkflow(`bench-rt-${n++}`, ['true']))),
        timed(() => spawnShell('true')),
      );
      const result = compare(
        { name: 'Workflow round trip', subject: 'CreateWorkflow + WatchState to SUCCESS', baseline: 'spawn `/bin/sh -c true`' },
        samples,
      );
      return [{ ...result, note: `${formatAdded(result)} per workflow` }, await runnerAlone(counts, 'perl'), await runnerAlone(counts, 'sh')];
    });
  },
};
