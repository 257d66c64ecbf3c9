/** The parts of authentication that need no server: header parsing, the token file, method access. */
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { RemoteWorkflowServiceService } from '../../../../src/gen/flowserv/remote/v1/service.js';
import { bearerTokenOf } from '../../../../src/server/security/bearer-token.js';
import { accessOf } from '../../../../src/server/security/method-access.js';
import { matchToken, parseTokenFile } from '../../../../src/server/security/token-file.js';

const md = (...values: string[]) => {
  const m = new Metadata();
  for (const v of values) m.add('authorization', v);
  return m;
};

describe('bearerTokenOf', () => {
  it('reads `Bearer <token>` with any case of the scheme', () => {
    expect(bearerTokenOf(md('Bearer abc.DEF-123_~+/=='))).toEqual({ ok: true, token: 'abc.DEF-123_~+/==' });
    expect(bearerTokenOf(md('BEARER abc'))).toEqual({ ok: true, token: 'abc' });
  });

  it.each([
    ['no header', md(), 'MISSING_CREDENTIALS'],
    ['two headers', md('Bearer a', 'Bearer b'), 'MALFORMED_AUTHORIZATION'],
    ['Basic', md('Basic dXNlcjpwYXNz'), 'MALFORMED_AUTHORIZATION'],
    ['bare token', md('abc'), 'MALFORMED_AUTHORIZATION'],
    ['empty token', md('Bearer '), 'MALFORMED_AUTHORIZATION'],
    ['characters outside b64token', md('Bearer a"b'), 'MALFORMED_AUTHORIZATION'],
  ])('refuses %s', (_name, metadata, cause) => {
    const result = bearerTokenOf(metadata);
    expect(result).toMatchObject({ ok: false, cause });
    expect(JSON.stringify(result)).not.toContain('dXNlcjpwYXNz');
  });
});

describe('parseTokenFile', () => {
  const A = 'aaaaaaaaaaaaaaaaaaaa';
  const B = 'bbbbbbbbbbbbbbbbbbbb';

  it('reads tokens, read-only markers, names and comments', () => {
    const parsed = parseTokenFile(`# comment\n\n${A} name=ci # trailing\n  ${B} readonly\r\n`);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.entries.map((e) => [e.id, e.readOnly])).toEqual([['ci', false], [expect.stringMatching(/^token-[0-9a-f]{12}$/), true]]);
    expect(matchToken(parsed.entries, A)?.id).toBe('ci');
    expect(matchToken(parsed.entries, B)?.readOnly).toBe(true);
    expect(matchToken(parsed.entries, 'c'.repeat(20))).toBeUndefined();
  });

  it('reads the admin marker, alone or with read-only (two independent markers)', () => {
    const C = 'cccccccccccccccccccc';
    const parsed = parseTokenFile(`${A} admin name=operator\n${B} name=auditor read-only admin\n${C} name=ci\n`);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.entries.map((e) => [e.id, e.readOnly, e.admin])).toEqual([
      ['operator', false, true],
      ['auditor', true, true],
      ['ci', false, false],
    ]);
  });

  it('reports every problem by line number without repeating a token', () => {
    const parsed = parseTokenFile(`short\n${A} superuser\n${A}\n`);
    expect(parsed).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(/^line 1: a token must be at least 16/),
        "line 2: unknown option 'superuser' (expected read-only, admin or name=ID)",
        'line 3: the same token appears twice',
      ],
    });
    expect(JSON.stringify(parsed)).not.toContain(A);
  });
});

describe('accessOf', () => {
  it('classifies every RPC of the service; only CreateWorkflow, StopWorkflow and UploadFile write', () => {
    const writes = Object.values(RemoteWorkflowServiceService).filter((m) => accessOf(m.path) === 'write').map((m) => m.path.split('/')[2]);
    expect(writes.sort()).toEqual(['CreateWorkflow', 'StopWorkflow', 'UploadFile']);
  });

  it('health is public, reflection needs a token, unknown methods need write access', () => {
    expect(accessOf('/grpc.health.v1.Health/Check')).toBe('public');
    expect(accessOf('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo')).toBe('read');
    expect(accessOf('/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo')).toBe('read');
    expect(accessOf('/flowserv.remote.v1.RemoteWorkflowService/DeleteEverything')).toBe('write');
  });
});
