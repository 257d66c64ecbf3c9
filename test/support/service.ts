/**
 * A WorkflowService over a fresh SQLite store and blob store in a temporary directory, for tests
 * of the service and the dispatcher. Pass the engines to test with; `reopen()` builds a second
 * service over the same data directory, as a restart would.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach } from 'vitest';
import type { EngineAdapter } from '../../src/engines/types.js';
import type { CreateWorkflowInput } from '../../src/service/types.js';
import { createPlanner } from '../../src/service/plan-workflow.js';
import {
  createWorkflowServiceWithTesting,
  type WorkflowService,
  type WorkflowServiceOptions,
  type WorkflowServiceTesting,
} from '../../src/service/workflow-service.js';
import { createBlobStore } from '../../src/store/blob-store.js';
import { createSqliteBlobIndex } from '../../src/store/blob-index.js';
import { openDatabase } from '../../src/store/database.js';
import { createSqliteWorkflowStore } from '../../src/store/sqlite-workflow-store.js';

/** A service for a test, with its data directory. */
export interface TestService {
  readonly service: WorkflowService;
  /** The service's test accessors (stored handles and job-done marks, slots, subscriptions). */
  readonly testing: WorkflowServiceTesting;
  readonly dataDir: string;
  /** Closes this service and its database (again: no-op). */
  close(): Promise<void>;
}

/** Builds a service over `engines` (the first is the default) in `dataDir` (default: a new temp dir). */
export function newTestService(
  engines: readonly EngineAdapter[],
  overrides: Partial<Omit<WorkflowServiceOptions, 'store' | 'blobs' | 'engines'>> & { readonly dataDir?: string } = {},
): TestService {
  const { dataDir = mkdtempSync(join(tmpdir(), 'svc-')), ...rest } = overrides;
  const db = openDatabase(join(dataDir, 'db.sqlite'));
  const { service, testing } = createWorkflowServiceWithTesting({
    store: createSqliteWorkflowStore(db),
    blobs: createBlobStore(createSqliteBlobIndex(db), join(dataDir, 'blobs')),
    engines: new Map(engines.map((e) => [e.name, e])),
    defaultEngine: engines[0]!.name,
    planWorkflow: createPlanner(),
    runsDirFor: (engine) => join(dataDir, `${engine}-runs`),
    limits: {
      maxUploadBytes: 1 << 20,
      uploadChunkBytes: 1 << 16,
      downloadChunkBytes: 1 << 16,
      heartbeatIntervalMs: 200,
      maxPageSize: 100,
      maxDirectoryEntries: 100,
      maxDirectoryBytes: 1 << 20,
    },
    logger: pino({ level: 'silent' }),
    retryDelayMs: 20,
    ...rest,
  });
  let closing: Promise<void> | undefined;
  return {
    service,
    testing,
    dataDir,
    close: () =>
      (closing ??= (async () => {
        await service.close();
        db.close();
      })()),
  };
}

/**
 * For a test file: a newTestService that also closes every service it built after each test.
 * Call it once at the top level of the file.
 */
export function serviceFixture(): (...args: Parameters<typeof newTestService>) => TestService {
  const open: TestService[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return (...args) => {
    const t = newTestService(...args);
    open.push(t);
    return t;
  };
}

/** A one-step request that runs `true` (fake engines never run it) with no declared outputs. */
export function trivialRequest(runId: string, extra: Partial<CreateWorkflowInput> = {}): CreateWorkflowInput {
  return {
    run: { runId },
    template: { workflow: { steps: [{ name: 's', action: { environment: 'x', commands: ['true'] } }] } },
    arguments: [],
    staticFiles: [],
    ...extra,
  };
}
