import { describe, expect, it } from 'vitest';
import { jobEnvironment } from '../../../src/cli/serve.js';

describe('jobEnvironment', () => {
  it("keeps the job's ordinary variables and drops the server's settings and credentials", () => {
    const env = jobEnvironment({
      PATH: '/usr/bin:/bin',
      HOME: '/home/flowserv',
      LANG: 'C.UTF-8',
      PGPASSWORD: 'secret',
      PGUSER: 'flowserv',
      PGHOST: 'db.internal',
      PGSSLKEY: '/etc/flowserv/pg.key',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=secret',
      OTEL_SERVICE_NAME: 'flowserv-remote',
      FLOWSERV_REMOTE_DATABASE_URL: 'postgres://flowserv:secret@db/flowserv',
      FLOWSERV_REMOTE_TOKEN_FILE: '/etc/flowserv/tokens',
      PGDATA_NOTE: 'kept: not a libpq variable name',
      UNSET: undefined,
    });
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/flowserv',
      LANG: 'C.UTF-8',
      OTEL_SERVICE_NAME: 'flowserv-remote',
      PGDATA_NOTE: 'kept: not a libpq variable name',
    });
  });
});
