/**
 * The store decorator's count of follower writes refused for a stale fence
 * (`flowserv_replica_fenced_writes_rejected_total`): exported at 0 from the start, one per
 * refused state or handle write, by operation, and nothing for any other failure.
 */
import { expect, it } from 'vitest';
import { createMetrics } from '../../../src/metrics/metrics.js';
import { instrumentStore } from '../../../src/metrics/instrument-store.js';
import { FenceLostError, type WorkflowStore } from '../../../src/store/workflow-store.js';

const FENCE = { follower: 'a-0123abcd', epoch: 3 };

/** A store whose fenced writes are refused (another replica took the workflow over). */
function takenOverStore(): WorkflowStore {
  return {
    get: async () => undefined,
    appendState: async (workflowId) => {
      throw new FenceLostError(workflowId, FENCE);
    },
    setHandle: async (workflowId) => {
      if (workflowId === 'broken') throw new Error('connection terminated');
      throw new FenceLostError(workflowId, FENCE);
    },
  } as Partial<WorkflowStore> as WorkflowStore;
}

async function rejected(metrics: ReturnType<typeof createMetrics>): Promise<Record<string, number>> {
  const { values } = await metrics.fencedWritesRejected.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.operation), v.value]));
}

it('counts every write refused for a stale fence, by operation, from an exported 0', async () => {
  const metrics = createMetrics();
  expect(await rejected(metrics)).toEqual({ append_state: 0, set_handle: 0 });
  const store = instrumentStore(takenOverStore(), metrics);
  const state = { type: 'SUCCESS' as const, createdAt: new Date(), messages: [], files: [] };
  await expect(store.appendState('w1', state, { fence: FENCE })).rejects.toBeInstanceOf(FenceLostError);
  await expect(store.appendState('w2', state, { fence: FENCE })).rejects.toBeInstanceOf(FenceLostError);
  await expect(store.setHandle('w1', { engine: 'slurm', externalId: '7', workDir: '/w', controlDir: '/c' }, { fence: FENCE })).rejects.toBeInstanceOf(FenceLostError);
  await expect(store.setHandle('broken', { engine: 'slurm', externalId: '8', workDir: '/w', controlDir: '/c' }, { fence: FENCE })).rejects.toThrow('connection terminated');
  expect(await rejected(metrics)).toEqual({ append_state: 2, set_handle: 1 });
  expect(await metrics.registry.metrics()).toContain('flowserv_replica_fenced_writes_rejected_total{operation="append_state"} 2');
});
