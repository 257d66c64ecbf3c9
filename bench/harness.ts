/**
 * The benchmark harness: warm up, then take N samples of a subject and its baseline
 * interleaved (ABAB…, the order flipping each round), so that load from other work on a noisy
 * machine lands on both alike, and summarize each side by median and p95. Results are read as
 * the ratio of medians subject/baseline: absolute times on a shared 2-core machine mean little,
 * a ratio measured in the same run on the same machine does.
 */

/** One measurement, in milliseconds. */
export type Sample = () => Promise<number>;

/** Median and p95 of a set of samples, in the row's unit (milliseconds unless it says bytes; the names keep `Ms`). */
export interface Summary {
  readonly n: number;
  readonly medianMs: number;
  readonly p95Ms: number;
}

/** One row of the report: a subject against its same-run baseline. */
export interface ComparisonResult {
  /** Short name of the row, e.g. `GetWorkflowState vs Check`. */
  readonly name: string;
  readonly subject: string;
  readonly baseline: string;
  readonly subjectSummary: Summary;
  readonly baselineSummary: Summary;
  /** subject median / baseline median. */
  readonly ratio: number;
  /** Extra context for the row (units, derived rates); shown in the table. */
  readonly note?: string;
  /** What the samples count: milliseconds (the default) or bytes (memory rows). */
  readonly unit?: 'ms' | 'bytes';
}

/** What a benchmark receives from the runner. */
export interface BenchContext {
  /** Smoke run: few iterations, numbers are not meant to be read. */
  readonly quick: boolean;
  /** Progress line to stderr. */
  readonly log: (message: string) => void;
}

/** A benchmark: one file under bench/, one or more rows of the report. */
export interface Benchmark {
  /** Id used by `--only`, e.g. `unary`. */
  readonly id: string;
  readonly title: string;
  /** What the rows measure and how to read them (markdown, one paragraph). */
  readonly description: string;
  run(ctx: BenchContext): Promise<ComparisonResult[]>;
}

/** Warmup rounds (discarded) and measured rounds. */
export interface Iterations {
  readonly warmup: number;
  readonly iterations: number;
}

/**
 * The `p`-th percentile (0..100) by linear interpolation between closest ranks, the
 * definition numpy and most spreadsheets use. Throws on an empty input.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Median (the 50th percentile; the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Median and p95 of `samples` (milliseconds). */
export function summarize(samples: readonly number[]): Summary {
  return { n: samples.length, medianMs: median(samples), p95Ms: percentile(samples, 95) };
}

/** Wall time of one call of `fn`, in milliseconds (monotonic clock). */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A Sample that times `fn` (for measurements that do not time themselves). */
export function timed(fn: () => Promise<unknown>): Sample {
  return () => timeMs(fn);
}

/**
 * Runs `warmup` unrecorded rounds, then `iterations` recorded rounds of subject and baseline,
 * alternating which goes first, and returns both sets of samples. A round usually yields one
 * number (a Sample); a benchmark that reads several figures off one round returns an object.
 */
export async function interleave<S = number, B = number>(
  counts: Iterations,
  subject: () => Promise<S>,
  baseline: () => Promise<B>,
): Promise<{ subject: S[]; baseline: B[] }> {
  const out = { subject: [] as S[], baseline: [] as B[] };
  for (let i = 0; i < counts.warmup + counts.iterations; i++) {
    let s: S;
    let b: B;
    if (i % 2 === 0) {
      s = await subject();
      b = await baseline();
    } else {
      b = await baseline();
      s = await subject();
    }
    if (i < counts.warmup) continue;
    out.subject.push(s);
    out.baseline.push(b);
  }
  return out;
}

/** Builds a report row from raw samples. */
export function compare(
  row: { name: string; subject: string; baseline: string; note?: string; unit?: 'ms' | 'bytes' },
  samples: { subject: readonly number[]; baseline: readonly number[] },
): ComparisonResult {
  const subjectSummary = summarize(samples.subject);
  const baselineSummary = summarize(samples.baseline);
  return { ...row, subjectSummary, baselineSummary, ratio: subjectSummary.medianMs / baselineSummary.medianMs };
}

/** Milliseconds with three significant digits and a unit: `0.412 ms`, `12.3 ms`, `1.23 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  // Thresholds just below the unit change keep toPrecision from printing `1.00e+3`.
  if (ms >= 999.5) return `${(ms / 1000).toPrecision(3)} s`;
  if (ms >= 0.9995) return `${ms.toPrecision(3)} ms`;
  return `${(ms * 1000).toPrecision(3)} µs`;
}

/** Bytes with three significant digits and a binary unit: `812 B`, `24.1 KiB`, `79.3 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let i = 0;
  while (Math.abs(value) >= 1023.5 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(value)} B` : `${value.toPrecision(3)} ${units[i]}`;
}

/** A sample in its row's unit. */
export function formatSample(value: number, unit: ComparisonResult['unit']): string {
  return unit === 'bytes' ? formatBytes(value) : formatMs(value);
}

/** What the subject adds to the baseline, from the medians: `+81.2 µs`. */
export function formatAdded(result: ComparisonResult): string {
  const added = result.subjectSummary.medianMs - result.baselineSummary.medianMs;
  return added >= 0 ? `+${formatMs(added)}` : `−${formatMs(-added)}`;
}

/** A ratio as `1.42×`, `23.1×`, `187×` (two decimals below 10, one below 100, none above). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  const digits = ratio < 10 ? 2 : ratio < 100 ? 1 : 0;
  return `${ratio.toFixed(digits)}×`;
}
