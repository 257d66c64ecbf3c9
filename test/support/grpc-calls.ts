/**
 * Small promise wrappers over grpc-js clients for tests that speak the raw protocol (the
 * TypeScript RemoteClient has its own tests): unary calls (typed on the generated client, by name
 * on health and reflection clients), expected failures, uploads, collecting a server stream, and
 * reading google.rpc details off an error.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import type { RemoteWorkflowServiceClient, RemoteWorkflowServiceService, UploadFileResponse, WatchStateResponse } from '../../src/gen/flowserv/remote/v1/service.js';
import type { WorkflowState, WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
import { decodeStatusDetails, type StatusDetails } from '../../src/wire/status-details.js';

type Definition = typeof RemoteWorkflowServiceService;
/** Names of the unary methods. */
export type UnaryMethod = {
  [K in keyof Definition]: Definition[K]['requestStream'] extends false ? (Definition[K]['responseStream'] extends false ? K : never) : never;
}[keyof Definition];
type RequestOf<K extends keyof Definition> = Parameters<Definition[K]['requestSerialize']>[0];
type ResponseOf<K extends keyof Definition> = ReturnType<Definition[K]['responseDeserialize']>;
type Callback<Res> = (err: ServiceError | null, res: Res) => void;

/** Calls a unary method by name and resolves with its response. */
export function call<K extends UnaryMethod>(client: RemoteWorkflowServiceClient, method: K, req: RequestOf<K>): Promise<ResponseOf<K>> {
  const fn = client[method] as unknown as (req: RequestOf<K>, cb: Callback<ResponseOf<K>>) => unknown;
  return new Promise((resolve, reject) => {
    fn.call(client, req, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** Settles with the error a promise rejects with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}

/** Calls a unary method expecting failure; resolves with the error and its decoded details. */
export async function callError<K extends UnaryMethod>(
  client: RemoteWorkflowServiceClient,
  method: K,
  req: RequestOf<K>,
): Promise<{ err: ServiceError; details: StatusDetails | undefined }> {
  const err = await rejection(call(client, method, req));
  return { err, details: decodeStatusDetails(err.metadata) };
}

/** A unary call on a client whose methods are looked up by name (health, reflection). */
export function unary<Res>(client: Record<string, (...args: unknown[]) => unknown>, method: string, request: object): Promise<Res> {
  return new Promise((resolve, reject) => {
    client[method]!(request, (err: ServiceError | null, response: Res) => (err ? reject(err) : resolve(response)));
  });
}

/** sha256 hex of bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Uploads bytes with UploadFile in chunks of `chunkBytes`. */
export function upload(client: RemoteWorkflowServiceClient, bytes: Buffer, chunkBytes = 16 * 1024): Promise<UploadFileResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.uploadFile((err, res) => (err ? reject(err) : resolve(res!)));
    stream.write({ content: { $case: 'header', value: { sha256: sha256(bytes), sizeBytes: bytes.length } } });
    for (let at = 0; at < bytes.length; at += chunkBytes) stream.write({ content: { $case: 'chunk', value: bytes.subarray(at, at + chunkBytes) } });
    stream.end();
  });
}

/** Uploads every file below `dir`; returns StaticFile entries (relative path + sha256). */
export async function uploadDirectory(client: RemoteWorkflowServiceClient, dir: string): Promise<Array<{ path: string; sha256: string }>> {
  const files: Array<{ path: string; sha256: string }> = [];
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((name) => (statSync(join(d, name)).isDirectory() ? walk(join(d, name)) : [join(d, name)]));
  for (const file of walk(dir)) {
    const bytes = readFileSync(file);
    await upload(client, bytes);
    files.push({ path: relative(dir, file).split('\\').join('/'), sha256: sha256(bytes) });
  }
  return files;
}

/** Reads a server stream to its end; rejects with the stream's error. */
export function collect<T>(stream: ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const items: T[] = [];
    stream.on('data', (item: T) => items.push(item));
    stream.on('error', reject);
    stream.on('end', () => resolve(items));
  });
}

/**
 * Resolves with the first state of `type` on a WatchState from the start of the log, then ends
 * the watch (its CANCELLED is expected; any other error rejects).
 */
export function waitForStateType(client: RemoteWorkflowServiceClient, workflowId: string, type: WorkflowStateType): Promise<WorkflowState> {
  return new Promise((resolve, reject) => {
    const stream = client.watchState({ workflowId, afterSequence: 0 });
    stream.on('data', (r: WatchStateResponse) => {
      if (r.event?.$case === 'state' && r.event.value.type === type) {
        resolve(r.event.value);
        stream.cancel();
      }
    });
    stream.on('error', (err: { code?: number }) => {
      if (err.code !== 1) reject(err);
    });
  });
}
