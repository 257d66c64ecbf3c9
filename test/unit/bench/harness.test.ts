import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compare, formatMs, formatRatio, interleave, median, percentile, summarize } from '../../../bench/harness.js';
import { missingPython } from '../../../bench/flowserv-backend.js';
import { renderTable } from '../../../bench/markdown.js';
import { autoSandboxKind } from '../../support/job-sandbox.js';
import { postgresMissing, requireAll } from '../../support/requirements.js';

const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

describe('harness math', () => {
  it('median is the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('percentiles interpolate between closest ranks and ignore input order', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 95)).toBeCloseTo(95.05, 10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([10, 20], 95)).toBeCloseTo(19.5, 10);
  });

  it('refuses empty inputs and percentiles outside 0..100', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('summarize and compare give median, p95, n and the ratio of medians', () => {
    expect(summarize([1, 2, 3, 4, 5])).toEqual({ n: 5, medianMs: 3, p95Ms: 4.8 });
    const row = compare({ name: 'x', subject: 's', baseline: 'b' }, { subject: [30, 10, 20], baseline: [5, 4, 6] });
    expect(row.ratio).toBe(4);
    expect(row.subjectSummary.medianMs).toBe(20);
    expect(row.baselineSummary.n).toBe(3);
  });

  it('interleave discards the warmup rounds and alternates which side runs first', async () => {
    const order: string[] = [];
    let s = 0;
    let b = 0;
    const out = await interleave(
      { warmup: 2, iterations: 3 },
      async () => (order.push('s'), s++),
      async () => (order.push('b'), b++),
    );
    expect(order.join('')).toBe('sbbssbbssb');
    expect(out).toEqual({ subject: [2, 3, 4], baseline: [2, 3, 4] });
  });
});

describe('formatting', () => {
  it('prints times with three significant digits and a fitting unit', () => {
    expect(formatMs(0.4123)).toBe('412 µs');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatMs(999.7)).toBe('1.00 s');
    expect(formatMs(0.99995)).toBe('1.00 ms');
  });

  it('prints ratios with fewer decimals as they grow', () => {
    expect(formatRatio(1.4249)).toBe('1.42×');
    expect(formatRatio(23.14)).toBe('23.1×');
    expect(formatRatio(187.4)).toBe('187×');
  });

  it('renders one table row per result, with the ratio in bold and pipes escaped', () => {
    const row = compare({ name: 'a|b', subject: 'subject', baseline: 'baseline', note: 'n' }, { subject: [2], baseline: [1] });
    const table = renderTable([{ benchmark: { id: 'x', title: 'X', description: '' }, results: [row] }]).split('\n');
    expect(table).toHaveLength(3);
    expect(table[0]).toMatch(/^\| Benchmark \| Subject \| Baseline \| Ratio \|/);
    expect(table[2]).toBe('| a\\|b | subject | baseline | **2.00×** | 2.00 ms (2.00 ms) | 1.00 ms (1.00 ms) | 1 | n |');
  });
});

function runBench(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_DIR, 'bench', 'run.ts'), ...args], {
      cwd: REPO_DIR,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('npm run bench', () => {
  it('--quick runs every benchmark against a real server and writes a markdown table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fsr-bench-test-'));
    try {
      const out = join(dir, 'report.md');
      // The Python rows need Debian's grpcio (scripts/install-python-deps.sh); CI must have it.
      const pythonRows = missingPython() === undefined;
      // The PostgreSQL rows need the cluster of scripts/postgres-dev.sh; CI starts it.
      const postgresRows = postgresMissing() === undefined;
      const bwrapRuns = autoSandboxKind() === 'bwrap';
      if (requireAll) expect(postgresMissing(), 'required in CI').toBeUndefined();
      if (requireAll) expect(missingPython(), 'required in CI').toBeUndefined();
      const { code, stderr } = await runBench(['--quick', '--out', out]);
      expect(code, stderr).toBe(0);
      const report = await readFile(out, 'utf8');
      expect(report).toContain('Mode: --quick');
      // This run's table only: the hand-kept before/after tables that follow it have ratio rows too.
      const table = report.slice(report.indexOf('## Results')).split('\n## ')[0]!;
      const rows = table.split('\n').filter((line) => /^\| .* \| \*\*[\d.]+×\*\* \|/.test(line));
      expect(rows.map((line) => line.split(' | ')[0])).toEqual([
        '| GetWorkflowState vs Check',
        '| GetServiceInfo vs Check',
        '| Workflow round trip',
        '| Job runner alone',
        '| Shell job runner alone',
        expect.stringMatching(/^\| Throughput, K=10, L=\d+$/),
        '| 10 workflows end to end, concurrency 2',
        // The job sandbox alone, where bubblewrap confines jobs here.
        ...(bwrapRuns ? ['| 10 sandboxed `sh -c true`, concurrency 2'] : []),
        '| UploadFile 1 MiB',
        '| DownloadFile 1 MiB',
        '| WatchState fan-out, median watcher',
        '| WatchState fan-out, last watcher',
        '| Unary throughput, metrics on vs off',
        ...(pythonRows ? ['| flowServ backend vs plain client', "| flowServ's polling vs the backend"] : []),
        expect.stringMatching(/^\| step printing \d+ MB, 10 followers$/),
        '| line latency to a follower',
        '| start-up with 2,000 stored vs empty',
        '| GetWorkflowState vs bare grpc-js, 1 in flight',
        '| GetWorkflowState vs bare grpc-js, 64 in flight',
        '| memory per WatchState stream, 100 watchers',
        '| 100 watchers: release → last one has SUCCESS',
        '| idle RSS of the production build',
        ...(postgresRows
          ? [
              '| state transitions on PostgreSQL, 1 in flight',
              '| state transitions on PostgreSQL, 16 in flight',
              '| CreateWorkflow, PostgreSQL vs SQLite store',
              '| state to another replica, ~1,000/s',
            ]
          : []),
        '| CreateWorkflow, 20 at 64 in flight',
      ]);
      expect(stderr).toContain('wrote');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // Every benchmark once, several servers and client processes spawned (now 24 rows, with the
    // PostgreSQL and replica rows): minutes on a loaded 2-core machine. A budget, not a speed check.
  }, 480_000);

  it('refuses an unknown benchmark id with exit code 2 and writes nothing', async () => {
    const out = join(tmpdir(), `fsr-bench-never-written-${process.pid}.md`);
    const { code, stderr } = await runBench(['--only', 'nope', '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown benchmark nope');
    expect(existsSync(out)).toBe(false);
  });
});
