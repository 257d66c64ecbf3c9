/**
 * Reading stored blobs back with their digest checked. A blob is written once and verified on
 * the way in, but the file can change afterwards (a job that reaches the data directory, a disk
 * fault); serving it unchecked would hand out bytes under a digest they no longer have. Reads and
 * copies hash everything they touch and fail with BlobCorruptError when the bytes disagree with
 * the digest (or the recorded size), so that callers answer DATA_LOSS instead.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The stored bytes of a blob no longer match its digest or size. */
export class BlobCorruptError extends Error {
  override readonly name = 'BlobCorruptError';
  constructor(
    readonly sha256: string,
    message: string,
  ) {
    super(message);
  }
}

async function checkSize(path: string, sha256: string, sizeBytes: number): Promise<void> {
  const actual = (await stat(path)).size;
  if (actual !== sizeBytes) throw new BlobCorruptError(sha256, `stored file ${sha256} has ${actual} bytes, recorded ${sizeBytes}`);
}

function checkDigest(hash: ReturnType<typeof createHash>, sha256: string): void {
  const actual = hash.digest('hex');
  if (actual !== sha256) throw new BlobCorruptError(sha256, `stored file ${sha256} now hashes to ${actual}`);
}

/**
 * The bytes of the blob at `path` from `offset`, in chunks of at most `chunkBytes`. The whole
 * blob is hashed (the part before `offset` is read but not yielded); the generator throws
 * BlobCorruptError before its first chunk on a size mismatch and after its last on a digest
 * mismatch.
 */
export async function* readVerified(path: string, sha256: string, sizeBytes: number, offset: number, chunkBytes: number): AsyncGenerator<Buffer> {
  await checkSize(path, sha256, sizeBytes);
  const hash = createHash('sha256');
  let position = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    const end = position + chunk.length;
    if (end > offset) yield position >= offset ? chunk : chunk.subarray(offset - position);
    position = end;
  }
  if (position !== sizeBytes) throw new BlobCorruptError(sha256, `stored file ${sha256} changed size while being read`);
  checkDigest(hash, sha256);
}

/** Copies the blob at `path` to `dest`, hashing on the way; throws BlobCorruptError on a mismatch. */
export async function copyVerified(path: string, sha256: string, sizeBytes: number, dest: string): Promise<void> {
  await checkSize(path, sha256, sizeBytes);
  const hash = createHash('sha256');
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(path), meter, createWriteStream(dest, { flags: 'wx' }));
  checkDigest(hash, sha256);
}
