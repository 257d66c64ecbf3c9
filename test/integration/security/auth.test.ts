/**
 * Bearer-token authentication and read-only tokens on every RPC path of RemoteWorkflowService
 * (unary, server stream, client stream), health without a token, reflection with one, token
 * file reload, and no token in the log.
 */
import { Metadata, status as Code, type ClientDuplexStream } from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorReason } from '../../../src/errors.js';
import { healthClient, reflectionClient } from '../../support/grpc-clients.js';
import { PROBES, SERVICE_RPCS } from './probes.js';
import { bearer, headers, outcomeOf, type Outcome, startSecureServer, type SecureTestServer } from './support.js';

const WRITER = 'rw-3f9c0d6e2b1a4c8d9e7f6a5b4c3d2e1f';
const READER = 'ro-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
const WRONG = 'xx-0000111122223333444455556666777';
const LATER = 'later-5555666677778888999900001111';

let dir: string;
let tokenFile: string;
let server: SecureTestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fsr-auth-'));
  tokenFile = join(dir, 'tokens');
  writeFileSync(tokenFile, `# test tokens\n${WRITER} name=writer\n\n${READER}   read-only   name=reader  # dashboards\n`);
  server = await startSecureServer(['--auth-token-file', tokenFile, '--security-reload-interval-ms', '0']);
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const unauthenticated = (cause: string) => ({
  code: Code.UNAUTHENTICATED,
  details: expect.objectContaining({ errorInfo: expect.objectContaining({ reason: ErrorReason.UNAUTHENTICATED, metadata: { cause } }) }),
});

/** Ways to fail to authenticate, with the cause the server names. */
const BAD_CREDENTIALS: ReadonlyArray<readonly [string, () => Metadata, string]> = [
  ['no token', () => new Metadata(), 'MISSING_CREDENTIALS'],
  ['a wrong token', () => bearer(WRONG), 'INVALID_TOKEN'],
  ['the token in a `token` header', () => headers({ token: WRITER }), 'MISSING_CREDENTIALS'],
  ['the token in an `x-api-key` header', () => headers({ 'x-api-key': WRITER }), 'MISSING_CREDENTIALS'],
  ['`authorization: Token <token>`', () => headers({ authorization: `Token ${WRITER}` }), 'MALFORMED_AUTHORIZATION'],
  ['`authorization: <token>` without Bearer', () => headers({ authorization: WRITER }), 'MALFORMED_AUTHORIZATION'],
  ['`Bearer` without a token', () => headers({ authorization: 'Bearer' }), 'MALFORMED_AUTHORIZATION'],
  ['`Bearer <token> junk`', () => headers({ authorization: `Bearer ${WRITER} junk` }), 'MALFORMED_AUTHORIZATION'],
];

const passedTheGate = (outcome: Outcome) => ![Code.UNAUTHENTICATED, Code.PERMISSION_DENIED, Code.RESOURCE_EXHAUSTED].includes(outcome.code);

