/**
 * flowServ's IOHandle (FLOWSERV.md §8): a file's content that can be opened (any number of
 * times) and sized, whether it lives on disk or in memory.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';

/** A missing file (flowServ's UnknownFileError): `unknown file '<key>'`. */
export class UnknownFileError extends Error {
  override readonly name = 'UnknownFileError';
  constructor(readonly key: string) {
    super(`unknown file '${key}'`);
  }
}

/** A file's content. */
export interface IOHandle {
  /** A fresh stream over the whole content, from the first byte. */
  open(): Readable;
  /** Size in bytes. */
  size(): number;
}

/** Content held in memory; each open() starts at the beginning (flowServ rewinds the buffer). */
export class IOBuffer implements IOHandle {
  private readonly buf: Buffer;
  constructor(content: Buffer | string) {
    this.buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  }
  open(): Readable {
    return Readable.from([this.buf]);
  }
  size(): number {
    return this.buf.length;
  }
}

/** A file on disk; with `raiseError` (default) a missing file throws UnknownFileError at once. */
export class FSFile implements IOHandle {
  constructor(
    readonly filename: string,
    raiseError = true,
  ) {
    if (raiseError && !existsSync(filename)) throw new UnknownFileError(filename);
  }
  open(): Readable {
    return createReadStream(this.filename);
  }
  size(): number {
    return statSync(this.filename).size;
  }
}

/** Reads a handle's whole content (for small files and tests). */
export async function readAll(file: IOHandle): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of file.open()) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}
