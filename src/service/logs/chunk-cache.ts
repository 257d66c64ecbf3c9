/**
 * The chunks of a job's log files read lately, shared by the followers of the job: the first
 * follower to ask for a range start reads it (one large read), every other follower asking for
 * that start while it is kept gets the same record (and so the same encoded message). Followers
 * at the head of a log meet at the same starts, since each stops where the last listing ended;
 * a follower far behind reads its own ranges from the file, through the page cache.
 */
import { open } from 'node:fs/promises';
import type { LogFileInfo } from '../../engines/runner/job-logs.js';
import type { LogChunkRecord } from './log-types.js';

/** Reads shared chunk records. */
export interface ChunkCache {
  /** The bytes of `file` from `offset` to `end`, or to the chunk size, whichever is less. */
  chunk(file: LogFileInfo, offset: number, end: number): Promise<LogChunkRecord>;
}

interface Entry {
  readonly record: Promise<LogChunkRecord>;
  readonly bytes: number;
}

/** Reads `length` bytes of `file` from `offset` (fewer at its end) as a chunk record of its own. */
export async function readChunk(file: LogFileInfo, offset: number, length: number): Promise<LogChunkRecord> {
  const handle = await open(file.path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return { step: file.step, command: file.command, stream: file.stream, offset, data: buffer.subarray(0, bytesRead) };
  } finally {
    await handle.close();
  }
}

/** A cache of at most `cacheBytes` of chunks of at most `chunkBytes` each, oldest dropped first. */
export function createChunkCache(chunkBytes: number, cacheBytes: number): ChunkCache {
  // Insertion order is age: the oldest entry comes first when iterating.
  const entries = new Map<string, Entry>();
  let kept = 0;

  return {
    chunk(file, offset, end) {
      const key = `${file.path}\0${offset}`;
      const hit = entries.get(key);
      if (hit) return hit.record;
      const length = Math.max(0, Math.min(end - offset, chunkBytes));
      const record = readChunk(file, offset, length);
      const entry: Entry = { record, bytes: length };
      entries.set(key, entry);
      kept += length;
      // A failed or short read is not kept: the next asker reads again.
      void record.then(
        (r) => {
          if (r.data.length < length) drop(key, entry);
        },
        () => drop(key, entry),
      );
      for (const [oldKey, old] of entries) {
        if (kept <= cacheBytes || oldKey === key) break;
        drop(oldKey, old);
      }
      return record;
    },
  };

  function drop(key: string, entry: Entry): void {
    if (entries.get(key) !== entry) return;
    entries.delete(key);
    kept -= entry.bytes;
  }
}
