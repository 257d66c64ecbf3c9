/**
 * Response messages encoded once and sent as they are: a server-streaming handler that sends the
 * same message to many callers (a log chunk to every follower of a job) encodes it once and
 * yields a PreEncoded; the method's serializer passes its bytes through. grpc-js still frames
 * each copy it sends, which is the one per-caller copy left.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';

/** The protobuf bytes of one response message of the method it is yielded from. */
export class PreEncoded {
  constructor(readonly bytes: Buffer) {}
}

/** A copy of `definition` whose response serializers send a PreEncoded's bytes unchanged. */
export function acceptPreEncoded(definition: ServiceDefinition): ServiceDefinition {
  const accepting: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(definition)) {
    const encode = method.responseSerialize;
    accepting[key] = { ...method, responseSerialize: (value: unknown): Buffer => (value instanceof PreEncoded ? value.bytes : encode(value)) };
  }
  return accepting as ServiceDefinition;
}
