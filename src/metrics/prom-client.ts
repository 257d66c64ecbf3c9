/**
 * prom-client, loaded on first use. It and what it pulls in add about 12 MB to the process, so
 * it is loaded when the first metrics registry is created (synchronously: it is a CommonJS
 * package) and never when metrics are off.
 */
import { createRequire } from 'node:module';

type PromClient = typeof import('prom-client');
let promClient: PromClient | undefined;

/** The prom-client module, loaded on the first call. */
export function loadPromClient(): PromClient {
  promClient ??= createRequire(import.meta.url)('prom-client') as PromClient;
  return promClient;
}
