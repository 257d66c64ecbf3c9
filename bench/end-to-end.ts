/**
 * End to end with the server in a process of its own: K one-step `true` workflows submitted at
 * once (each a CreateWorkflow then a WatchState until SUCCESS) through an engine running two at a
 * time, timed until the last is SUCCESS, against K `/bin/sh -c true` spawned two at a time from
 * this process, interleaved. The same rounds give the disk each finished workflow leaves behind:
 * the blocks allocated to its run directory (every directory and file in it), as `du` counts them.
 */
import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BWRAP, bwrapArgs, resolveHostLayout } from '../src/engines/local/bwrap-args.js';
import { resolveJobUser } from '../src/engines/local/job-sandbox.js';
import { compare, interleave, median, timeMs, type Benchmark } from './harness.js';
import { runWorkflow, shellWorkflow, spawnAndWait, spawnShell } from './rpc.js';
import { startServerProcess } from './server-process.js';
import { runPool } from './throughput.js';

/** Engine concurrency of the row (the figure). */
const CONCURRENCY = 2;

/** Bytes allocated on disk to `path` and everything under it (st_blocks × 512, links not followed). */
export async function allocatedBytes(path: string): Promise<number> {
  const info = await lstat(path);
  let total = info.blocks * 512;
  if (info.isDirectory()) {
    for (const name of await readdir(path)) total += await allocatedBytes(join(path, name));
  }
  return total;
}

/**
 * `sh -c true` in the job sandbox alone: bubblewrap with the arguments the local engine gives a
 * job (a run directory of its own under `dir`), as the job user when this process is root.
 * Undefined where bubblewrap does not run here (the row is then left out).
 */
async function sandboxedTrue(dir: string): Promise<(() => Promise<void>) | undefined> {
  if (!existsSync(BWRAP)) return undefined;
  const user = resolveJobUser(undefined);
  const [workDir, controlDir] = [join(dir, 'run', 'work'), join(dir, 'run')];
  await chmod(dir, 0o711);
  await mkdir(workDir, { recursive: true });
  if (user) for (const path of [controlDir, workDir]) await chown(path, user.uid, user.gid);
  const args = [...bwrapArgs(resolveHostLayout([], []), { workDir, controlDir, network: true }), '--', '/bin/sh', '-c', 'true'];
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const run = () => spawnAndWait(BWRAP, args, ids);
  try {
    await run();
  } catch {
    return undefined;
  }
  return run;
}

export const endToEnd: Benchmark = {
  id: 'e2e',
  title: 'End to end, server in its own process',
  description:
    `K one-step \`true\` workflows submitted at once to a \`serve\` process (tsx, production defaults: log cap on, jobs ` +
    `confined where namespaces work) whose local engine runs ${CONCURRENCY} at a time, each a \`CreateWorkflow\` followed by ` +
    `its own \`WatchState\`, timed until the last is SUCCESS; the baseline spawns K \`/bin/sh -c true\` ${CONCURRENCY} at a ` +
    'time from the benchmark process, interleaved with the subject (goal: ratio at most 2.5). The note gives the ' +
    'CPU time of the server\'s main thread per workflow and its share of the round (how busy the event loop was). ' +
    'The second row times the job sandbox alone (bubblewrap with the engine\'s arguments running `sh -c true`, ' +
    'as the job user) against the same baseline, in the same rounds: what no runner or server change can remove. ' +
    '"disk per finished workflow" is the space allocated to one finished workflow\'s run directory (directories and ' +
    'files, 4 KiB blocks on ext4), the median over the workflows of every round (goal: at most 12 KB).',
  async run(ctx) {
    const k = ctx.quick ? 10 : 200;
    const counts = ctx.quick ? { warmup: 0, iterations: 1 } : { warmup: 1, iterations: 5 };
    ctx.log(`e2e: ${counts.iterations} rounds of ${k} workflows (engine concurrency ${CONCURRENCY})`);
    const server = await startServerProcess(['--local-max-concurrent-jobs', String(CONCURRENCY)]);
    const scratch = await mkdtemp(join(tmpdir(), 'fsr-bench-sandbox-'));
    try {
      const sandboxed = await sandboxedTrue(scratch);
      const sandboxMs: number[] = [];
      let round = 0;
      const busy: number[] = [];
      const cpuPerWorkflow: number[] = [];
      const disk: number[] = [];
      const samples = await interleave(
        counts,
        async () => {
          const r = round++;
          const cpuBefore = server.cpuMs();
          const ids: string[] = [];
          const ms = await timeMs(() =>
            Promise.all(Array.from({ length: k }, (_, i) => runWorkflow(server.client, shellWorkflow(`bench-e2e-${r}-${i}`, ['true'])).then((id) => ids.push(id)))),
          );
          const cpu = server.cpuMs() - cpuBefore;
          busy.push(cpu / ms);
          cpuPerWorkflow.push(cpu / k);
          for (const id of ids) disk.push(await allocatedBytes(join(server.dataDir, 'runs', id)));
          ctx.log(`  round ${r}: ${ms.toFixed(0)} ms, server CPU ${(cpu / k).toFixed(2)} ms per workflow`);
          return ms;
        },
        async () => {
          // The sandbox alone, measured next to the plain baseline (its order alternating too).
          const plain = () => timeMs(() => runPool(k, CONCURRENCY, () => spawnShell('true')));
          if (!sandboxed) return plain();
          const first = sandboxMs.length % 2 === 0;
          const confined = () => timeMs(() => runPool(k, CONCURRENCY, sandboxed));
          if (first) sandboxMs.push(await confined());
          const ms = await plain();
          if (!first) sandboxMs.push(await confined());
          return ms;
        },
      );
      // The warm-up round's sample is dropped, as interleave drops it for the others.
      sandboxMs.splice(0, counts.warmup);
      const result = compare(
        { name: `${k} workflows end to end, concurrency ${CONCURRENCY}`, subject: `${k} workflows to SUCCESS (serve process)`, baseline: `${k} \`sh -c true\`, ${CONCURRENCY} at a time` },
        samples,
      );
      const diskKb = median(disk) / 1024;
      const sandboxRow =
        sandboxMs.length > 0
          ? compare(
              { name: `${k} sandboxed \`sh -c true\`, concurrency ${CONCURRENCY}`, subject: `${k} \`bwrap … sh -c true\` (the job sandbox alone), ${CONCURRENCY} at a time`, baseline: `${k} \`sh -c true\`, ${CONCURRENCY} at a time` },
              { subject: sandboxMs, baseline: samples.baseline },
            )
          : undefined;
      const vsSandbox = sandboxRow ? `; ${(result.subjectSummary.medianMs / sandboxRow.subjectSummary.medianMs).toFixed(2)}× the sandbox alone (next row)` : '';
      return [
        {
          ...result,
          note:
            `goal ≤ 2.50×${vsSandbox}; server main thread ${median(cpuPerWorkflow).toFixed(2)} ms CPU per workflow, busy ${(median(busy) * 100).toFixed(0)} % of the round; ` +
            `disk per finished workflow ${diskKb.toFixed(1)} KB (median of ${disk.length}; goal ≤ 12 KB)`,
        },
        ...(sandboxRow
          ? [{ ...sandboxRow, note: 'what confinement alone costs: bubblewrap with the arguments the engine gives a job (new user, PID, IPC, UTS and mount namespaces, /proc, /dev, /tmp, read-only system folders, the run directory), as the job user' }]
          : []),
      ];
    } finally {
      await server.stop();
      await rm(scratch, { recursive: true, force: true });
    }
  },
};
