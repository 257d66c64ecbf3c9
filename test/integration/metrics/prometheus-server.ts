/**
 * A real Prometheus (Debian's `prometheus` package) for tests: started on a free loopback port
 * with a temporary config that scrapes one target every second and loads the project's rules,
 * queried through its HTTP API, and stopped (its process only) at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the Prometheus tests cannot run here, or undefined when they can. */
export function prometheusMissing(): string | undefined {
  const found = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? undefined : 'prometheus is not on PATH (CI installs it with scripts/install-prometheus.sh)';
}

/** One sample of an instant vector: its labels and value. */
export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A running Prometheus. */
export interface PrometheusServer {
  readonly url: string;
  /** Runs an instant query; rejects on a query error. */
  query(promql: string): Promise<Sample[]>;
  /**
   * Polls `promql` until `accept` holds for its result (Prometheus scrapes every second and
   * evaluates rules every second), or rejects after `timeoutMs` showing the last result.
   */
  waitFor(promql: string, accept: (samples: Sample[]) => boolean, timeoutMs?: number): Promise<Sample[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts Prometheus scraping `target` (host:port) as job `flowserv`, with `ruleFiles` loaded. */
export async function startPrometheus(target: string, ruleFiles: readonly string[]): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fsr-prometheus-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...ruleFiles.map((file) => `  - ${JSON.stringify(file)}`),
    'scrape_configs:',
    '  - job_name: flowserv',
    '    static_configs:',
    `      - targets: [${JSON.stringify(target)}]`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${output}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready after 30 s: ${output}`);
    await pause(100);
  }

  async function query(promql: string): Promise<Sample[]> {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
    return body.data!.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  return {
    url,
    query,
    async waitFor(promql, accept, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      let last: Sample[] = [];
      for (;;) {
        last = await query(promql);
        if (accept(last)) return last;
        if (Date.now() > until) throw new Error(`${promql}: condition not met within ${timeoutMs} ms; last result ${JSON.stringify(last)}`);
        await pause(250);
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
