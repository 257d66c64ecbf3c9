/**
 * Tests that need something outside Node (a Slurm controller, PostgreSQL, Debian's python3-grpcio) skip
 * locally with a clear message when it is absent. CI sets FLOWSERV_TEST_REQUIRE_ALL=1, which turns
 * every such skip into a failure, so nothing is silently left out there.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'vitest';

/** True when CI demands that every optional dependency be present. */
export const requireAll = process.env.FLOWSERV_TEST_REQUIRE_ALL === '1';

/**
 * Runs `describe(name, body)` when `missing` is undefined. Otherwise, locally, skips the suite
 * and prints why; under FLOWSERV_TEST_REQUIRE_ALL=1 registers one failing test naming the reason.
 */
export function describeIfAvailable(name: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
  } else if (requireAll) {
    describe(name, () => {
      it('has what it needs (required in CI)', () => {
        throw new Error(`required in CI but unavailable: ${missing}`);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${missing}`);
    describe.skip(`${name} (skipped: ${missing})`, body);
  }
}

/** Where scripts/postgres-dev.sh writes the URL (its default FLOWSERV_PG_DEV_DIR). */
const URL_FILE = `${process.env.FLOWSERV_PG_DEV_DIR ?? '/tmp/flowserv-postgres-dev'}/url`;

/** The cluster's URL: FLOWSERV_TEST_DATABASE_URL, else the dev script's URL file, else undefined. */
export function postgresUrl(): string | undefined {
  const fromEnv = process.env.FLOWSERV_TEST_DATABASE_URL;
  if (fromEnv) return fromEnv;
  try {
    return readFileSync(URL_FILE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Why the PostgreSQL tests cannot run here, or undefined when the cluster answers. */
export function postgresMissing(): string | undefined {
  const url = postgresUrl();
  if (url === undefined) return `no PostgreSQL URL (set FLOWSERV_TEST_DATABASE_URL or run scripts/postgres-dev.sh up)`;
  const probe = `const c = new (require(process.argv[1]).Client)({ connectionString: process.argv[2], connectionTimeoutMillis: 5000 });
    c.connect().then(() => c.query('SELECT 1')).then(() => c.end(), (e) => { console.error(e.message); process.exit(1); });`;
  try {
    execFileSync(process.execPath, ['-e', probe, createRequire(import.meta.url).resolve('pg'), url], { timeout: 15_000, stdio: ['ignore', 'ignore', 'pipe'] });
    return undefined;
  } catch (err) {
    const detail = String((err as { stderr?: Buffer }).stderr ?? '').trim() || (err as Error).message;
    return `PostgreSQL at ${url} does not answer (${detail.split('\n')[0]}); run scripts/postgres-dev.sh up`;
  }
}

/** Why `kubectl kustomize` cannot render manifests here, or undefined when it can. */
export function kubectlMissing(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { timeout: 15_000, stdio: 'ignore' });
    return undefined;
  } catch {
    return 'kubectl (with its built-in kustomize) is not on PATH';
  }
}
