import { describe, expect, it } from 'vitest';
import { announcementDrops } from '../../../src/replicas/announcement-faults.js';
import { scratch } from '../../support/fixtures.js';
import { runCliProcess } from '../../support/server-process.js';

describe('the fault hook that drops state announcements', () => {
  it('is off when unset or empty', () => {
    expect(announcementDrops(undefined)).toBeUndefined();
    expect(announcementDrops(' ')).toBeUndefined();
  });

  it('drops the next <count> announcements of any sequence', () => {
    const drops = announcementDrops('2')!;
    expect([5, 1, 7].map((s) => drops.take(s))).toEqual([true, true, false]);
  });

  it('drops the next <count> announcements of one sequence only', () => {
    const drops = announcementDrops('1@3')!;
    expect([1, 2, 3, 3, 4].map((s) => drops.take(s))).toEqual([false, false, true, false, false]);
  });

  it('refuses a malformed value instead of testing nothing', () => {
    for (const bad of ['x', '-1', '1@', '@3', '1@3@4', '1.5']) expect(() => announcementDrops(bad)).toThrow(/FLOWSERV_REMOTE_FAULT_DROP_ANNOUNCEMENTS/);
  });
});

describe('serve with a malformed fault hook', () => {
  it('refuses to start (exit 2) and says why', async () => {
    const { code, stderr } = await runCliProcess(['serve', '--port', '0', '--data-dir', scratch()], { FLOWSERV_REMOTE_FAULT_DROP_ANNOUNCEMENTS: 'once' });
    expect(code).toBe(2);
    expect(stderr).toContain("FLOWSERV_REMOTE_FAULT_DROP_ANNOUNCEMENTS must be <count> or <count>@<sequence>, got 'once'");
  });
});
