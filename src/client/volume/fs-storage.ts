/**
 * flowServ's FileSystemStorage (FLOWSERV.md §8, type `fs`): a volume rooted at a local folder.
 * Keys use `/` and may not leave the base directory.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FSFile, UnknownFileError, type IOHandle } from './io-handle.js';
import { copyFiles, type StorageVolume, type VolumeDoc } from './storage-volume.js';

/** A new volume identifier: uuid4 hex, as flowServ's `get_unique_identifier`. */
export function newIdentifier(): string {
  return randomUUID().replace(/-/g, '');
}

/** A volume on the local file system; the base directory is created on construction. */
export class FileSystemStorage implements StorageVolume {
  readonly basedir: string;
  readonly identifier: string;

  constructor(basedir: string, identifier?: string | null) {
    this.basedir = path.resolve(basedir);
    this.identifier = identifier ?? newIdentifier();
    mkdirSync(this.basedir, { recursive: true });
  }

  /** The OS path of a key; throws for keys that would leave the base directory. */
  pathOf(key: string): string {
    const abs = path.resolve(this.basedir, ...key.split('/').filter((s) => s !== ''));
    if (abs !== this.basedir && !abs.startsWith(this.basedir + path.sep)) throw new Error(`key '${key}' leaves the volume`);
    return abs;
  }

  close(): void {}

  copy(src: string | readonly string[] | null | undefined, store: StorageVolume, dst?: string | null): Promise<string[]> {
    return copyFiles(src, this, store, dst);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { recursive: true, force: true });
  }

  describe(): string {
    return `local file system at ${this.basedir}`;
  }

  async erase(): Promise<void> {
    await rm(this.basedir, { recursive: true, force: true });
  }

  getStoreForFolder(key: string, identifier?: string | null): FileSystemStorage {
    return new FileSystemStorage(this.pathOf(key), identifier);
  }

  load(key: string): IOHandle {
    const file = this.pathOf(key);
    if (!existsSync(file) || !statSync(file).isFile()) throw new UnknownFileError(key);
    return new FSFile(file);
  }

  async mkdir(key: string): Promise<void> {
    await mkdir(this.pathOf(key), { recursive: true });
  }

  async store(file: IOHandle, dst: string): Promise<void> {
    const out = this.pathOf(dst);
    await mkdir(path.dirname(out), { recursive: true });
    await pipeline(file.open(), createWriteStream(out));
  }

  toDict(): VolumeDoc {
    return { type: 'fs', id: this.identifier, args: [{ key: 'basedir', value: this.basedir }] };
  }

  async walk(src?: string | null): Promise<[string, IOHandle][]> {
    const key = src === null || src === undefined ? '' : src.replace(/\/+$/, '');
    const abs = this.pathOf(key);
    if (!existsSync(abs)) return [];
    if (statSync(abs).isFile()) return [[key, new FSFile(abs)]];
    const out: [string, IOHandle][] = [];
    walkDir(abs, key, out);
    return out;
  }
}

function walkDir(dir: string, prefix: string, out: [string, IOHandle][]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const abs = path.join(dir, entry.name);
    const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) walkDir(abs, key, out);
    else if (entry.isFile()) out.push([key, new FSFile(abs)]);
  }
}

/** flowServ's `Volume(doc)` factory for the types this client has (`fs`, the default). */
export function volumeFromDict(doc: Partial<VolumeDoc> & { readonly args?: VolumeDoc['args'] }): StorageVolume {
  const type = doc.type ?? 'fs';
  if (type !== 'fs') throw new Error(`invalid value '${type}' for storage volume type`);
  const basedir = doc.args?.find((a) => a.key === 'basedir')?.value ?? '.';
  return new FileSystemStorage(basedir, doc.id);
}
