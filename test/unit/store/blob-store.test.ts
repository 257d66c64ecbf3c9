import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BlobVerificationError, createBlobStore, type BlobStore } from '../../../src/store/blob-store.js';
import { processAreaName } from '../../../src/util/process-area.js';
import { describeIfAvailable } from '../../support/requirements.js';
import { storeBackends, type OpenedStore } from '../../support/store-backends.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

for (const backend of storeBackends()) {
  describeIfAvailable(`blob store (${backend.name} index)`, backend.missing, () => {
    let blobs: BlobStore;
    let root: string;
    let opened: OpenedStore;
    const area = processAreaName('replica-a');
    beforeEach(async () => {
      opened = await backend.open();
      root = join(mkdtempSync(join(tmpdir(), 'blobs-')), 'blobs');
      blobs = createBlobStore(opened.blobIndex, root, { area });
    });
    afterEach(async () => {
      await opened.close();
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
      expect(readdirSync(join(root, 'tmp'))).toEqual([area]);
      expect(readdirSync(join(root, 'tmp', area))).toEqual([]);
    });

    it('records each blob once, answers many digests in one read and forgets a dropped one', async () => {
      const a = await blobs.ingest(Readable.from([Buffer.from('aaa')]));
      const b = await blobs.ingest(Readable.from([Buffer.from('bbbbb')]));
      // Recording again (another replica that ingested the same bytes) changes nothing.
      await opened.blobIndex.add(a.sha256, 3, new Date());
      expect(await blobs.sizesOf([b.sha256, a.sha256, sha('none')])).toEqual(new Map([[b.sha256, 5], [a.sha256, 3]]));
      expect(await blobs.sizeOf(b.sha256)).toBe(5);
      expect(await blobs.findPresent([b.sha256, sha('none'), a.sha256, b.sha256])).toEqual([b.sha256, a.sha256, b.sha256]);
      await blobs.drop(a.sha256);
      expect(await blobs.has(a.sha256)).toBe(false);
      expect(await blobs.sizesOf([])).toEqual(new Map());
      expect(readdirSync(join(root, 'corrupt'))).toHaveLength(1);
    });

    it('drops interrupted ingests at start, but of another replica only those untouched for an hour', () => {
      const tmp = join(root, 'tmp');
      const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
      const put = (relative: string, age?: number): string => {
        const path = join(tmp, relative);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, 'partial');
        if (age !== undefined) utimesSync(path, hoursAgo(age), hoursAgo(age));
        return path;
      };
      const flat = put('0f3a-single-process-layout');
      const predecessor = put(`${processAreaName('replica-a')}/upload-1`);
      const otherFresh = put(`${processAreaName('replica-b')}/upload-2`);
      const otherOld = put(`${processAreaName('replica-c')}/upload-3`, 2);
      const otherOldArea = dirname(otherOld);
      const restart = () => createBlobStore(opened.blobIndex, root, { area: processAreaName('replica-a') });
      restart();
      expect(existsSync(flat)).toBe(false);
      expect(existsSync(dirname(predecessor))).toBe(false); // an earlier process of this replica: all of it
      expect(existsSync(otherFresh)).toBe(true); // another replica's upload in flight
      expect(existsSync(otherOld)).toBe(false);
      expect(existsSync(otherOldArea)).toBe(true); // its folder changed just now: kept until it is old too
      // An hour later nothing has touched the folder: the replica is gone.
      utimesSync(otherOldArea, hoursAgo(2), hoursAgo(2));
      restart();
      expect(existsSync(otherOldArea)).toBe(false);
      expect(existsSync(otherFresh)).toBe(true);
    });
  });
}
