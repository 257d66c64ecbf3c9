/**
 * The one gate every call passes before its handler runs, for all four call kinds: a grpc-js
 * server interceptor that holds the call at its request headers, then (1) authenticates the
 * bearer token unless the method is public (health), (2) refuses read-only callers on mutating
 * methods, and (3) meters CreateWorkflow per client. A refused call is answered here with
 * UNAUTHENTICATED, PERMISSION_DENIED or RESOURCE_EXHAUSTED (ErrorInfo, plus RetryInfo for the
 * rate limit); the handler never starts and no request message is read. The `authorization`
 * header is removed before the call goes on, so no handler or log below can see the token; the
 * handler learns who called through `callerOf` (callers.ts), which reads what the gate recorded.
 */
import { ServerInterceptingCall, type Metadata, type ServerInterceptingCallInterface, type ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { PermissionDeniedError, RateLimitedError, UnauthenticatedError, type ServiceError } from '../../errors.js';
import { toGrpcStatus } from '../status.js';
import { AuthenticationError, type Authenticator, type Principal } from './authenticator.js';
import { rememberPrincipal } from './callers.js';
import { accessOf, CREATE_WORKFLOW_PATH } from './method-access.js';
import type { RateLimiter } from './rate-limiter.js';

export interface SecurityInterceptorOptions {
  /** Undefined: authentication is off and every caller has full access. */
  readonly authenticator?: Authenticator | undefined;
  /** Undefined: CreateWorkflow is not metered. */
  readonly createLimiter?: RateLimiter | undefined;
  /** Shown in the rate-limit message. */
  readonly createLimit?: { readonly ratePerMinute: number; readonly burst: number } | undefined;
  readonly logger: Logger;
}

/**
 * Who a call counts as for rate limiting: the token identity when authenticated, else the CN of
 * a verified client certificate (mutual TLS), else the peer's IP address (every client behind one
 * proxy shares it).
 */
export function clientKeyOf(call: ServerInterceptingCallInterface, principal: Principal | undefined): string {
  if (principal) return `principal:${principal.id}`;
  const subject = call.getAuthContext().sslPeerCertificate?.subject;
  const commonName = subject?.CN;
  if (typeof commonName === 'string' && commonName !== '') return `cert:${commonName}`;
  return `ip:${call.getConnectionInfo().remoteAddress ?? call.getPeer()}`;
}

/** Builds the interceptor; place it after the access log so that refusals are logged too. */
export function securityInterceptor(options: SecurityInterceptorOptions): ServerInterceptor {
  const { authenticator, createLimiter, logger } = options;
  const rpcOf = (path: string) => path.replace(/^\//, '');

  /** Undefined to let the call through, else the refusal that ends it. */
  async function admit(path: string, call: ServerInterceptingCallInterface, metadata: Metadata): Promise<ServiceError | undefined> {
    const access = authenticator ? accessOf(path) : 'public';
    let principal: Principal | undefined;
    if (authenticator && access !== 'public') {
      try {
        principal = await authenticator.authenticate(metadata);
      } catch (err) {
        if (!(err instanceof AuthenticationError)) throw err;
        return new UnauthenticatedError(err.message, err.failure);
      }
      if (access === 'write' && principal.readOnly) {
        return new PermissionDeniedError(`${rpcOf(path)} changes server state; the token of '${principal.id}' is read-only`, {
          rpc: rpcOf(path),
          principal: principal.id,
        });
      }
      rememberPrincipal(metadata, principal);
    }
    if (createLimiter && path === CREATE_WORKFLOW_PATH) {
      const decision = createLimiter.take(clientKeyOf(call, principal));
      if (!decision.ok) {
        const limit = options.createLimit;
        const rule = limit ? ` (${limit.ratePerMinute} per minute, bursts of ${limit.burst})` : '';
        return new RateLimitedError(
          `CreateWorkflow rate limit exceeded for this client${rule}; retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
          decision.retryAfterMs,
          { limit: 'create_rate' },
        );
      }
    }
    return undefined;
  }

  return (method, call) =>
    // Without authentication only CreateWorkflow (its rate limit) has anything to check.
    !authenticator && method.path !== CREATE_WORKFLOW_PATH
      ? (call as ServerInterceptingCall)
      : new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            admit(method.path, call, metadata).then(
              (refusal) => {
                if (refusal) {
                  call.sendStatus(toGrpcStatus(refusal, logger));
                  return;
                }
                metadata.remove('authorization');
                nextMetadata(metadata);
              },
              (err: unknown) => call.sendStatus(toGrpcStatus(err, logger.child({ rpc: rpcOf(method.path) }))),
            );
          },
        }),
    });
}
