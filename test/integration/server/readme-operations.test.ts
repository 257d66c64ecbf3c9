/**
 * What the README says about operating the server, checked on a real one: health entries exist
 * for enabled engines only; the access log puts health and reflection calls at debug (invisible
 * at the default info level) and every RemoteWorkflowService call at info; with auth on, Health
 * needs no token but reflection (which grpcurl calls first, even for Health) does; and the
 * README's grpcurl section depends on no tool Debian lacks by default (uuidgen).
 */
import { Metadata, status as Code, type ClientDuplexStream } from '@grpc/grpc-js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection, unary } from '../../support/grpc-calls.js';
import { healthClient, reflectionClient } from '../../support/grpc-clients.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { scratch } from '../../support/fixtures.js';
import { memoryLogger } from '../../support/logger.js';
import { README_PATH, readmeSection } from '../../unit/docs/readme.js';

let server: AppServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** One reflection list_services exchange; resolves with the status code (0 for OK). */
function listServices(address: string, md = new Metadata()): Promise<number> {
  const client = reflectionClient(address, 'v1');
  return new Promise((resolve) => {
    const call = (client.ServerReflectionInfo as (md: Metadata) => ClientDuplexStream<object, object>)(md);
    call.on('data', () => call.end());
    call.on('error', (err: { code: number }) => resolve(err.code));
    call.on('status', (s: { code: number }) => resolve(s.code));
    call.write({ listServices: '' });
  });
}

describe("the README's operations notes", () => {
  it('health has engine/<name> entries for enabled engines only', async () => {
    server = await startAppServer();
    const health = healthClient(server.address);
    const local = await unary<{ status: string }>(health, 'Check', { service: 'engine/local' });
    expect(['SERVING', 'NOT_SERVING']).toContain(local.status); // known: its first probe may still be under way
    expect((await rejection(unary(health, 'Check', { service: 'engine/slurm' }))).code).toBe(Code.NOT_FOUND);
    health.close();
  });

  it('the access log puts health and reflection at debug and service calls at info', async () => {
    for (const level of ['info', 'debug'] as const) {
      const log = memoryLogger(level);
      server = await startAppServer({ logger: log.logger });
      const health = healthClient(server.address);
      await unary(health, 'Check', { service: '' });
      expect(await listServices(server.address)).toBe(Code.OK);
      await unary(server.client as never, 'getServiceInfo', {});
      health.close();
      const rpcs = log.lines.filter((l) => l.msg === 'rpc').map((l) => String(l.rpc));
      expect(rpcs.some((r) => r.includes('GetServiceInfo'))).toBe(true);
      expect(rpcs.some((r) => r.startsWith('grpc.health.'))).toBe(level === 'debug');
      expect(rpcs.some((r) => r.startsWith('grpc.reflection.'))).toBe(level === 'debug');
      await server.stop();
      server = undefined;
    }
  });

  it('with auth on, Health needs no token but reflection does (grpcurl: -reflect-header)', async () => {
    const tokens = join(scratch(), 'tokens');
    const token = 't'.repeat(32);
    writeFileSync(tokens, `${token} read-only\n`);
    server = await startAppServer({ args: ['--auth-token-file', tokens, '--security-reload-interval-ms', '0'] });
    const health = healthClient(server.address);
    expect(await unary(health, 'Check', { service: '' })).toMatchObject({ status: 'SERVING' });
    health.close();
    expect(await listServices(server.address)).toBe(Code.UNAUTHENTICATED);
    const md = new Metadata();
    md.add('authorization', `Bearer ${token}`);
    expect(await listServices(server.address, md)).toBe(Code.OK);
    const section = readmeSection('Security') ?? '';
    expect(section).toContain('-reflect-header');
  });

  it('the README depends on no uuidgen', () => {
    expect(readFileSync(README_PATH, 'utf8')).not.toContain('uuidgen');
    expect(readmeSection('grpcurl')).toContain('od -An -tx1 -N16 /dev/urandom');
  });
});
