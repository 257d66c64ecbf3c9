/**
 * Hands the caller the security gate authenticated to the handlers, without a header a client
 * could forge: the gate files the principal under the call's metadata object (the one grpc-js then
 * gives the handler), in a WeakMap that forgets it with the call. Handlers ask `callerOf` for the
 * workflow owner and role. With authentication off every caller is the one anonymous owner and
 * sees every workflow, as before owners existed; with it on, a call the gate did not pass has no
 * caller and is refused (fail closed).
 */
import type { Metadata } from '@grpc/grpc-js';
import { UnauthenticatedError } from '../../errors.js';
import { ANONYMOUS_OWNER, type Caller } from '../../model/owner.js';
import { AuthFailureCause } from './bearer-token.js';
import type { Principal } from './authenticator.js';

const principals = new WeakMap<Metadata, Principal>();

/** Records who the call with these request headers is from; the security gate calls it. */
export function rememberPrincipal(metadata: Metadata, principal: Principal): void {
  principals.set(metadata, principal);
}

/** The caller of a server without authentication. */
export const ANONYMOUS_CALLER: Caller = Object.freeze({ owner: ANONYMOUS_OWNER, seesAll: true });

/** Resolves a call's request headers to its caller. */
export type CallerOf = (metadata: Metadata) => Caller;

/** The resolver for a server with authentication on or off. */
export function callerResolver(authenticated: boolean): CallerOf {
  if (!authenticated) return () => ANONYMOUS_CALLER;
  return (metadata) => {
    const principal = principals.get(metadata);
    if (!principal) throw new UnauthenticatedError('authentication required', AuthFailureCause.MISSING_CREDENTIALS);
    return { owner: principal.owner, seesAll: principal.admin };
  };
}
