import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDirWatchers } from '../../../../src/service/dir-changes.js';
import { createChunkCache } from '../../../../src/service/logs/chunk-cache.js';
import { createLogTails, type LogTail } from '../../../../src/service/logs/log-tail.js';

/** A control directory with an empty stdout log of step 0, command 0. */
function controlDir(): { ctl: string; out: string } {
  const ctl = mkdtempSync(join(tmpdir(), 'fsr-tail-'));
  mkdirSync(join(ctl, 'logs'));
  const out = join(ctl, 'logs', '0-0.out');
  writeFileSync(out, '');
  return { ctl, out };
}

/** Waits until `tail` lists the stdout log with `size` bytes; returns that file. */
async function listedWith(tail: LogTail, size: number) {
  const signal = new AbortController().signal;
  for (;;) {
    const { files, version } = tail.current();
    const file = files.find((f) => f.stream === 'stdout');
    if (file && file.sizeBytes >= size) return file;
    await tail.changed(version, 1000, signal);
  }
}

describe('shared log tails', () => {
  it('gives every follower of a job one reader and the same chunk records, and stops with the last', async () => {
    const { ctl, out } = controlDir();
    const dirs = createDirWatchers();
    const tails = createLogTails({ dirs, pollIntervalMs: 50, batchIntervalMs: 5, chunkBytes: 4, cacheBytes: 1024 });
    const followers = Array.from({ length: 10 }, () => tails.acquire(ctl));
    expect(tails.openCount()).toBe(1);
    appendFileSync(out, 'line one\n');
    const files = await Promise.all(followers.map((t) => listedWith(t, 9)));
    const records = await Promise.all(followers.map((t, i) => t.chunk(files[i]!, 0, files[i]!.sizeBytes)));
    expect(Buffer.from(records[0]!.data).toString()).toBe('line');
    for (const r of records) expect(r).toBe(records[0]);
    const next = await followers[0]!.chunk(files[0]!, 4, 9);
    expect(Buffer.from(next.data).toString()).toBe(' one');
    for (const t of followers) t.release();
    expect(tails.openCount()).toBe(0);
    await expect.poll(() => dirs.openCount()).toBe(0);
  });

  it('stays watched while lines come now and then, drops the watch for bulk output, and watches again once it is quiet', async () => {
    const { ctl, out } = controlDir();
    const dirs = createDirWatchers();
    const tails = createLogTails({ dirs, pollIntervalMs: 60_000, batchIntervalMs: 20, chunkBytes: 1024, cacheBytes: 4096 });
    const tail = tails.acquire(ctl);
    // Quiet: the control and logs directories are watched, so a line is seen without polling.
    await expect.poll(() => dirs.openCount()).toBe(2);
    let written = 0;
    for (let i = 0; i < 5; i++) {
      appendFileSync(out, 'line\n');
      written += 5;
      await listedWith(tail, written);
      expect(dirs.openCount()).toBe(2);
    }
    // Bulk bytes: a check finding 64 KiB or more; no watch, whatever is written between two checks is one listing.
    const writer = setInterval(() => {
      appendFileSync(out, 'x'.repeat(70_000));
      written += 70_000;
    }, 2);
    await expect.poll(() => dirs.openCount()).toBe(0);
    const versionsBefore = tail.current().version;
    const writesBefore = written;
    await expect.poll(() => written - writesBefore, { timeout: 10_000 }).toBeGreaterThan(70_000 * 50);
    const versions = tail.current().version - versionsBefore;
    clearInterval(writer);
    expect(versions).toBeLessThan(50);
    // Quiet again: watched again, and the last lines are listed.
    await expect.poll(() => dirs.openCount(), { timeout: 10_000 }).toBe(2);
    expect((await listedWith(tail, written)).sizeBytes).toBe(written);
    tail.release();
    expect(dirs.openCount()).toBe(0);
  });
});

