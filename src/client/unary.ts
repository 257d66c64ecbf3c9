/**
 * One typed unary call for every unary method of RemoteWorkflowService, derived from the
 * generated service definition the way the server's HandlerFor<M> is: the request and response
 * types follow from the method name, so a client method is "map the request → unary → map the
 * response" with no per-method shim.
 */
import type { Client } from '@grpc/grpc-js';
import { RemoteWorkflowServiceService } from '../gen/flowserv/remote/v1/service.js';
import { unaryOnce } from './call.js';

type Definition = typeof RemoteWorkflowServiceService;

/** The methods with one request and one response (CreateWorkflow, GetWorkflowState, …). */
export type UnaryMethodName = {
  [K in keyof Definition]: Definition[K] extends { readonly requestStream: false; readonly responseStream: false } ? K : never;
}[keyof Definition];

/** The request message of unary method K. */
export type RequestOf<K extends UnaryMethodName> = Parameters<Definition[K]['requestSerialize']>[0];
/** The response message of unary method K. */
export type ResponseOf<K extends UnaryMethodName> = ReturnType<Definition[K]['responseDeserialize']>;

/**
 * One attempt of unary `method` on `client`'s channel (so its interceptors, such as the bearer
 * token, apply); the error is already typed (src/client/errors.ts).
 */
export function unaryCall<K extends UnaryMethodName>(
  client: Client,
  method: K,
  request: RequestOf<K>,
  deadline: number | undefined,
  signal?: AbortSignal,
): Promise<ResponseOf<K>> {
  // The definition is indexed by a generic key, so TypeScript sees a union of every method's
  // functions; RequestOf/ResponseOf tie them to K, which the casts state.
  const def = RemoteWorkflowServiceService[method];
  const serialize = def.requestSerialize as (value: RequestOf<K>) => Buffer;
  const deserialize = def.responseDeserialize as (bytes: Buffer) => ResponseOf<K>;
  return unaryOnce<ResponseOf<K>>(
    // grpc-js passes no response exactly when it passes an error, which unaryOnce checks first.
    (md, options, callback) => client.makeUnaryRequest(def.path, serialize, deserialize, request, md, options, (err, res) => callback(err, res!)),
    deadline,
    signal,
  );
}
