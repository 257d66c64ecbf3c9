/**
 * The client commands and health-probe against a server with TLS, mutual TLS and a token file,
 * run in-process through runCli with captured streams: the flags and variables of
 * connection-options work, refusals exit 4 (health-probe 1) with a hint, bad files exit 2
 * naming the flag, and the token never appears in anything the CLI prints.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, type CliRun } from '../../support/cli.js';
import { HELLOWORLD_DIR, NAMES_FILE } from '../../support/fixtures.js';
import { makePki, type Pki } from '../security/pki.js';
import { startSecureServer, type SecureTestServer } from '../security/support.js';

const TOKEN = 'cli-test-token-5f1e2d3c4b5a69788796a5b4c3d2e1f0';
const OTHER = 'cli-wrong-token-00112233445566778899aabbccddeeff';
let pki: Pki;
let server: SecureTestServer;
let tokenFile: string;
/** Everything every CLI run printed, to search for the tokens at the end. */
const printed: string[] = [];

beforeAll(async () => {
  pki = makePki(mkdtempSync(join(tmpdir(), 'fsr-pki-cli-')));
  writeFileSync(pki.path('server-tokens'), `${TOKEN} name=cli\n`);
  tokenFile = pki.path('token');
  writeFileSync(tokenFile, `# the CLI's token\n\n${TOKEN}\n`);
  server = await startSecureServer([
    '--tls-cert-file', pki.path('server1.crt'), '--tls-key-file', pki.path('server1.key'), '--tls-client-ca-file', pki.path('client-ca.crt'),
    '--auth-token-file', pki.path('server-tokens'), '--local-poll-interval-ms', '100',
  ]);
});
afterAll(async () => {
  await server?.stop();
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

/** Runs the CLI with `env` (FLOWSERV_REMOTE_SERVER set to the test server); returns code and output. */
async function cli(argv: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const run = await runCliInProcess(argv, { FLOWSERV_REMOTE_SERVER: server.address, ...env });
  printed.push(run.out, run.err);
  return run;
}

/** Flags for mutual TLS with the client certificate the server's client CA signed. */
const mtls = () => ['--tls-ca-file', pki.path('server-ca.crt'), '--tls-cert-file', pki.path('client.crt'), '--tls-key-file', pki.path('client.key')];
const secure = () => [...mtls(), '--token-file', tokenFile];
const probe = () => ['health-probe', '--address', server.address];

describe('client commands over mutual TLS with a token', () => {
  let workflowId: string;

  it('submit --watch, status and list --json work with the CA, client certificate and token file', async () => {
    const sub = await cli(['submit', HELLOWORLD_DIR, '--arg', 'sleeptime=0', '--file', `names=${NAMES_FILE}`, '--label', 'suite=cli-security', '--watch', ...secure()]);
    expect(sub.err).toBe('');
    expect(sub.code).toBe(0);
    workflowId = /submitted workflow ([0-9a-f]{32})/.exec(sub.out)![1]!;

    const status = await cli(['status', workflowId, ...secure()]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^state\s+SUCCESS/m);

    const list = await cli(['list', '--json', '--label', 'suite=cli-security', ...secure()]);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.out) as { workflows: { workflowId: string }[] }).workflows.map((w) => w.workflowId)).toEqual([workflowId]);
  });

  it('takes the token from FLOWSERV_REMOTE_TOKEN and the TLS files from FLOWSERV_REMOTE_CLIENT_TLS_* variables', async () => {
    const byEnvToken = await cli(['status', workflowId, '--json', ...mtls()], { FLOWSERV_REMOTE_TOKEN: TOKEN });
    expect(byEnvToken.code).toBe(0);
    expect(JSON.parse(byEnvToken.out)).toMatchObject({ workflowId, state: { type: 'SUCCESS' } });

    const allEnv = await cli(['list'], {
      FLOWSERV_REMOTE_TOKEN: TOKEN,
      FLOWSERV_REMOTE_CLIENT_TLS_CA_FILE: pki.path('server-ca.crt'),
      FLOWSERV_REMOTE_CLIENT_TLS_CERT_FILE: pki.path('client.crt'),
      FLOWSERV_REMOTE_CLIENT_TLS_KEY_FILE: pki.path('client.key'),
    });
    expect(allEnv.code).toBe(0);
    expect(allEnv.out).toContain(workflowId);
  });

  it('--token-file wins over FLOWSERV_REMOTE_TOKEN', async () => {
    const r = await cli(['list', ...secure()], { FLOWSERV_REMOTE_TOKEN: OTHER });
    expect(r.code).toBe(0);
  });

  it('without a token: exit 4, UNAUTHENTICATED and a hint naming --token-file', async () => {
    const r = await cli(['status', workflowId, ...mtls()]);
    expect(r.code).toBe(4);
    expect(r.err).toContain('UnauthenticatedError');
    expect(r.err).toContain('--token-file');
    expect(r.out).toBe('');
  });

  it('with a wrong token: exit 4, UNAUTHENTICATED, no hint', async () => {
    const r = await cli(['list', '--json', ...mtls()], { FLOWSERV_REMOTE_TOKEN: OTHER });
    expect(r.code).toBe(4);
    expect(r.err).toContain('[UNAUTHENTICATED]');
    expect(r.err).not.toContain('hint');
  });

  it('without --tls: exit 4, UNAVAILABLE and a hint naming --tls', async () => {
    const r = await cli(['list', '--token-file', tokenFile]);
    expect(r.code).toBe(4);
    expect(r.err).toContain('UnavailableError');
    expect(r.err).toContain('hint: if the server uses TLS, pass --tls');
  });

  it('TLS without the client certificate, or with the system roots only, is refused (exit 4)', async () => {
    expect((await cli(['list', '--tls-ca-file', pki.path('server-ca.crt'), '--token-file', tokenFile])).code).toBe(4);
    const systemRoots = await cli(['list', '--tls', '--token-file', tokenFile]);
    expect(systemRoots.code).toBe(4);
    expect(systemRoots.err).not.toContain('hint');
  });

  it('--tls-server-name sets the name checked against the certificate', async () => {
    expect((await cli(['list', ...secure(), '--tls-server-name', 'localhost'])).code).toBe(0);
    const wrong = await cli(['list', ...secure(), '--tls-server-name', 'wrong.example.org']);
    expect(wrong.code).toBe(4);
    expect(wrong.err).toContain('UnavailableError');
  });
});

