/**
 * Per-call plumbing shared by every RPC of the client: `signal` and `timeoutMs` on each call
 * (a grpc deadline plus `call.cancel()` on abort), and bounded retries with exponential backoff
 * for the failures a retry can fix. Aborting only ends the waiting; it never touches a workflow.
 */
import { Metadata, status as Code, type CallOptions as GrpcCallOptions, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { sleep } from '../util/abort.js';
import { ErrorReason } from '../wire/reasons.js';
import { CallCancelledError, isTransient, toRemoteError } from './errors.js';

/** Options every client method takes. */
export interface CallOptions {
  /** Aborting ends the call with CallCancelledError; the workflow is not affected. */
  readonly signal?: AbortSignal;
  /** Overall time budget in milliseconds, retries included (grpc deadline). Default: none. */
  readonly timeoutMs?: number;
}

/** Bounded retry with exponential backoff. */
export interface RetryPolicy {
  /** Attempts in total, the first included (default 4; 1 disables retries). */
  readonly maxAttempts: number;
  /** Wait before the second attempt, in milliseconds (default 100). */
  readonly initialBackoffMs: number;
  /** Longest wait between attempts, in milliseconds (default 2000). */
  readonly maxBackoffMs: number;
  /** Growth factor of the wait (default 2). */
  readonly multiplier: number;
}

/** The default retry policy: 4 attempts, 100 ms doubling up to 2 s (with ±20 % jitter). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 2_000, multiplier: 2 });

/** The wait before attempt `attempt + 1`, jittered by ±20 % so that clients do not retry in step. */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Absolute deadline (epoch ms) of a call, or undefined. */
export function deadlineOf(options: CallOptions | undefined): number | undefined {
  return options?.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
}

/** The CallCancelledError for an aborted signal. */
export function cancelled(signal: AbortSignal): CallCancelledError {
  return new CallCancelledError('call cancelled by the caller', Code.CANCELLED, ErrorReason.CANCELLED, {}, '', { cause: signal.reason });
}

/** Waits `ms`, ending early with CallCancelledError when `signal` fires. */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!(await sleep(ms, signal))) throw cancelled(signal!);
}

/** grpc call options for an absolute deadline. */
export function grpcOptions(deadline: number | undefined): Partial<GrpcCallOptions> {
  return deadline === undefined ? {} : { deadline: new Date(deadline) };
}

type UnaryStarter<Res> = (
  metadata: Metadata,
  options: Partial<GrpcCallOptions>,
  callback: (err: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** One unary call; the error is already typed (src/client/errors.ts). */
export function unaryOnce<Res>(start: UnaryStarter<Res>, deadline: number | undefined, signal?: AbortSignal): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled(signal));
      return;
    }
    const onAbort = (): void => call.cancel();
    const call = start(new Metadata(), grpcOptions(deadline), (err, response) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(toRemoteError(err, signal?.aborted === true));
      else resolve(response);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What withRetry needs to know about the call. */
export interface RetryContext {
  readonly policy: RetryPolicy;
  /** DEADLINE_EXCEEDED is retried only for idempotent calls. */
  readonly idempotent: boolean;
  readonly deadline: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called before each retry (attempt number of the failed attempt, error); for logs and tests. */
  readonly onRetry?: (attempt: number, err: unknown) => void;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy, deadline or signal stops it.
 * Only UNAVAILABLE (and DEADLINE_EXCEEDED when idempotent) are retried; the last error is thrown.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= ctx.policy.maxAttempts || !isTransient(err, ctx.idempotent) || ctx.signal?.aborted) throw err;
      const wait = backoffMs(n, ctx.policy);
      if (ctx.deadline !== undefined && Date.now() + wait >= ctx.deadline) throw err;
      ctx.onRetry?.(n, err);
      await abortableSleep(wait, ctx.signal);
    }
  }
}
