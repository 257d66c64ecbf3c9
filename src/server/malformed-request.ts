/**
 * Undecodable request messages become a status the caller can act on. grpc-js answers a
 * deserializer that throws with INTERNAL and no details, before any interceptor or handler sees
 * the call (so it was logged as CANCELLED). Wrapping each method's deserializer turns the
 * failure into a marker value; the service adapter answers it with INVALID_ARGUMENT, ErrorInfo
 * reason MALFORMED_REQUEST, through the normal status path and access log.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { MalformedRequestError } from '../errors.js';
import { shorten } from './bounded-details.js';

/** Stands in for a request message that could not be decoded. */
export class MalformedRequest {
  constructor(readonly error: MalformedRequestError) {}
}

/** The error for a request: MalformedRequestError when it is the marker, else undefined. */
export function malformedError(request: unknown): MalformedRequestError | undefined {
  return request instanceof MalformedRequest ? request.error : undefined;
}

/** A copy of `definition` whose request deserializers return a MalformedRequest instead of throwing. */
export function tolerantDefinition(definition: ServiceDefinition): ServiceDefinition {
  const tolerant: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(definition)) {
    const decode = method.requestDeserialize;
    tolerant[key] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return decode(bytes);
        } catch (err) {
          return new MalformedRequest(new MalformedRequestError(shorten(err instanceof Error ? err.message : String(err), 120)));
        }
      },
    };
  }
  return tolerant as ServiceDefinition;
}
