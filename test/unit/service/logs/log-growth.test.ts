import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grownPaths, restat } from '../../../../src/service/logs/log-growth.js';

describe('log growth checks', () => {
  it('finds the files that are new or grew, and takes the sizes of those alone again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsr-growth-'));
    const [out, err] = [join(dir, '0-0.out'), join(dir, '0-0.err')];
    writeFileSync(out, 'abc');
    writeFileSync(err, 'e');
    const file = (path: string, sizeBytes: number) => ({ step: 0, command: 0, stream: path === out ? ('stdout' as const) : ('stderr' as const), path, sizeBytes });
    const before = [file(out, 3)];
    const after = [file(out, 3), file(err, 1)];
    expect([...grownPaths(before, after)]).toEqual([err]);
    expect([...grownPaths(after, [file(out, 5), file(err, 1)])]).toEqual([out]);
    appendFileSync(out, 'de');
    appendFileSync(err, 'more');
    // Only the file asked for is looked at again; the other keeps its listed size.
    expect((await restat(after, new Set([out])))?.map((f) => f.sizeBytes)).toEqual([5, 1]);
    rmSync(out);
    expect(await restat(after, new Set([out]))).toBeUndefined();
  });
});
