import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDirWatchers } from '../../../src/service/dir-changes.js';

describe('shared directory watchers', () => {
  it('opens one fs.watch per directory for any number of followers, wakes each on a change, and closes with the last', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsr-dirs-'));
    const registry = createDirWatchers();
    const signal = new AbortController().signal;
    const followers = Array.from({ length: 10 }, () => registry.watch([dir], 60_000));
    // The first wait after subscribing returns at once (changes before it were unseen).
    await Promise.all(followers.map((f) => f.wait(60_000, signal)));
    expect(registry.openCount()).toBe(1);
    const woken = Promise.all(followers.map((f) => f.wait(60_000, signal)));
    writeFileSync(join(dir, 'out'), 'line\n');
    await woken;
    for (const f of followers) f.close();
    expect(registry.openCount()).toBe(0);
  });

  it('falls back to the poll interval for a directory that does not exist yet', async () => {
    const registry = createDirWatchers();
    const changes = registry.watch([join(tmpdir(), 'fsr-missing-dir-for-test')], 30);
    const started = Date.now();
    await changes.wait(60_000, new AbortController().signal);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(registry.openCount()).toBe(0);
    changes.close();
  });
});
