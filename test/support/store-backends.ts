/**
 * The store implementations (workflow store and blob index) the contract tests run against: SQLite always, PostgreSQL
 * when the test cluster answers (test/support/requirements.ts). Each open() gives a fresh, empty
 * store; reopen() a second store over the same data (as a restart would).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { openDatabase } from '../../src/store/database.js';
import { createSqliteBlobIndex, type BlobIndex } from '../../src/store/blob-index.js';
import { createPostgresBlobIndex } from '../../src/store/postgres-blob-index.js';
import { createPostgresWorkflowStore } from '../../src/store/postgres-workflow-store.js';
import { migratePostgres } from '../../src/store/postgres-schema.js';
import { createSqliteWorkflowStore } from '../../src/store/sqlite-workflow-store.js';
import type { NewWorkflow, WorkflowStore } from '../../src/store/workflow-store.js';
import { createTestDatabase } from './postgres.js';
import { postgresMissing } from './requirements.js';

/** One opened store and its data. */
export interface OpenedStore {
  readonly store: WorkflowStore;
  /** The blob index on the same database. */
  readonly blobIndex: BlobIndex;
  /** Another store over the same data. */
  reopen(): Promise<WorkflowStore>;
  /** PostgreSQL only: a new pool (own connections) on the same database, closed by close(). */
  readonly pool?: (options?: pg.PoolConfig) => pg.Pool;
  close(): Promise<void>;
}

/** A store implementation under test. */
export interface StoreBackend {
  readonly name: 'sqlite' | 'postgres';
  /** Why it cannot run here, or undefined. */
  readonly missing: string | undefined;
  open(): Promise<OpenedStore>;
}

const sqlite: StoreBackend = {
  name: 'sqlite',
  missing: undefined,
  async open() {
    const file = join(mkdtempSync(join(tmpdir(), 'store-')), 'db.sqlite');
    const dbs = [openDatabase(file)];
    return {
      store: createSqliteWorkflowStore(dbs[0]!),
      blobIndex: createSqliteBlobIndex(dbs[0]!),
      async reopen() {
        const db = openDatabase(file);
        dbs.push(db);
        return createSqliteWorkflowStore(db);
      },
      async close() {
        for (const db of dbs) db.close();
      },
    };
  },
};

function postgres(missing: string | undefined): StoreBackend {
  return {
    name: 'postgres',
    missing,
    async open() {
      const db = await createTestDatabase();
      const pool = db.pool();
      await migratePostgres(pool);
      return {
        store: createPostgresWorkflowStore(pool),
        blobIndex: createPostgresBlobIndex(pool),
        reopen: async () => createPostgresWorkflowStore(db.pool()),
        pool: (options) => db.pool(options),
        close: () => db.drop(),
      };
    },
  };
}

/** Both backends (PostgreSQL's `missing` is probed once per test file). */
export function storeBackends(): readonly StoreBackend[] {
  return [sqlite, postgres(postgresMissing())];
}

/** Workflow number `n` of a test (`wf<n>`, `run<n>`, alice's, created n seconds into 2026). */
export function newWorkflow(n: number, overrides: Partial<NewWorkflow> = {}): NewWorkflow {
  return {
    workflowId: `wf${n}`,
    owner: 'token:alice',
    runId: `run${n}`,
    engine: 'local',
    labels: { team: n % 2 ? 'odd' : 'even' },
    payloadHash: `hash${n}`,
    outputFiles: ['results/out.txt'],
    job: { workflowId: `wf${n}`, workDir: '/w', controlDir: '/c', steps: [{ name: 's', commands: ['true'] }] },
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    ...overrides,
  };
}
