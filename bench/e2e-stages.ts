/**
 * Where the time of one job goes in the `e2e` row: `tsx bench/e2e-stages.ts` (root, with `perf`
 * installed; not part of `npm run bench`) starts `serve` (engine concurrency 2; from REPO_DIR when
 * set, to look at another checkout), runs K one-step `true` workflows (default 200) after a
 * warm-up of 20, and records every fork, exec and exit on the machine meanwhile with
 * `perf record -e sched:sched_process_{fork,exec,exit} -k CLOCK_MONOTONIC`. From those it prints,
 * as JSON:
 * - `chain`: each job's processes from the spawner's fork on (the most common sequence of events,
 *   with the median time of each from the fork, in ms);
 * - `slotTurnover`: from a job's leader exiting to the spawner forking the next job (the server
 *   noticing the end, committing, and staging and submitting the next job), medians in ms;
 * - `endToSuccess`: from a job's leader exiting to the client receiving SUCCESS (paired in order);
 * - `leaderLifetime`: fork of the leader to its exit.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './harness.js';
import { createWorkflow, shellWorkflow, watchToEnd } from './rpc.js';
import { startServerProcess } from './server-process.js';

const K = Number(process.env.K ?? 200);
const server = await startServerProcess(['--local-max-concurrent-jobs', '2'], process.env.REPO_DIR);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function round(name: string, k: number, seen: number[]): Promise<void> {
  await Promise.all(
    Array.from({ length: k }, async (_, i) => {
      const id = await createWorkflow(server.client, shellWorkflow(`${name}-${i}`, ['true']));
      await watchToEnd(server.client, id);
      seen.push(nowMs());
    }),
  );
}

try {
  await round('warm', 20, []);
  const out = join(mkdtempSync(join(tmpdir(), 'fsr-stages-')), 'perf.data');
  const perf = spawn('perf', ['record', '-q', '-k', 'CLOCK_MONOTONIC', '-a', '-o', out, '-e', 'sched:sched_process_fork', '-e', 'sched:sched_process_exec', '-e', 'sched:sched_process_exit'], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const seen: number[] = [];
  const t0 = nowMs();
  await round('stages', K, seen);
  const wall = nowMs() - t0;
  perf.kill('SIGINT');
  await once(perf, 'exit');
  const script = spawn('perf', ['script', '-i', out, '-F', 'pid,time,event,trace'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  script.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await once(script, 'exit');

  interface Ev {
    kind: 'fork' | 'exec' | 'exit';
    pid: number;
    t: number;
    child?: number;
    file?: string;
  }
  const events: Ev[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+([\d.]+):\s+sched:sched_process_(fork|exec|exit):\s+(.*)$/.exec(line);
    if (!m) continue;
    const t = Number(m[2]) * 1000;
    const fields = m[4]!;
    if (m[3] === 'fork') {
      const parent = Number(/ pid=(\d+)/.exec(fields)![1]);
      events.push({ kind: 'fork', pid: parent, t, child: Number(/child_pid=(\d+)/.exec(fields)![1]) });
    } else if (m[3] === 'exec') events.push({ kind: 'exec', pid: Number(m[1]), t, file: /filename=(\S+)/.exec(fields)![1] });
    else events.push({ kind: 'exit', pid: Number(/ pid=(\d+)/.exec(fields)![1]), t });
  }
  // The spawner: the server's child that runs perl.
  const serverChildren = new Set(events.filter((e) => e.kind === 'fork' && e.pid === server.pid).map((e) => e.child!));
  const spawnerPid = Number(readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, 'utf8').trim().split(/\s+/)[0] ?? 0);
  const spawner = spawnerPid || [...serverChildren][0]!;
  const parentOf = new Map<number, number>();
  for (const e of events) if (e.kind === 'fork') parentOf.set(e.child!, e.pid);
  const leaderOf = (pid: number): number | undefined => {
    let p: number | undefined = pid;
    while (p !== undefined && parentOf.get(p) !== spawner) p = parentOf.get(p);
    return p;
  };
  const jobs = new Map<number, { fork: number; events: Array<[string, number]>; exit?: number }>();
  for (const e of events) {
    if (e.kind === 'fork' && e.pid === spawner) jobs.set(e.child!, { fork: e.t, events: [] });
  }
  const depthOf = (pid: number, leader: number): number => {
    let d = 0;
    for (let p = pid; p !== leader; p = parentOf.get(p)!) d++;
    return d;
  };
  for (const e of events) {
    const pid = e.kind === 'fork' ? e.child! : e.pid;
    const leader = leaderOf(pid);
    const job = leader === undefined ? undefined : jobs.get(leader);
    if (!job) continue;
    const depth = depthOf(pid, leader!);
    const label = e.kind === 'exec' ? `exec ${e.file} (depth ${depth})` : `${e.kind} (depth ${depth})`;
    job.events.push([label, e.t - job.fork]);
    if (e.kind === 'exit' && pid === leader) job.exit = e.t;
  }
  // The most common sequence of labels, with median offsets.
  const bySequence = new Map<string, Array<Array<[string, number]>>>();
  for (const job of jobs.values()) {
    const key = job.events.map(([l]) => l).join('|');
    bySequence.set(key, [...(bySequence.get(key) ?? []), job.events]);
  }
  const [, common] = [...bySequence.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []];
  const chain = (common[0] ?? []).map(([label], i) => ({ event: label, msFromFork: +median(common.map((evs) => evs[i]![1])).toFixed(3) }));
  // Slot turnover: each fork after the first two takes the earliest unmatched leader exit before it.
  const timeline = [...jobs.values()].flatMap((j) => [{ t: j.fork, kind: 'fork' as const }, ...(j.exit ? [{ t: j.exit, kind: 'exit' as const }] : [])]).sort((a, b) => a.t - b.t);
  const pending: number[] = [];
  const turnover: number[] = [];
  for (const item of timeline) {
    if (item.kind === 'exit') pending.push(item.t);
    else if (pending.length > 0) turnover.push(item.t - pending.shift()!);
  }
  const exits = [...jobs.values()].map((j) => j.exit).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const successes = [...seen].sort((a, b) => a - b);
  const endToSuccess = exits.slice(0, successes.length).map((t, i) => successes[i]! - t);
  const lifetimes = [...jobs.values()].filter((j) => j.exit).map((j) => j.exit! - j.fork);
  console.log(
    JSON.stringify(
      {
        K,
        wallMs: +wall.toFixed(0),
        msPerJobPerSlot: +((wall * 2) / K).toFixed(2),
        jobs: jobs.size,
        commonChainShare: `${common.length}/${jobs.size}`,
        chain,
        leaderLifetimeMs: +median(lifetimes).toFixed(3),
        slotTurnoverMs: { median: +median(turnover).toFixed(3), samples: turnover.length },
        endToSuccessMs: +median(endToSuccess).toFixed(3),
      },
      null,
      1,
    ),
  );
} finally {
  await server.stop();
}
process.exit(0);
