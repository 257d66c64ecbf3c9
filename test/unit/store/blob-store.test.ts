import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { BlobVerificationError, createBlobStore, type BlobStore } from '../../../src/store/blob-store.js';
import { createSqliteBlobIndex } from '../../../src/store/blob-index.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('blob store', () => {
  let blobs: BlobStore;
  let root: string;
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'blobs-'));
    root = join(dir, 'blobs');
    blobs = createBlobStore(createSqliteBlobIndex(openDatabase(join(dir, 'db.sqlite'))), root);
  });

  it('stores verified bytes once under their sha256', async () => {
    const first = await blobs.ingest(Readable.from([Buffer.from('hello '), Buffer.from('world')]), { sha256: sha('hello world'), sizeBytes: 11 });
    expect(first).toEqual({ sha256: sha('hello world'), sizeBytes: 11, alreadyPresent: false });
    const second = await blobs.ingest(Readable.from([Buffer.from('hello world')]));
    expect(second.alreadyPresent).toBe(true);
    expect(readFileSync(blobs.pathOf(first.sha256), 'utf8')).toBe('hello world');
    expect(await blobs.findPresent([sha('nope'), first.sha256, 'not-a-digest'])).toEqual([first.sha256]);
    expect(await text(blobs.read(first.sha256, 6, 2))).toBe('world');
  });

  it('rejects a checksum mismatch, a size mismatch and an oversized stream, leaving nothing behind', async () => {
    await expect(blobs.ingest(Readable.from([Buffer.from('abc')]), { sha256: sha('abd') })).rejects.toMatchObject({ kind: 'checksum' });
    await expect(blobs.ingest(Readable.from([Buffer.from('abc')]), { sizeBytes: 4 })).rejects.toMatchObject({ kind: 'size' });
    await expect(blobs.ingest(Readable.from([Buffer.from('abcdef')]), { maxBytes: 4 })).rejects.toBeInstanceOf(BlobVerificationError);
    expect(await blobs.has(sha('abc'))).toBe(false);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });
});
