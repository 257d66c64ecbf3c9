/**
 * FileSystemStorage on flowServ's volume fixture (FLOWSERV.md §8, tests/volume): walk, copy
 * (file, folder, list, whole volume, with and without dst), load, delete, erase, sub-folder
 * stores and serialization.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FileSystemStorage, IOBuffer, UnknownFileError, readAll, volumeFromDict } from '../../../../src/client/index.js';

const ALL = ['A.json', 'docs/D.json', 'examples/B.json', 'examples/C.json', 'examples/data/data.json'];
let basedir: string;
let emptydir: string;

beforeEach(() => {
  const root = mkdtempSync(path.join(tmpdir(), 'fsr-volume-'));
  basedir = path.join(root, 'inputs');
  emptydir = path.join(root, 'outputs');
  const files: Record<string, unknown> = {
    'A.json': { A: 1 },
    'examples/B.json': { B: 2 },
    'examples/C.json': { C: 3 },
    'examples/data/data.json': [{ A: 1 }, { B: 2 }],
    'docs/D.json': { D: 4 },
  };
  for (const [key, doc] of Object.entries(files)) {
    const file = path.join(basedir, ...key.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(doc));
  }
  mkdirSync(path.join(basedir, 'ignoreme'));
});

async function keys(store: FileSystemStorage, src: string | null = ''): Promise<string[]> {
  return (await store.walk(src)).map(([k]) => k).sort();
}

describe('FileSystemStorage.walk', () => {
  it('lists the whole volume (empty folders skipped), a folder, a file, or nothing', async () => {
    const store = new FileSystemStorage(basedir);
    expect(await keys(store, '')).toEqual(ALL);
    expect(await keys(store, null)).toEqual(ALL);
    expect(await keys(store, 'examples')).toEqual(['examples/B.json', 'examples/C.json', 'examples/data/data.json']);
    expect(await keys(store, 'examples/data')).toEqual(['examples/data/data.json']);
    expect(await keys(store, 'docs/D.json')).toEqual(['docs/D.json']);
    expect(await keys(store, 'docs/E.json')).toEqual([]);
  });
});

describe('FileSystemStorage.copy (flowServ copy_files semantics)', () => {
  it('src=null copies everything and keeps the keys', async () => {
    const target = new FileSystemStorage(emptydir);
    const copied = await new FileSystemStorage(basedir).copy(null, target);
    expect(copied.sort()).toEqual(ALL);
    expect(await keys(target)).toEqual(ALL);
    expect(JSON.parse((await readAll(target.load('A.json'))).toString())).toEqual({ A: 1 });
  });

  it('a file keeps its key, or goes to dst', async () => {
    const source = new FileSystemStorage(basedir);
    const target = new FileSystemStorage(emptydir);
    expect(await source.copy('examples/data/data.json', target)).toEqual(['examples/data/data.json']);
    expect(await source.copy('docs/D.json', target, 'static/D2.json')).toEqual(['static/D2.json']);
    expect(await keys(target)).toEqual(['examples/data/data.json', 'static/D2.json']);
  });

  it('a folder loses its prefix: at the root, or under dst', async () => {
    const source = new FileSystemStorage(basedir);
    const root = new FileSystemStorage(emptydir);
    expect((await source.copy('examples', root)).sort()).toEqual(['B.json', 'C.json', 'data/data.json']);
    const other = new FileSystemStorage(path.join(emptydir, '..', 'other'));
    expect((await source.copy(['examples'], other, 'static2')).sort()).toEqual(['static2/B.json', 'static2/C.json', 'static2/data/data.json']);
  });

  it('a list mixes files and folders', async () => {
    const target = new FileSystemStorage(emptydir);
    const copied = await new FileSystemStorage(basedir).copy(['A.json', 'docs', 'examples/data'], target);
    expect(copied).toEqual(['A.json', 'D.json', 'data.json']);
  });
});

describe('FileSystemStorage basics', () => {
  it('load throws UnknownFileError for a missing file; store creates parents', async () => {
    const store = new FileSystemStorage(emptydir);
    expect(() => store.load('nope.txt')).toThrow(UnknownFileError);
    await store.store(new IOBuffer('hello'), 'a/b/c.txt');
    expect((await readAll(store.load('a/b/c.txt'))).toString()).toBe('hello');
    expect(store.load('a/b/c.txt').size()).toBe(5);
  });

  it('delete is idempotent for files and folders; erase removes the base directory', async () => {
    const store = new FileSystemStorage(basedir);
    await store.delete('examples');
    await store.delete('examples');
    await store.delete('A.json');
    expect(await keys(store)).toEqual(['docs/D.json']);
    await store.erase();
    expect(existsSync(basedir)).toBe(false);
  });

  it('sub-folder stores, mkdir, keys that leave the volume, and serialization', async () => {
    const store = new FileSystemStorage(basedir, '0000');
    const sub = store.getStoreForFolder('examples');
    expect(sub.identifier).not.toBe('0000');
    expect(await keys(sub)).toEqual(['B.json', 'C.json', 'data/data.json']);
    await store.mkdir('x/y');
    await store.mkdir('x/y');
    expect(existsSync(path.join(basedir, 'x', 'y'))).toBe(true);
    expect(() => store.load('../outside.txt')).toThrow(/leaves the volume/);
    expect(store.toDict()).toEqual({ type: 'fs', id: '0000', args: [{ key: 'basedir', value: basedir }] });
    const again = volumeFromDict(store.toDict());
    expect(again.identifier).toBe('0000');
    expect(() => volumeFromDict({ type: 'x', id: '1', args: [] })).toThrow("invalid value 'x' for storage volume type");
    expect(store.describe()).toContain(basedir);
  });
});
