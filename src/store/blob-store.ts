/**
 * Content-addressed file storage: every uploaded input and every result file is kept once under
 * its sha256, so identical static files are sent and stored once. Bytes are written to a temp
 * file, hashed while streaming, verified against the declared digest and size, fsynced and only
 * then renamed into place and recorded, so a crash never leaves a half-written blob visible.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { foreignAreas, isStale, processAreaName, replicaOfArea } from '../util/process-area.js';
import type { BlobIndex } from './blob-index.js';
import { BlobCorruptError, copyVerified, readVerified } from './verified-blobs.js';

/** A lowercase hex sha256. */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** Why an ingest was refused. */
export class BlobVerificationError extends Error {
  override readonly name = 'BlobVerificationError';
  constructor(
    message: string,
    readonly kind: 'size' | 'checksum' | 'too-large',
  ) {
    super(message);
  }
}

/** What ingest() returns. */
export interface IngestResult {
  readonly sha256: string;
  readonly sizeBytes: number;
  /** True when the store already had these bytes. */
  readonly alreadyPresent: boolean;
}

/** Expected digest and size of incoming bytes; both optional for server-side ingests. */
export interface IngestExpectation {
  readonly sha256?: string;
  readonly sizeBytes?: number;
  /** Refuse streams longer than this many bytes. */
  readonly maxBytes?: number;
}

/** Content-addressed blobs under `<root>`. */
export interface BlobStore {
  has(sha256: string): Promise<boolean>;
  /** The subset of `digests` the store holds, in the given order. */
  findPresent(digests: readonly string[]): Promise<string[]>;
  /** Streams bytes in, verifying them; the blob is visible only once verified. */
  ingest(source: Readable | AsyncIterable<Uint8Array>, expect?: IngestExpectation, signal?: AbortSignal): Promise<IngestResult>;
  /** Copies a local file in (used for result files). */
  ingestFile(path: string): Promise<IngestResult>;
  /** Absolute path of a stored blob (read-only use). */
  pathOf(sha256: string): string;
  sizeOf(sha256: string): Promise<number | undefined>;
  /** The sizes of those of `digests` the store holds (one index read for all). */
  sizesOf(digests: readonly string[]): Promise<Map<string, number>>;
  /**
   * Reads a blob from `offset` in chunks of at most `chunkBytes`, hashing all of it: throws
   * BlobCorruptError (after dropping the blob, see {@link BlobStore.drop}) when the stored
   * bytes no longer match the digest.
   */
  read(sha256: string, offset: number, chunkBytes: number): AsyncIterable<Buffer>;
  /** Copies a blob to `dest` (a new file), verified like read(). */
  copyTo(sha256: string, dest: string): Promise<void>;
  /**
   * Forgets a blob whose stored bytes are corrupt: its record goes and its file is moved to
   * `<root>/corrupt/` for inspection, so callers upload it again instead of getting bad bytes.
   */
  drop(sha256: string): Promise<void>;
}

/** Options of createBlobStore. */
export interface BlobStoreOptions {
  /**
   * This process's own part of `tmp/` (processAreaName of the replica name): replicas sharing the
   * blob directory each write their ingests there. Default: one from the host name.
   */
  readonly area?: string;
  /** The clock in epoch ms (default Date.now), for the age of other replicas' leftovers. */
  readonly now?: () => number;
}

/**
 * Drops the ingests a crash interrupted (never visible, so safe to drop), without touching those
 * other replicas sharing the directory have in flight: files of the single-process layout directly
 * in `tmp/` and everything of earlier processes of this replica go; of other replicas' parts only
 * files untouched for an hour (an upload in progress writes to its file all the time).
 */
function dropInterruptedIngests(tmpRoot: string, area: string, nowMs: number): void {
  mkdirSync(tmpRoot, { recursive: true });
  for (const entry of readdirSync(tmpRoot, { withFileTypes: true })) {
    if (replicaOfArea(entry.name) === undefined) rmSync(join(tmpRoot, entry.name), { recursive: true, force: true });
  }
  for (const other of foreignAreas(tmpRoot, area)) {
    for (const name of readdirSync(other.path)) {
      const file = join(other.path, name);
      if (other.ownerGone || isStale(file, nowMs)) rmSync(file, { recursive: true, force: true });
    }
    if (other.ownerGone || isStale(other.path, nowMs)) {
      try {
        rmdirSync(other.path); // only when empty
      } catch {
        // a replica wrote there meanwhile: it is alive
      }
    }
  }
}

