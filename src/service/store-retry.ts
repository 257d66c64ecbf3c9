/**
 * Store writes of the dispatcher that must not fail because the database is away for a moment
 * (a PostgreSQL restart or failover: storage-faults.ts 'unavailable'). Failing them would lose
 * what only this process knows: a job's handle right after the engine started it, a job's
 * outcome, the claim of a workflow just accepted. Instead they are retried, with a doubling
 * delay up to a few seconds, until the database answers or the dispatcher closes (what is left
 * is then done by the next start, or by another replica's claim scan). Other errors are thrown
 * at once.
 */
import type { Logger } from 'pino';
import { storageFault } from '../storage-faults.js';
import { sleep } from '../util/abort.js';

/** First delay before retrying, in ms; it doubles up to MAX_DELAY_MS. */
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 5000;

/** Where a retried write belongs: the dispatcher's lifetime, its log, and what to say. */
export interface StoreRetryContext {
  /** Aborted when the dispatcher closes: the last error is thrown then. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** What is being written, for the log ("recording the job handle"). */
  readonly what: string;
  /** Extra log fields (the workflow id). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** Runs `write`, again after each failure on an unreachable database, until it succeeds or the context closes. */
export async function retryWhileStoreUnavailable<T>(write: () => Promise<T>, context: StoreRetryContext): Promise<T> {
  for (let delayMs = FIRST_DELAY_MS; ; delayMs = Math.min(delayMs * 2, MAX_DELAY_MS)) {
    try {
      return await write();
    } catch (err) {
      if (storageFault(err) !== 'unavailable' || context.signal.aborted) throw err;
      context.logger.warn({ err, ...context.fields, retryInMs: delayMs }, `${context.what} failed: the database cannot be reached; retrying`);
      if (!(await sleep(delayMs, context.signal))) throw err;
    }
  }
}
