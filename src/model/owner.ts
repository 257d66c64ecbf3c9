/**
 * Who a workflow belongs to. Every workflow records the owner that created it; the workflow
 * calls (get, state, watch, logs, stop, download, list) answer a caller only about its own
 * workflows, unless the caller may see every owner's (an admin, or any caller of a server
 * without authentication). Idempotency keys (request ids) are scoped to the owner.
 */

/**
 * The one owner of a server without authentication, and the owner that workflows stored before
 * owners existed are given by the schema migration. No authenticated caller maps to it: token
 * owners start with `token:` and JWT owners with `jwt:`.
 */
export const ANONYMOUS_OWNER = 'anonymous';

/** The caller of a workflow operation, as far as ownership is concerned. */
export interface Caller {
  /** The owner recorded on workflows this caller creates and matched by its idempotency keys. */
  readonly owner: string;
  /** True when the caller sees and stops every owner's workflows (admin role, or no authentication). */
  readonly seesAll: boolean;
}

/**
 * The owner a caller's reads are restricted to: its own, or undefined for a caller that sees all.
 * An undefined caller is the service itself (recovery, tests): unrestricted.
 */
export function ownerScopeOf(caller: Caller | undefined): string | undefined {
  return caller === undefined || caller.seesAll ? undefined : caller.owner;
}

/** True when `caller` may see (and, if it may write, stop) a workflow of `owner`. */
export function mayAccess(caller: Caller | undefined, owner: string): boolean {
  const scope = ownerScopeOf(caller);
  return scope === undefined || scope === owner;
}
