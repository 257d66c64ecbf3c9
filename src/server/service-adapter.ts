/**
 * Turns promise- and generator-style handlers into grpc-js handlers, so that handler code never
 * touches grpc-js streams: unary and client-stream handlers return a promise; server-stream and
 * bidi handlers are async generators whose `finally` always runs. The adapter owns the grpc-js
 * traps: it attaches `error` handlers to every stream, tells a real cancel from the `cancelled`
 * event that ends every call, waits for `drain` (backpressure), and sends every failure
 * through the one status function.
 */
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type {
  handleBidiStreamingCall,
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  sendUnaryData,
  ServerDuplexStream,
  ServerWritableStream,
  ServiceDefinition,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { createCallScope, type ActiveTrace, type CallContext, type CallScope } from './call-context.js';
import { malformedError } from './malformed-request.js';
import type { PreEncoded } from './pre-encoded.js';
import { cancelledStatus, toGrpcStatus, unimplemented } from './status.js';

/** Resolves with the response message, or PreEncoded bytes of one (an answer shared by many calls). */
export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res | PreEncoded>;
/** Yields response messages, or PreEncoded bytes of one (the same message sent to many callers). */
export type ServerStreamHandler<Req, Res> = (request: Req, ctx: CallContext) => AsyncIterable<Res | PreEncoded>;
export type ClientStreamHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: CallContext) => Promise<Res>;
export type BidiStreamHandler<Req, Res> = (requests: AsyncIterable<Req>, ctx: CallContext) => AsyncIterable<Res>;

/** The handler type matching one method of a grpc-js service definition (ts-proto `as const` shapes). */
export type HandlerFor<M> = M extends {
  readonly requestStream: infer RS;
  readonly responseStream: infer SS;
  readonly requestDeserialize: (bytes: Buffer) => infer Req;
  readonly responseSerialize: (value: infer Res) => Buffer;
}
  ? [RS, SS] extends [false, false] ? UnaryHandler<Req, Res>
    : [RS, SS] extends [false, true] ? ServerStreamHandler<Req, Res>
      : [RS, SS] extends [true, false] ? ClientStreamHandler<Req, Res>
        : BidiStreamHandler<Req, Res>
  : never;

/** Handlers for every method of definition D, keyed like D (ts-proto: `createWorkflow`, …). */
export type ServiceImplementation<D> = { [K in keyof D]: HandlerFor<D[K]> };

/**
 * A service to serve: its grpc-js definition and its handlers, keyed like the definition (or by
 * proto-loader's `originalName`). Missing handlers answer UNIMPLEMENTED.
 */
export interface ServiceRegistration {
  readonly definition: ServiceDefinition;
  readonly implementation: Readonly<Record<string, unknown>>;
}

/** Type-checks `implementation` against `definition` and packs both for `createGrpcServer`. */
export function defineService<D extends ServiceDefinition>(definition: D, implementation: Partial<ServiceImplementation<D>>): ServiceRegistration {
  return { definition, implementation: implementation as Record<string, unknown> };
}

/** The server-wide things every call context is built from. */
export interface AdapterDeps {
  readonly logger: Logger;
  readonly shutdownSignal: AbortSignal;
  /** Set when OpenTelemetry tracing is on: the handler's active span becomes the call's trace context. */
  readonly activeTrace?: ActiveTrace;
}

type AnyFn = (input: unknown, ctx: CallContext) => unknown;

/** Resolves when the stream can take more data, or when the call is over. */
async function drained(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  try {
    await once(call, 'drain', { signal });
  } catch {
    // Aborted: the caller is gone; the write loop notices `signal.aborted`.
  }
}


/**
 * The request messages of a client or bidi stream. Plain `for await` over the stream would
 * destroy it when the loop ends, which kills the response side of a bidi call before its status
 * is sent; this iterator leaves the stream alive.
 */
function requestsOf(call: Readable): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]: () => {
      const messages = call.iterator({ destroyOnReturn: false });
      return {
        async next() {
          const next = await messages.next();
          const malformed = next.done ? undefined : malformedError(next.value);
          if (malformed) throw malformed;
          return next;
        },
        return: async () => messages.return!(),
      };
    },
  };
}

/** Runs `fn` on the request, or throws the MalformedRequestError of an undecodable one. */
function onRequest(fn: AnyFn, request: unknown, ctx: CallContext): unknown {
  const malformed = malformedError(request);
  if (malformed) throw malformed;
  return fn(request, ctx);
}

/** The status for a failed call: a quiet CANCELLED when the caller left first, else the mapping. */
function failure(err: unknown, scope: CallScope) {
  const { ctx } = scope;
  if (scope.cancelledByCaller()) {
    ctx.logger.debug({ err }, 'handler ended after the call was cancelled');
    return cancelledStatus();
  }
  return toGrpcStatus(err, ctx.logger);
}

