/**
 * Metrics and tracing are off by default and then cost nothing: no listener, and neither
 * prom-client nor OpenTelemetry is loaded into the process.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call } from '../../support/grpc-calls.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';

let server: AppServer;
beforeAll(async () => {
  server = await startAppServer();
});
afterAll(() => server.stop());

it('a server without --metrics-port opens no metrics listener and loads neither prom-client nor OpenTelemetry', async () => {
  await call(server.client, 'getServiceInfo', {});
  expect(server.app.metricsPort()).toBeUndefined();
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  expect(loaded.filter((path) => path.includes('/prom-client/') || path.includes('/@opentelemetry/sdk'))).toEqual([]);
  expect(loaded.some((path) => path.includes('/@grpc/grpc-js/'))).toBe(true);
});
