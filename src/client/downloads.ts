/**
 * DownloadFile into a storage volume, verified: the bytes go to a temporary file while being
 * hashed, the size and sha256 are checked against what the server announced in the first
 * message, and only then is the file stored in the volume, so a volume never holds a partial or
 * corrupt result. A stream that drops (UNAVAILABLE) resumes from the byte offset reached.
 */
import { Metadata } from '@grpc/grpc-js';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DownloadFileResponse, RemoteWorkflowServiceClient } from '../gen/flowserv/remote/v1/service.js';
import { abortableSleep, backoffMs, cancelled, grpcOptions, type RetryPolicy } from './call.js';
import { DownloadCorruptError, isTransient, toRemoteError } from './errors.js';
import { outputFileFromProto, type OutputFileInfo } from './mapping/state.js';
import { FSFile } from './volume/io-handle.js';
import type { StorageVolume } from './volume/storage-volume.js';

/** Where and how to download. */
export interface DownloadRequest {
  readonly workflowId: string;
  /** Output key (relative path) on the server. */
  readonly key: string;
  readonly target: StorageVolume;
  /** Key in the target volume (default: the same key). */
  readonly dst?: string;
  readonly policy: RetryPolicy;
  readonly deadline: number | undefined;
  readonly signal?: AbortSignal;
}

/** Downloads, verifies and stores one output file; resolves with what the server announced. */
export async function downloadToVolume(raw: RemoteWorkflowServiceClient, req: DownloadRequest): Promise<OutputFileInfo> {
  const tmp = path.join(tmpdir(), `flowserv-remote-download-${randomUUID()}`);
  const out = createWriteStream(tmp);
  const hash = createHash('sha256');
  let offset = 0;
  let announced: OutputFileInfo | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const msg of stream(raw, req, offset)) {
          if (msg.file && !announced) announced = outputFileFromProto(msg.file);
          if (msg.offset !== offset) throw new DownloadCorruptError(`'${req.key}': chunk at offset ${msg.offset}, expected ${offset}`);
          if (msg.chunk.length === 0) continue;
          hash.update(msg.chunk);
          offset += msg.chunk.length;
          if (!out.write(msg.chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        }
        break;
      } catch (err) {
        const retry = isTransient(err, true) && attempt < req.policy.maxAttempts && !req.signal?.aborted;
        if (!retry) throw err;
        await abortableSleep(backoffMs(attempt, req.policy), req.signal);
      }
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (!announced) throw new DownloadCorruptError(`'${req.key}': the server did not describe the file`);
    const sha256 = hash.digest('hex');
    if (offset !== announced.sizeBytes || sha256 !== announced.sha256) {
      throw new DownloadCorruptError(
        `'${req.key}': got ${offset} bytes with sha256 ${sha256}, expected ${announced.sizeBytes} bytes with sha256 ${announced.sha256}`,
        { key: req.key },
      );
    }
    await req.target.store(new FSFile(tmp), req.dst ?? req.key);
    return announced;
  } finally {
    out.destroy();
    await rm(tmp, { force: true });
  }
}

async function* stream(raw: RemoteWorkflowServiceClient, req: DownloadRequest, offset: number): AsyncGenerator<DownloadFileResponse> {
  if (req.signal?.aborted) throw cancelled(req.signal);
  const call = raw.downloadFile({ workflowId: req.workflowId, path: req.key, offset }, new Metadata(), grpcOptions(req.deadline));
  const onAbort = (): void => call.cancel();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const msg of call as AsyncIterable<DownloadFileResponse>) yield msg;
  } catch (err) {
    throw toRemoteError(err, req.signal?.aborted === true);
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    call.cancel();
  }
}
