import { describe, expect, it } from 'vitest';
import { retryWhileStoreUnavailable } from '../../../src/service/store-retry.js';
import { memoryLogger } from '../../support/logger.js';

const gone = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('retrying a dispatcher write while the database cannot be reached', () => {
  it('retries until the database answers, logging each failure', async () => {
    const { logger, lines } = memoryLogger();
    let calls = 0;
    const result = await retryWhileStoreUnavailable(
      async () => {
        calls++;
        if (calls < 3) throw gone();
        return 'written';
      },
      { signal: new AbortController().signal, logger, what: 'recording the job handle', fields: { workflowId: 'wf-1' } },
    );
    expect(result).toBe('written');
    expect(calls).toBe(3);
    expect(lines.map((l) => [l.msg, l.workflowId, l.retryInMs])).toEqual([
      ['recording the job handle failed: the database cannot be reached; retrying', 'wf-1', 100],
      ['recording the job handle failed: the database cannot be reached; retrying', 'wf-1', 200],
    ]);
  });

  it('throws any other error at once', async () => {
    let calls = 0;
    const refused = Object.assign(new Error('duplicate key'), { code: '23505' });
    const write = async () => {
      calls++;
      throw refused;
    };
    await expect(retryWhileStoreUnavailable(write, { signal: new AbortController().signal, logger: memoryLogger().logger, what: 'x' })).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the dispatcher closes', async () => {
    const closing = new AbortController();
    const write = async () => {
      setTimeout(() => closing.abort(), 10);
      throw gone();
    };
    await expect(retryWhileStoreUnavailable(write, { signal: closing.signal, logger: memoryLogger().logger, what: 'x' })).rejects.toMatchObject({ code: '57P01' });
  });
});
