/**
 * The flowServ backend of the Python package (clients/python) in flowServ's view: how long a
 * 0.2 s job takes from exec_workflow to SUCCESS with its output file in the run store, when the
 * backend follows it with WatchState, against the same job created and followed with the plain
 * Python client, and against flowServ's own remote controller, which sleeps poll_interval (2 s
 * by default) before each poll. The Python side (clients/python/bench/backend_latency.py) takes
 * the samples, rotating the three kinds each round; this file runs it against the bench server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compare, formatAdded, type Benchmark } from './harness.js';
import { withServer } from './server.js';

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = join(REPO_DIR, 'clients', 'python', 'bench', 'backend_latency.py');
/** Debian's interpreter: it sees Debian's grpcio and protobuf (scripts/install-python-deps.sh). */
const PYTHON = '/usr/bin/python3';

/** Why the Python side cannot run here, or undefined. */
export function missingPython(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import grpc, google.protobuf'], { stdio: 'ignore' });
  return probe.status === 0 ? undefined : `${PYTHON} cannot import grpc and protobuf`;
}

interface Samples {
  readonly backend: number[];
  readonly direct: number[];
  readonly polling: number[];
}

/** Runs the Python sampler without blocking the event loop (the server lives in this process). */
function sample(address: string, warmup: number, iterations: number): Promise<Samples> {
  return new Promise((resolve, reject) => {
    const args = [SCRIPT, address, '--warmup', String(warmup), '--iterations', String(iterations)];
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as Samples);
      else reject(new Error(`backend_latency.py exited ${code}: ${stderr}`));
    });
  });
}

export const flowservBackend: Benchmark = {
  id: 'flowserv',
  title: 'flowServ backend (Python)',
  description:
    'A job of `sleep 0.2` with one output file, from the call to SUCCESS with the output downloaded, as flowServ sees it. ' +
    '**Backend** is `flowserv_remote.flowserv.RemoteBackend.exec_workflow` in sync mode (create, follow with WatchState, ' +
    'download the output into the run store). **Direct** is the same job with the plain Python client (`create_workflow`, ' +
    '`wait`, `download`). **Polling** is flowServ\'s own remote controller loop (sleep `poll_interval` = 2 s, then ' +
    '`poll_state`, until the run ends) over the package\'s `RemoteClient`. The first row is what the backend adds to the ' +
    'bare calls; the second what following by WatchState saves over flowServ\'s polling.',
  async run(ctx) {
    const missing = missingPython();
    if (missing !== undefined) {
      ctx.log(`flowServ backend: skipped, ${missing} (scripts/install-python-deps.sh installs it)`);
      return [];
    }
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: 8 };
    ctx.log(`flowServ backend: ${counts.iterations} rounds of three 0.2 s jobs (polling takes >= 2 s each)`);
    return withServer([], async (server) => {
      const samples = await sample(server.address, counts.warmup, counts.iterations);
      const backend = compare(
        { name: 'flowServ backend vs plain client', subject: 'RemoteBackend.exec_workflow (WatchState)', baseline: 'Client create + wait + download' },
        { subject: samples.backend, baseline: samples.direct },
      );
      const polling = compare(
        { name: "flowServ's polling vs the backend", subject: 'poll_interval 2 s monitor loop', baseline: 'RemoteBackend.exec_workflow (WatchState)' },
        { subject: samples.polling, baseline: samples.backend },
      );
      return [
        { ...backend, note: `${formatAdded(backend)} per run` },
        { ...polling, note: `${formatAdded(polling)} per run in flowServ's view` },
      ];
    });
  },
};
