/**
 * Content-addressed uploads: hash a file (sha256, size), then stream it to UploadFile as a
 * header message followed by chunks. The caller asks FindFiles first and skips digests the
 * server already has; an upload of a known digest is harmless (`alreadyPresent`).
 */
import { Metadata } from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import type { RemoteWorkflowServiceClient } from '../gen/flowserv/remote/v1/service.js';
import { cancelled, grpcOptions } from './call.js';
import { toRemoteError } from './errors.js';
import type { IOHandle } from './volume/io-handle.js';

/** A file's content digest. */
export interface Digest {
  /** Lowercase hex SHA-256. */
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** What the server answered to an upload. */
export interface UploadResult extends Digest {
  /** True when the server had the content already. */
  readonly alreadyPresent: boolean;
}

/** SHA-256 and size of a handle's content (one streaming pass). */
export async function digestOf(file: IOHandle): Promise<Digest> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of file.open()) {
    const buf = chunk as Buffer;
    hash.update(buf);
    sizeBytes += buf.length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

/**
 * One UploadFile call. Stops writing as soon as the server answers (it may refuse right after
 * the header, e.g. RESOURCE_EXHAUSTED), and cancels the call when `signal` fires.
 */
export function uploadOnce(
  raw: RemoteWorkflowServiceClient,
  file: IOHandle,
  digest: Digest,
  chunkBytes: number,
  deadline: number | undefined,
  signal?: AbortSignal,
  name?: string,
): Promise<UploadResult> {
  return new Promise<UploadResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled(signal));
      return;
    }
    let settled = false;
    let wakeWriter: () => void = () => {};
    const onAbort = (): void => call.cancel();
    const call = raw.uploadFile(new Metadata(), grpcOptions(deadline), (err, res) => {
      settled = true;
      wakeWriter();
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(toRemoteError(err, signal?.aborted === true));
      else resolve({ sha256: res.sha256, sizeBytes: res.sizeBytes, alreadyPresent: res.alreadyPresent });
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    call.on('error', () => {}); // the callback reports the status; this only keeps 'error' from being unhandled
    const waitDrain = (): Promise<void> =>
      new Promise((r) => {
        wakeWriter = r;
        call.once('drain', r);
      });
    const write = async (): Promise<void> => {
      call.write({ content: { $case: 'header', value: { sha256: digest.sha256, sizeBytes: digest.sizeBytes, ...(name && { name }) } } });
      for await (const chunk of file.open()) {
        const buf = chunk as Buffer;
        for (let at = 0; at < buf.length; at += chunkBytes) {
          if (settled) return;
          if (!call.write({ content: { $case: 'chunk', value: buf.subarray(at, at + chunkBytes) } })) await waitDrain();
        }
      }
      if (!settled) call.end();
    };
    write().catch((err: unknown) => {
      call.cancel();
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
  });
}
