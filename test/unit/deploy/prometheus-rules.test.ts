/**
 * deploy/prometheus/ against the code: every metric a rule reads is one the server exports, so
 * a renamed metric cannot leave a silent rule behind.
 * promtool checks syntax and rule behaviour in CI (.ci/run); this test needs no Prometheus.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createMetrics, type ScrapeSources } from '../../../src/metrics/metrics.js';

const RULES = fileURLToPath(new URL('../../../deploy/prometheus/flowserv-rules.yml', import.meta.url));
const SOURCES: ScrapeSources = {
  activeWorkflows: () => [],
  queueDepth: () => [],
  oldestPending: () => [],
  blobStore: () => ({ count: 0, bytes: 0 }),
  databaseBytes: () => 0,
};

interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
}

/** Names of exported series: each metric, plus _bucket/_count/_sum for histograms. */
async function exportedSeries(): Promise<Set<string>> {
  const { registry } = createMetrics({ sources: SOURCES });
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(metric.name + suffix);
  }
  return names;
}

/** Metric names a PromQL expression reads (recorded `a:b:c` names excluded). */
function metricsIn(expr: string): string[] {
  return [...new Set(expr.match(/(?<![:\w])(?:grpc_server|flowserv)_[a-z_]+(?![:\w])/g) ?? [])];
}

describe('deploy/prometheus rules', () => {
  const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups;
  const rules = groups.flatMap((g) => g.rules);

  it('has recording rules and the four alerts the operators asked for', () => {
    expect(rules.filter((r) => r.record).length).toBeGreaterThanOrEqual(4);
    expect(rules.flatMap((r) => (r.alert ? [r.alert] : [])).sort()).toEqual([
      'FlowservEngineNotServing',
      'FlowservGrpcErrorRatioHigh',
      'FlowservQueueGrowing',
      'FlowservWorkflowsStuckPending',
    ]);
  });

  it('reads only metrics the server exports', async () => {
    const exported = await exportedSeries();
    const unknown = rules.flatMap((r) => metricsIn(r.expr).filter((name) => !exported.has(name)).map((name) => `${r.record ?? r.alert}: ${name}`));
    expect(unknown).toEqual([]);
    expect(metricsIn('rate(flowserv_no_such_metric[5m])').filter((n) => !exported.has(n))).toEqual(['flowserv_no_such_metric']);
  });
});
