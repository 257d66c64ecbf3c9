/**
 * `npm run bench [-- --quick] [--out FILE] [--only id,id]`: runs the benchmarks one after the
 * other, prints progress to stderr, and writes the markdown report (default BENCHMARKS.md at the
 * repository root) only when every benchmark finished, so a failed run never replaces good numbers.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectEnvironment } from './environment.js';
import { createRate } from './create-rate.js';
import { endToEnd } from './end-to-end.js';
import { fileTransfer } from './file-transfer.js';
import { flowservBackend } from './flowserv-backend.js';
import { idleMemory } from './idle-memory.js';
import { liveLogs } from './live-logs.js';
import { formatRatio, type Benchmark } from './harness.js';
import { metricsOverhead } from './metrics-overhead.js';
import { postgresStore } from './postgres-store.js';
import { renderReport, type BenchmarkRun } from './markdown.js';
import { replicaFeed } from './replica-feed.js';
import { startUp } from './start-up.js';
import { throughput } from './throughput.js';
import { unaryProcesses } from './unary-processes.js';
import { unaryRpc } from './unary-rpc.js';
import { watchFanOut } from './watch-fan-out.js';
import { watchersProcesses } from './watchers-processes.js';
import { workflowRoundTrip } from './workflow-round-trip.js';

/** Every benchmark, in report order. */
export const BENCHMARKS: readonly Benchmark[] = [unaryRpc, workflowRoundTrip, throughput, endToEnd, fileTransfer, watchFanOut, metricsOverhead, flowservBackend, liveLogs, startUp, unaryProcesses, watchersProcesses, idleMemory, postgresStore, replicaFeed, createRate];

const REPO_DIR = fileURLToPath(new URL('..', import.meta.url));

const USAGE = `usage: tsx bench/run.ts [--quick] [--out FILE] [--only ${BENCHMARKS.map((b) => b.id).join(',')}]`;

interface Options {
  readonly quick: boolean;
  readonly out: string;
  readonly only: readonly Benchmark[];
}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let out = resolve(REPO_DIR, 'BENCHMARKS.md');
  let only = BENCHMARKS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--out' && argv[i + 1] !== undefined) out = resolve(argv[++i]!);
    else if (arg === '--only' && argv[i + 1] !== undefined) {
      const ids = argv[++i]!.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = ids.filter((id) => !BENCHMARKS.some((b) => b.id === id));
      if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}\n${USAGE}`);
      only = BENCHMARKS.filter((b) => ids.includes(b.id));
    } else throw new Error(`unexpected argument '${arg}'\n${USAGE}`);
  }
  return { quick, out, only };
}

async function main(argv: readonly string[]): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const started = Date.now();
  const log = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
  const env = collectEnvironment(REPO_DIR);
  log(`${options.quick ? 'quick' : 'full'} run on ${env.cpu} (${env.cpuCount} cores), node ${env.node}, commit ${env.commit}`);
  const runs: BenchmarkRun[] = [];
  for (const benchmark of options.only) {
    log(`${benchmark.title}…`);
    const results = await benchmark.run({ quick: options.quick, log: (m) => log(`  ${m}`) });
    for (const r of results) log(`  ${r.name}: ${formatRatio(r.ratio)}`);
    runs.push({ benchmark, results });
  }
  writeFileSync(options.out, renderReport(env, runs, { quick: options.quick }));
  log(`wrote ${options.out}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