describe('shared log tails and followers of bulk output', () => {
  it('lets followers send only at its turns while the job prints in bulk, all at the same one, and at once when quiet', async () => {
    const { ctl, out } = controlDir();
    const dirs = createDirWatchers();
    const tails = createLogTails({ dirs, pollIntervalMs: 60_000, batchIntervalMs: 10, chunkBytes: 1024, cacheBytes: 4096, bulkTurnMs: 100 });
    const [a, b] = [tails.acquire(ctl), tails.acquire(ctl)];
    const signal = new AbortController().signal;
    // Quiet: no turn to wait for.
    expect(await Promise.all([a.bulkTurn(signal), b.bulkTurn(signal)])).toEqual([false, false]);
    const writer = setInterval(() => appendFileSync(out, 'x'.repeat(70_000)), 2);
    try {
      await expect.poll(() => dirs.openCount()).toBe(0);
      // Two turns in a row: both followers are let go by the same check, and a turn spans checks.
      for (let turn = 0; turn < 2; turn++) {
        const from = a.current().version;
        const versions = await Promise.all([a, b].map(async (t) => (expect(await t.bulkTurn(signal)).toBe(true), t.current().version)));
        expect(versions[1]).toBe(versions[0]);
        if (turn === 1) expect(versions[0]).toBeGreaterThan(from);
      }
      // A follower waiting for a turn is let go (not at a turn: false) once the output stopped.
      clearInterval(writer);
      while (await a.bulkTurn(signal)) {
        // turns that came before the reader saw the output stop
      }
      await expect.poll(() => dirs.openCount(), { timeout: 10_000 }).toBe(2);
      await a.bulkTurn(signal);
    } finally {
      clearInterval(writer);
    }
    a.release();
    b.release();
    // With turns far apart, a waiting follower is let go when the last follower leaves.
    const slow = createLogTails({ dirs, pollIntervalMs: 60_000, batchIntervalMs: 10, chunkBytes: 1024, cacheBytes: 4096, bulkTurnMs: 600_000 });
    const [c, d] = [slow.acquire(ctl), slow.acquire(ctl)];
    await expect.poll(() => dirs.openCount()).toBe(2);
    const again = setInterval(() => appendFileSync(out, 'x'.repeat(70_000)), 2);
    try {
      await expect.poll(() => dirs.openCount()).toBe(0);
      const left = c.bulkTurn(signal);
      d.release();
      c.release();
      await left;
    } finally {
      clearInterval(again);
    }
    expect(slow.openCount()).toBe(0);
  });
});

describe('shared log tails and a job writing in small pieces', () => {
  it('drops its watch while another process writes many small pieces, and watches again once it stops', async () => {
    const { ctl, out } = controlDir();
    const dirs = createDirWatchers();
    const tails = createLogTails({ dirs, pollIntervalMs: 60_000, batchIntervalMs: 20, chunkBytes: 1024, cacheBytes: 4096 });
    const tail = tails.acquire(ctl);
    await expect.poll(() => dirs.openCount()).toBe(2);
    const stop = join(ctl, 'stop');
    const writer = spawn('/bin/sh', ['-c', `while [ ! -e '${stop}' ]; do echo line; done >> '${out}'`], { stdio: 'ignore' });
    const exited = once(writer, 'exit');
    try {
      await expect.poll(() => dirs.openCount(), { interval: 1, timeout: 10_000 }).toBe(0);
    } finally {
      writeFileSync(stop, '');
      await exited;
    }
    await expect.poll(() => dirs.openCount(), { timeout: 10_000 }).toBe(2);
    const size = statSync(out).size;
    expect((await listedWith(tail, size)).sizeBytes).toBe(size);
    tail.release();
  });
});

describe('chunk cache', () => {
  it('keeps at most its byte budget, oldest dropped first, and keeps no short read', async () => {
    const { out } = controlDir();
    writeFileSync(out, 'abcdefghij');
    const file = { step: 0, command: 0, stream: 'stdout' as const, path: out, sizeBytes: 10 };
    const cache = createChunkCache(4, 8);
    const a = await cache.chunk(file, 0, 10);
    const b = await cache.chunk(file, 4, 10);
    expect(await cache.chunk(file, 0, 10)).toBe(a);
    await cache.chunk(file, 8, 10); // 2 bytes: 10 kept, over the budget, so `a` goes
    expect(await cache.chunk(file, 4, 10)).toBe(b);
    expect(await cache.chunk(file, 0, 10)).not.toBe(a);
    // Asking for more than the file holds gives what is there, and is not kept.
    const short = await cache.chunk(file, 8, 12);
    expect(Buffer.from(short.data).toString()).toBe('ij');
    expect(await cache.chunk({ ...file, path: out }, 9, 12)).not.toBe(await cache.chunk(file, 9, 12));
  });
});
