/**
 * Sends a bearer token with every call of a channel, as the server expects it
 * (`authorization: Bearer <token>`). A client interceptor rather than grpc-js call credentials,
 * because grpc-js refuses call credentials on plaintext channels, and a client behind a
 * TLS-terminating service mesh still needs to send its token.
 */
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';

/** A grpc-js client interceptor that sets `authorization: Bearer <token>` on every call. */
export function bearerTokenInterceptor(token: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}