/** Runs a single-response handler and answers with its result or the mapped status. */
async function respondOnce(fn: AnyFn, input: unknown, decoded: boolean, callback: sendUnaryData<unknown>, scope: CallScope): Promise<void> {
  // One async frame instead of closures per call; the callback runs outside the try, so an
  // exception thrown by grpc-js while sending is not mistaken for the handler's failure.
  let response: unknown;
  try {
    response = await (decoded ? onRequest(fn, input, scope.ctx) : fn(input, scope.ctx));
  } catch (err) {
    scope.finish();
    callback(failure(err, scope));
    return;
  }
  scope.finish();
  callback(null, response);
}

/** Converts a handler of any kind into the grpc-js handler for `method`. */
function adaptMethod(rpc: string, requestStream: boolean, responseStream: boolean, fn: AnyFn, deps: AdapterDeps) {
  // One handler for the method's calls rather than a closure per call (an open stream holds it).
  const ignoreStreamError = (err: Error) => deps.logger.debug({ err, rpc }, 'stream error');

  if (!requestStream && !responseStream) {
    const unary: handleUnaryCall<unknown, unknown> = (call, callback) => {
      const scope = createCallScope(call, rpc, deps.logger, deps.shutdownSignal, call.request, deps.activeTrace);
      void respondOnce(fn, call.request, true, callback, scope);
    };
    return unary;
  }

  if (!requestStream && responseStream) {
    const serverStream: handleServerStreamingCall<unknown, unknown> = (call) => {
      const scope = createCallScope(call, rpc, deps.logger, deps.shutdownSignal, call.request, deps.activeTrace);
      call.on('error', ignoreStreamError);
      void respondWithStream(call, fn, call.request, true, scope);
    };
    return serverStream;
  }

  if (requestStream && !responseStream) {
    const clientStream: handleClientStreamingCall<unknown, unknown> = (call, callback) => {
      const scope = createCallScope(call, rpc, deps.logger, deps.shutdownSignal, undefined, deps.activeTrace);
      call.on('error', ignoreStreamError);
      void respondOnce(fn, requestsOf(call), false, callback, scope);
    };
    return clientStream;
  }

  const bidi: handleBidiStreamingCall<unknown, unknown> = (call) => {
    const scope = createCallScope(call, rpc, deps.logger, deps.shutdownSignal, undefined, deps.activeTrace);
    call.on('error', ignoreStreamError);
    void respondWithStream(call, fn, requestsOf(call), false, scope);
  };
  return bidi;
}

/**
 * Runs a streaming handler to completion, writing every message it yields (honouring
 * backpressure, stopping early when the caller is gone), and ends the call with OK or the mapped
 * status. `input` is the request, checked first when `decoded` (server streams), or the requests.
 */
async function respondWithStream(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  fn: AnyFn,
  input: unknown,
  decoded: boolean,
  scope: CallScope,
): Promise<void> {
  const writable = call as ServerWritableStream<unknown, unknown>;
  try {
    const messages = (decoded ? onRequest(fn, input, scope.ctx) : fn(input, scope.ctx)) as AsyncIterable<unknown>;
    for await (const message of messages) {
      if (scope.cancelledByCaller()) break;
      if (!writable.write(message)) await drained(writable, scope.ctx.signal);
    }
    scope.finish();
    if (!scope.cancelledByCaller()) writable.end();
  } catch (err) {
    scope.finish();
    if (!scope.cancelledByCaller()) writable.emit('error', failure(err, scope));
  }
}

/**
 * Builds the grpc-js implementation object for a registration. Every method of the definition
 * gets a handler; methods without one answer UNIMPLEMENTED with ErrorInfo.
 */
export function adaptService(registration: ServiceRegistration, deps: AdapterDeps): UntypedServiceImplementation {
  const adapted: UntypedServiceImplementation = {};
  for (const [key, method] of Object.entries(registration.definition)) {
    const rpc = method.path.replace(/^\//, '');
    // proto-loader definitions key methods by proto name (`Check`) and carry `originalName` (`check`).
    const given = registration.implementation[key] ?? (method.originalName && registration.implementation[method.originalName]);
    const fn: AnyFn =
      typeof given === 'function'
        ? (given as AnyFn)
        : method.responseStream
          ? // A generator that throws before its first yield: the stream ends with UNIMPLEMENTED.
            async function* () {
              throw unimplemented(rpc);
            }
          : async () => {
              throw unimplemented(rpc);
            };
    adapted[key] = adaptMethod(rpc, method.requestStream, method.responseStream, fn, deps);
  }
  return adapted;
}
