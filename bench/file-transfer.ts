/**
 * File transfer: UploadFile of 16 MiB against writing and hashing the same bytes locally, and
 * DownloadFile of a 16 MiB result against reading the stored file from disk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { compare, interleave, timeMs, timed, type Benchmark } from './harness.js';
import { createWorkflow, downloadBytes, shellWorkflow, uploadBytes, watchToEnd } from './rpc.js';
import { withServer, type BenchServer } from './server.js';

const MiB = 1024 * 1024;
/** The service's chunk size (uploads are chunked by the client, downloads by the server). */
const CHUNK_BYTES = 64 * 1024;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Writes, hashes and fsyncs `bytes`: what any durable content-addressed ingest has to do. */
async function writeAndHash(path: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return digest;
}

/** Reads a file in CHUNK_BYTES pieces; resolves with its length. */
async function readInChunks(path: string): Promise<number> {
  let total = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) total += chunk.length;
  return total;
}

async function uploads(server: BenchServer, sizeBytes: number, counts: { warmup: number; iterations: number }) {
  const bytes = randomBytes(sizeBytes);
  let uploaded = 0;
  let written = 0;
  // Each upload carries new content (a counter in the first bytes), so every one is a real
  // ingest, not an `already_present` shortcut. The client knows its digest beforehand.
  const upload = async () => {
    bytes.writeUInt32BE(uploaded++, 0);
    const digest = sha256(bytes);
    return timeMs(async () => {
      const res = await uploadBytes(server.client, bytes, digest, CHUNK_BYTES);
      if (res.alreadyPresent || res.sizeBytes !== sizeBytes) throw new Error('upload was not a fresh ingest');
    });
  };
  const local = async () => {
    const path = join(server.dataDir, `baseline-${written++}.bin`);
    const ms = await timeMs(() => writeAndHash(path, bytes));
    await rm(path);
    return ms;
  };
  return interleave(counts, upload, local);
}

async function downloads(server: BenchServer, sizeBytes: number, counts: { warmup: number; iterations: number }) {
  const workflowId = await createWorkflow(
    server.client,
    shellWorkflow('bench-download', [`head -c ${sizeBytes} /dev/urandom > out.bin`], ['out.bin']),
  );
  const done = await watchToEnd(server.client, workflowId);
  const file = done.files.find((f) => f.key === 'out.bin')!;
  const blobPath = join(server.dataDir, 'blobs', file.sha256.slice(0, 2), file.sha256);
  const expect = (received: number) => {
    if (received !== sizeBytes) throw new Error(`received ${received} of ${sizeBytes} bytes`);
  };
  return interleave(
    counts,
    timed(async () => expect(await downloadBytes(server.client, workflowId, 'out.bin'))),
    timed(async () => expect(await readInChunks(blobPath))),
  );
}

export const fileTransfer: Benchmark = {
  id: 'files',
  title: 'File transfer',
  description:
    '`UploadFile` of 16 MiB of fresh random content in 64 KiB chunks (the client waits for `drain`), which the server ' +
    'hashes while streaming to a temp file, verifies against the declared sha256 and size, fsyncs, renames into the ' +
    'content-addressed store and records in SQLite. Baseline: hashing the same bytes and writing them to a file with ' +
    '`fs` plus `fsync` (the unavoidable work of a durable ingest). `DownloadFile` streams a 16 MiB result file in 64 KiB ' +
    'chunks; baseline: reading the same stored blob with `fs.createReadStream` in 64 KiB chunks (page cache warm for both).',
  async run(ctx) {
    const sizeBytes = (ctx.quick ? 1 : 16) * MiB;
    const counts = ctx.quick ? { warmup: 1, iterations: 3 } : { warmup: 2, iterations: 12 };
    const label = `${sizeBytes / MiB} MiB`;
    return withServer([], async (server) => {
      ctx.log(`upload: ${counts.iterations} × ${label}`);
      const up = compare(
        { name: `UploadFile ${label}`, subject: `UploadFile ${label}`, baseline: 'fs write + sha256 + fsync' },
        await uploads(server, sizeBytes, counts),
      );
      ctx.log(`download: ${counts.iterations} × ${label}`);
      const down = compare(
        { name: `DownloadFile ${label}`, subject: `DownloadFile ${label}`, baseline: 'fs read stream, 64 KiB chunks' },
        await downloads(server, sizeBytes, counts),
      );
      const rate = (ms: number) => `${((sizeBytes / MiB) * 1000 / ms).toFixed(0)} MiB/s`;
      return [
        { ...up, note: `${rate(up.subjectSummary.medianMs)} vs ${rate(up.baselineSummary.medianMs)}` },
        { ...down, note: `${rate(down.subjectSummary.medianMs)} vs ${rate(down.baselineSummary.medianMs)}` },
      ];
    });
  },
};