describe('health-probe over mutual TLS', () => {
  it('is SERVING with the CA and client certificate (no token needed); --tls-server-name is applied', async () => {
    const ok = await cli([...probe(), ...mtls()]);
    expect(ok).toMatchObject({ code: 0, out: 'SERVING\n' });
    const withToken = await cli([...probe(), ...secure(), '--service', 'flowserv.remote.v1.RemoteWorkflowService']);
    expect(withToken).toMatchObject({ code: 0, out: 'SERVING\n' });
    expect((await cli([...probe(), ...mtls(), '--tls-server-name', 'wrong.example.org'])).code).toBe(1);
  });

  it('fails with exit 1 and a hint without --tls', async () => {
    const r = await cli(probe());
    expect(r.code).toBe(1);
    expect(r.err).toContain(`health check of ${server.address} failed`);
    expect(r.err).toContain('--tls');
  });

  it('reads FLOWSERV_REMOTE_CLIENT_TLS_* but not the server’s FLOWSERV_REMOTE_TLS_* settings', async () => {
    const env = { FLOWSERV_REMOTE_CLIENT_TLS_CA_FILE: pki.path('server-ca.crt'), FLOWSERV_REMOTE_CLIENT_TLS_CERT_FILE: pki.path('client.crt'), FLOWSERV_REMOTE_CLIENT_TLS_KEY_FILE: pki.path('client.key') };
    expect((await cli(probe(), env)).code).toBe(0);
    const serverOnly = { FLOWSERV_REMOTE_TLS_CERT_FILE: pki.path('server1.crt'), FLOWSERV_REMOTE_TLS_KEY_FILE: pki.path('server1.key') };
    expect((await cli(probe(), serverOnly)).code).toBe(1);
  });
});

describe('health-probe takes the server address like the client commands', () => {
  it('accepts --server, the old --address, and FLOWSERV_REMOTE_SERVER', async () => {
    expect(await cli(['health-probe', '--server', server.address, ...mtls()])).toMatchObject({ code: 0, out: 'SERVING\n' });
    expect(await cli(['health-probe', '--address', server.address, ...mtls()])).toMatchObject({ code: 0, out: 'SERVING\n' });
    expect(await cli(['health-probe', ...mtls()])).toMatchObject({ code: 0, out: 'SERVING\n' }); // FLOWSERV_REMOTE_SERVER
    expect((await cli(['health-probe', '--server', server.address, '--address', '127.0.0.1:1', ...mtls()])).code).toBe(2);
  });
});

describe('bad connection settings are usage errors (exit 2) naming the flag', () => {
  it.each([
    ['a missing CA file', ['--tls-ca-file', '/nonexistent/ca.pem'], {}, '--tls-ca-file'],
    ['a missing token file', ['--token-file', '/nonexistent/token'], {}, '--token-file'],
    ['a certificate without its key', ['--tls-cert-file', '/nonexistent/client.crt'], {}, '--tls-cert-file'],
    ['a CA file that is not PEM', ['--tls-ca-file', '/dev/null'], {}, '--tls-ca-file'],
    ['a key that does not belong to the certificate', ['--tls-cert-file', 'client.crt', '--tls-key-file', 'other-client.key'], {}, '--tls-key-file'],
    ['a missing CA file from the variable', [], { FLOWSERV_REMOTE_CLIENT_TLS_CA_FILE: '/nonexistent/ca.pem' }, 'FLOWSERV_REMOTE_CLIENT_TLS_CA_FILE'],
    ['a bad FLOWSERV_REMOTE_CLIENT_TLS', [], { FLOWSERV_REMOTE_CLIENT_TLS: 'maybe' }, 'FLOWSERV_REMOTE_CLIENT_TLS'],
    ['a token with a space', [], { FLOWSERV_REMOTE_TOKEN: `${TOKEN} x` }, 'FLOWSERV_REMOTE_TOKEN'],
  ] as const)('%s', async (_, flags, env, named) => {
    const args = flags.map((f) => (f.endsWith('.crt') || f.endsWith('.key') ? pki.path(f) : f));
    for (const argv of [['status', 'x', ...args], [...probe(), ...args]]) {
      const r = await cli(argv, env);
      expect(r.code).toBe(2);
      expect(r.err).toContain(named);
    }
  });

  it('an empty token file', async () => {
    const empty = pki.path('empty-token');
    writeFileSync(empty, '# nothing here\n\n');
    const r = await cli(['list', '--token-file', empty]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('holds no token');
  });
});

it('every client command and health-probe documents the TLS and token flags', async () => {
  for (const name of ['submit', 'status', 'watch', 'stop', 'list', 'download', 'health-probe']) {
    const r = await cli([name, '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--tls ', '--tls-ca-file', '--tls-cert-file', '--tls-key-file', '--tls-server-name', '--token-file', 'FLOWSERV_REMOTE_TOKEN']) expect(r.out).toContain(flag);
  }
});

afterAll(() => {
  // Runs before the server is stopped and after every test above: nothing printed a token.
  expect(printed.length).toBeGreaterThan(0);
  for (const text of printed) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(OTHER);
  }
});
