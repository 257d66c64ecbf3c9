/** The shared squeue poller: one call answers every waiter, unknown and failed lookups are told apart. */
import { describe, expect, it } from 'vitest';
import { createJobPoller } from '../../../../src/engines/slurm/job-poller.js';
import { createFakeSlurm } from './fake-slurm.js';

async function submitted(slurm: ReturnType<typeof createFakeSlurm>, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await slurm.cli.run('sbatch', [`--output=/tmp/ctl${i}/slurm-%j.out`, 'run.sh'])).stdout.trim());
  return ids;
}

describe('job poller', () => {
  it('answers every job asked for in the same tick from one squeue call', async () => {
    const slurm = createFakeSlurm();
    const [a, b] = await submitted(slurm, 2);
    await slurm.start(b!);
    const poller = createJobPoller({ cli: slurm.cli, pollIntervalMs: 10 });
    const answers = await Promise.all([poller.next(a!, { immediate: true }), poller.next(b!), poller.next(a!)]);
    expect(answers).toEqual([
      { kind: 'found', state: 'PENDING', reason: 'None' },
      { kind: 'found', state: 'RUNNING', reason: 'None' },
      { kind: 'found', state: 'PENDING', reason: 'None' },
    ]);
    expect(slurm.callsOf('squeue')).toEqual([{ command: 'squeue', args: ['-h', '-t', 'all', '-j', `${a},${b}`, '-o', '%i|%T|%r'] }]);
    expect(poller.stats()).toEqual({ polls: 1, squeueCalls: 1, lookups: 2 });
    poller.close();
  });

  it('splits many ids into several squeue calls of at most maxIdsPerCall', async () => {
    const slurm = createFakeSlurm();
    const ids = await submitted(slurm, 5);
    const poller = createJobPoller({ cli: slurm.cli, pollIntervalMs: 10, maxIdsPerCall: 2 });
    const answers = await Promise.all(ids.map((id) => poller.next(id, { immediate: true })));
    expect(answers.every((a) => a.kind === 'found')).toBe(true);
    expect(slurm.callsOf('squeue').map((c) => c.args[4])).toEqual([ids.slice(0, 2).join(','), ids.slice(2, 4).join(','), ids[4]]);
    poller.close();
  });

  it('says unknown for a job Slurm has no record of, alone (squeue rc 1) or among others', async () => {
    const slurm = createFakeSlurm();
    const [a] = await submitted(slurm, 1);
    const poller = createJobPoller({ cli: slurm.cli, pollIntervalMs: 10 });
    expect(await poller.next('999', { immediate: true })).toEqual({ kind: 'unknown' });
    const [known, unknown] = await Promise.all([poller.next(a!, { immediate: true }), poller.next('998')]);
    expect(known.kind).toBe('found');
    expect(unknown).toEqual({ kind: 'unknown' });
    poller.close();
  });

  it('reports an error, not unknown, while the controller is unreachable, and recovers after', async () => {
    const slurm = createFakeSlurm();
    const [a] = await submitted(slurm, 1);
    const poller = createJobPoller({ cli: slurm.cli, pollIntervalMs: 10 });
    slurm.down();
    const during = await poller.next(a!, { immediate: true });
    expect(during).toMatchObject({ kind: 'error', message: expect.stringContaining('Unable to contact slurm controller') });
    slurm.up();
    expect(await poller.next(a!, { immediate: true })).toMatchObject({ kind: 'found', state: 'PENDING' });
    poller.close();
  });

  it('rejects a waiter whose signal aborts, and every waiter on close', async () => {
    const slurm = createFakeSlurm();
    const poller = createJobPoller({ cli: slurm.cli, pollIntervalMs: 60_000 });
    await poller.next('1', { immediate: true });
    const controller = new AbortController();
    const aborted = poller.next('1', { signal: controller.signal });
    controller.abort(new Error('caller gone'));
    await expect(aborted).rejects.toThrow('caller gone');
    const pending = poller.next('1');
    poller.close();
    await expect(pending).rejects.toThrow('job poller is closed');
    await expect(poller.next('1')).rejects.toThrow('job poller is closed');
    expect(slurm.callsOf('squeue')).toHaveLength(1);
  });
});
