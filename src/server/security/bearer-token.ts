/**
 * Reads the bearer token of a call from its `authorization` metadata (RFC 6750 §2.1, the header
 * every gRPC implementation and grpcurl's `-H` send). Anything else (no header, two headers, a
 * `token` header, `Token x`, `Basic …`, a bare token) is refused with a cause the caller can act
 * on. Messages never repeat what the caller sent: the header may hold a real secret.
 */
import type { Metadata } from '@grpc/grpc-js';
import { B64TOKEN } from '../../wire/bearer.js';

/** Why a call carries no usable bearer token; sent as ErrorInfo metadata `cause`. */
export const AuthFailureCause = {
  MISSING_CREDENTIALS: 'MISSING_CREDENTIALS',
  MALFORMED_AUTHORIZATION: 'MALFORMED_AUTHORIZATION',
  INVALID_TOKEN: 'INVALID_TOKEN',
  EXPIRED_TOKEN: 'EXPIRED_TOKEN',
} as const;
export type AuthFailureCause = (typeof AuthFailureCause)[keyof typeof AuthFailureCause];

/** The token, or why there is none. */
export type BearerResult =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly cause: AuthFailureCause; readonly message: string };

const HOW = "send the header 'authorization: Bearer <token>'";

/** Extracts the token of `Bearer <token>` (scheme case-insensitive, as RFC 7235 says). */
export function bearerTokenOf(metadata: Metadata): BearerResult {
  const values = metadata.get('authorization');
  if (values.length === 0) {
    return { ok: false, cause: AuthFailureCause.MISSING_CREDENTIALS, message: `authentication required: ${HOW}` };
  }
  if (values.length > 1) {
    return { ok: false, cause: AuthFailureCause.MALFORMED_AUTHORIZATION, message: `more than one authorization header: ${HOW} once` };
  }
  const value = values[0];
  const match = typeof value === 'string' ? /^Bearer +(\S+) *$/i.exec(value) : null;
  if (!match || !B64TOKEN.test(match[1]!)) {
    return { ok: false, cause: AuthFailureCause.MALFORMED_AUTHORIZATION, message: `malformed authorization header: ${HOW}` };
  }
  return { ok: true, token: match[1]! };
}