describe('bearer tokens', () => {
  it('probes cover every RPC of the service', () => {
    expect(PROBES.map((p) => p.rpc).sort()).toEqual([...SERVICE_RPCS].sort());
  });

  describe.each(PROBES)('$rpc ($kind)', (probe) => {
    it.each(BAD_CREDENTIALS)('refuses %s with UNAUTHENTICATED', async (_name, md, cause) => {
      const outcome = await probe.call(server.client(), md());
      expect(outcome).toMatchObject(unauthenticated(cause));
      expect(outcome.message).not.toContain(WRITER.slice(3));
    });

    it('lets a valid read-write token through to the handler', async () => {
      const outcome = await probe.call(server.client(), bearer(WRITER));
      expect(passedTheGate(outcome), JSON.stringify(outcome)).toBe(true);
    });

    it(probe.mutating ? 'refuses a read-only token with PERMISSION_DENIED' : 'lets a read-only token through', async () => {
      const outcome = await probe.call(server.client(), bearer(READER));
      if (probe.mutating) {
        expect(outcome).toMatchObject({
          code: Code.PERMISSION_DENIED,
          details: expect.objectContaining({ errorInfo: expect.objectContaining({ reason: ErrorReason.PERMISSION_DENIED }) }),
        });
        expect(outcome.message).toContain('read-only');
      } else {
        expect(passedTheGate(outcome), JSON.stringify(outcome)).toBe(true);
      }
    });
  });

  it('the handler answers as without authentication once the token is valid', async () => {
    const [upload, info, missing] = await Promise.all([
      PROBES.find((p) => p.rpc === 'UploadFile')!.call(server.client(), bearer(WRITER)),
      PROBES.find((p) => p.rpc === 'GetServiceInfo')!.call(server.client(), bearer(READER)),
      PROBES.find((p) => p.rpc === 'WatchState')!.call(server.client(), bearer(READER)),
    ]);
    expect(upload.code).toBe(Code.OK);
    expect(info.code).toBe(Code.OK);
    expect(missing.code).toBe(Code.NOT_FOUND);
  });

  it('the scheme name is case-insensitive (RFC 7235)', async () => {
    const outcome = await PROBES.find((p) => p.rpc === 'GetServiceInfo')!.call(server.client(), headers({ authorization: `bearer ${READER}` }));
    expect(outcome.code).toBe(Code.OK);
  });

  it('health answers without a token', async () => {
    const health = healthClient(server.address);
    try {
      const response = await new Promise<{ status: string }>((resolve, reject) =>
        health.check!({ service: '' }, (err: Error | null, res: { status: string }) => (err ? reject(err) : resolve(res))),
      );
      expect(response.status).toBe('SERVING');
    } finally {
      health.close();
    }
  });

  it('reflection needs a token (read-only is enough)', async () => {
    const reflect = (md: Metadata) => {
      const client = reflectionClient(server.address, 'v1');
      const stream = client.serverReflectionInfo!(md) as ClientDuplexStream<object, { listServicesResponse?: { service: Array<{ name: string }> } }>;
      return new Promise<Outcome | string[]>((resolve) => {
        stream.on('data', (res) => {
          resolve((res.listServicesResponse?.service ?? []).map((entry: { name: string }) => entry.name));
          stream.end();
        });
        stream.on('error', (err) => resolve(outcomeOf(err)));
        stream.write({ listServices: '' });
      }).finally(() => client.close());
    };
    expect(await reflect(new Metadata())).toMatchObject(unauthenticated('MISSING_CREDENTIALS'));
    expect(await reflect(bearer(READER))).toContain('flowserv.remote.v1.RemoteWorkflowService');
  });

  it('reloads the token file, and keeps the old tokens when the new file is broken', async () => {
    const info = PROBES.find((p) => p.rpc === 'GetServiceInfo')!;
    expect((await info.call(server.client(), bearer(LATER))).code).toBe(Code.UNAUTHENTICATED);
    writeFileSync(tokenFile, `${WRITER} name=writer\n${READER} read-only name=reader\n${LATER} read-only\n`);
    expect(await server.app.reloadSecurity('test')).toEqual({ ok: true, auth: 'reloaded' });
    expect((await info.call(server.client(), bearer(LATER))).code).toBe(Code.OK);

    writeFileSync(tokenFile, `${WRITER} name=writer\nshort\n`);
    expect(await server.app.reloadSecurity('test')).toEqual({ ok: false, auth: 'failed' });
    expect((await info.call(server.client(), bearer(LATER))).code).toBe(Code.OK);
    expect(server.logText()).toContain('line 2: a token must be at least 16 characters');
  });

  it('never writes a token to the log', () => {
    const log = server.logText();
    expect(log).toContain('"msg":"rpc"');
    expect(log).toContain('UNAUTHENTICATED');
    for (const token of [WRITER, READER, WRONG, LATER]) expect(log).not.toContain(token.slice(3));
  });
});