/** Creates the blob store rooted at `root` (created if missing), recording blobs in `index`. */
export function createBlobStore(index: BlobIndex, root: string, options: BlobStoreOptions = {}): BlobStore {
  const area = options.area ?? processAreaName(hostname());
  dropInterruptedIngests(join(root, 'tmp'), area, (options.now ?? Date.now)());
  const tmpDir = join(root, 'tmp', area);
  mkdirSync(tmpDir, { recursive: true });
  const sizeOf = async (sha256: string): Promise<number | undefined> => (await index.sizes([sha256])).get(sha256);
  const pathOf = (sha256: string): string => join(root, sha256.slice(0, 2), sha256);

  async function drop(sha256: string): Promise<void> {
    await index.remove(sha256);
    const corrupt = join(root, 'corrupt');
    mkdirSync(corrupt, { recursive: true });
    await rename(pathOf(sha256), join(corrupt, `${sha256}-${randomUUID()}`)).catch(() => undefined);
  }

  /** Runs `use`; a BlobCorruptError first drops the blob, then propagates. */
  async function dropIfCorrupt<T>(use: () => Promise<T>): Promise<T> {
    try {
      return await use();
    } catch (err) {
      if (err instanceof BlobCorruptError) await drop(err.sha256);
      throw err;
    }
  }

  async function* read(sha256: string, offset: number, chunkBytes: number): AsyncGenerator<Buffer> {
    const size = await sizeOf(sha256);
    if (size === undefined) throw new BlobCorruptError(sha256, `stored file ${sha256} is gone`);
    const chunks = readVerified(pathOf(sha256), sha256, size, offset, chunkBytes);
    for (;;) {
      const next = await dropIfCorrupt(() => chunks.next());
      if (next.done) return;
      yield next.value;
    }
  }

  async function ingest(
    source: Readable | AsyncIterable<Uint8Array>,
    expect: IngestExpectation = {},
    signal?: AbortSignal,
  ): Promise<IngestResult> {
    // Recreated if another replica's start-up removed it while empty and stale.
    mkdirSync(tmpDir, { recursive: true });
    const tmp = join(tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (expect.maxBytes !== undefined && size > expect.maxBytes) {
          done(new BlobVerificationError(`file exceeds the limit of ${expect.maxBytes} bytes`, 'too-large'));
          return;
        }
        if (expect.sizeBytes !== undefined && size > expect.sizeBytes) {
          done(new BlobVerificationError(`received more than the declared ${expect.sizeBytes} bytes`, 'size'));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // The file exists before the first byte and the stream opens it without creating it: a stream
    // refused at once may have its write stream open the file only after the clean-up below ran,
    // which must then fail instead of leaving a new file behind.
    await (await open(tmp, 'wx')).close();
    try {
      await pipeline(source, meter, createWriteStream(tmp, { flags: 'r+' }), { signal });
      const sha256 = hash.digest('hex');
      if (expect.sizeBytes !== undefined && size !== expect.sizeBytes) {
        throw new BlobVerificationError(`received ${size} bytes, declared ${expect.sizeBytes}`, 'size');
      }
      if (expect.sha256 !== undefined && sha256 !== expect.sha256) {
        throw new BlobVerificationError(`content sha256 ${sha256} does not match the declared ${expect.sha256}`, 'checksum');
      }
      if ((await sizeOf(sha256)) !== undefined) {
        await rm(tmp, { force: true });
        return { sha256, sizeBytes: size, alreadyPresent: true };
      }
      const fh = await open(tmp, 'r');
      await fh.sync();
      await fh.close();
      const target = pathOf(sha256);
      mkdirSync(join(root, sha256.slice(0, 2)), { recursive: true });
      await rename(tmp, target);
      await index.add(sha256, size, new Date());
      return { sha256, sizeBytes: size, alreadyPresent: false };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  return {
    has: async (sha256) => (await sizeOf(sha256)) !== undefined,
    async findPresent(digests) {
      const found = await index.sizes(digests.filter((d) => SHA256_PATTERN.test(d)));
      return digests.filter((d) => found.has(d));
    },
    ingest,
    async ingestFile(path) {
      await stat(path);
      return ingest(createReadStream(path));
    },
    pathOf,
    sizeOf,
    sizesOf: (digests) => index.sizes(digests),
    read,
    copyTo: (sha256, dest) =>
      dropIfCorrupt(async () => {
        const size = await sizeOf(sha256);
        if (size === undefined) throw new BlobCorruptError(sha256, `stored file ${sha256} is gone`);
        await copyVerified(pathOf(sha256), sha256, size, dest);
      }),
    drop,
  };
}
