/**
 * UploadFile and FindFiles in domain terms: the content-addressed blob store behind the limits
 * and checks the contract promises (a malformed digest or size is INVALID_ARGUMENT, a size above
 * the upload limit RESOURCE_EXHAUSTED, bytes that disagree with the header CHECKSUM_MISMATCH).
 */
import type { Readable } from 'node:stream';
import { ChecksumMismatchError, InvalidArgumentError, ResourceExhaustedError, ViolationReason, type FieldViolation } from '../errors.js';
import { BlobVerificationError, SHA256_PATTERN, type BlobStore, type IngestResult } from '../store/blob-store.js';

/** Most digests one FindFiles call may ask about. */
export const MAX_FIND_FILES = 10_000;

/** The two blob calls of the service. */
export interface BlobRequests {
  uploadFile(
    chunks: Readable | AsyncIterable<Uint8Array>,
    declared: { sha256: string; sizeBytes: number },
    signal?: AbortSignal,
  ): Promise<IngestResult>;
  findFiles(digests: readonly string[]): Promise<string[]>;
}

const digestViolation = (field: string): FieldViolation => ({
  field,
  description: 'sha256 must be 64 lowercase hex characters',
  reason: ViolationReason.INVALID_DIGEST,
});

/** Builds the blob calls over `blobs`; `maxUploadBytes` is the largest blob accepted. */
export function createBlobRequests(blobs: BlobStore, maxUploadBytes: number): BlobRequests {
  const tooLarge = (message: string) => new ResourceExhaustedError(message, { max_upload_bytes: String(maxUploadBytes) });
  return {
    async uploadFile(chunks, declared, signal) {
      const violations: FieldViolation[] = [];
      if (!SHA256_PATTERN.test(declared.sha256)) violations.push(digestViolation('header.sha256'));
      if (!Number.isSafeInteger(declared.sizeBytes) || declared.sizeBytes < 0) {
        violations.push({ field: 'header.size_bytes', description: 'size must be a non-negative integer', reason: ViolationReason.OUT_OF_BOUNDS });
      }
      if (violations.length > 0) throw new InvalidArgumentError('invalid upload header', violations);
      if (declared.sizeBytes > maxUploadBytes) throw tooLarge(`file of ${declared.sizeBytes} bytes exceeds the upload limit of ${maxUploadBytes} bytes`);
      try {
        return await blobs.ingest(chunks, { sha256: declared.sha256, sizeBytes: declared.sizeBytes, maxBytes: maxUploadBytes }, signal);
      } catch (err) {
        if (err instanceof BlobVerificationError) {
          if (err.kind === 'too-large') throw tooLarge(err.message);
          throw new ChecksumMismatchError(err.message, { sha256: declared.sha256 });
        }
        throw err;
      }
    },
    async findFiles(digests) {
      if (digests.length > MAX_FIND_FILES) {
        throw new InvalidArgumentError('too many digests', [
          { field: 'sha256s', description: `at most ${MAX_FIND_FILES} digests per call, got ${digests.length}`, reason: ViolationReason.OUT_OF_BOUNDS },
        ]);
      }
      // At most 20 listed: the status details must stay below the 8 KB metadata limit.
      const malformed = digests.flatMap((d, i) => (SHA256_PATTERN.test(d) ? [] : [digestViolation(`sha256s[${i}]`)])).slice(0, 20);
      if (malformed.length > 0) throw new InvalidArgumentError('malformed digests', malformed);
      return blobs.findPresent(digests);
    },
  };
}
