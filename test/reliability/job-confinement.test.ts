/**
 * A job tries to steal the server's secrets (issue 16, item 11), against a real `serve` process
 * with TLS, a token file and a JWT key: one step reads the token file, the TLS key, the JWT key,
 * the database, /proc/<server pid>/environ and cmdline, every other process's environ and
 * cmdline, and another workflow's run directory, and copies all of it into its output. Every
 * secret carries a random canary; with a sandbox (each mode that runs here) no canary reaches
 * the output, while the job still runs to SUCCESS with its output file stored and its logs read.
 * With `--job-sandbox off --job-user root` the same attack does find them (so the canaries are
 * real and the check can fail) and the server logs its loud warning at start.
 *
 * The secret files are world-readable and lie in a folder the bwrap sandbox mounts read-only
 * (`--job-read-only-paths`), so that the sandbox itself, not only file permissions, is tested.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient } from '../../src/gen/flowserv/remote/v1/service.js';
import { JobConfinement } from '../../src/gen/flowserv/remote/v1/service_info.js';
import { WorkflowStateType } from '../../src/gen/flowserv/remote/v1/workflow.js';
import { makePki, type Pki } from '../integration/security/pki.js';
import { scratch } from '../support/fixtures.js';
import { call, waitForStateType } from '../support/grpc-calls.js';
import { autoSandboxKind } from '../support/job-sandbox.js';
import { describeIfAvailable } from '../support/requirements.js';
import { spawnServerProcess, type ServerProcess } from '../support/server-process.js';
import { shellRequest } from '../support/shell-request.js';

const canary = (what: string) => `${what}-canary-${randomBytes(8).toString('hex')}`;

/** One canary per secret; the attack must not bring any of them back. */
const CANARIES = {
  token: canary('token'),
  jwtKey: canary('jwtkey'),
  environ: canary('environ'),
  cmdline: canary('cmdline'),
  otherRun: canary('otherrun'),
  database: canary('database'),
} as const;

const isRoot = process.getuid?.() === 0;
const available = autoSandboxKind();
const MODES = [...(available === 'bwrap' ? (['bwrap'] as const) : []), ...(isRoot ? (['namespaces'] as const) : [])];

/** Secret files (world-readable, in one folder) and the TLS material. */
interface Secrets {
  readonly dir: string;
  readonly tokenFile: string;
  readonly jwtKeyFile: string;
  readonly pki: Pki;
  readonly tlsKeyText: string;
}

function makeSecrets(): Secrets {
  const dir = scratch('fsr-secrets-');
  chmodSync(dir, 0o755);
  const tokenFile = join(dir, 'tokens');
  writeFileSync(tokenFile, `${CANARIES.token} name=owner\n`);
  const jwtKeyFile = join(dir, 'jwt.key');
  writeFileSync(jwtKeyFile, `${CANARIES.jwtKey}-padding-to-32-bytes-and-more\n`);
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir);
  const pki = makePki(pkiDir);
  for (const file of [tokenFile, jwtKeyFile, pki.path('server1.key')]) chmodSync(file, 0o644);
  chmodSync(pkiDir, 0o755);
  const tlsKeyText = readFileSync(pki.path('server1.key'), 'utf8');
  return { dir, tokenFile, jwtKeyFile, pki, tlsKeyText };
}

/** The base64 body of a PEM key: what a stolen key looks like in any output. */
function pemBody(pem: string): string {
  return pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
}

/** A started server and a TLS client carrying the token. */
interface Target {
  readonly server: ServerProcess;
  readonly dataDir: string;
  readonly client: RemoteWorkflowServiceClient;
}

async function startTarget(secrets: Secrets, sandboxArgs: readonly string[]): Promise<Target> {
  const dataDir = scratch('fsr-confine-');
  const server = await spawnServerProcess(
    dataDir,
    [
      '--tls-cert-file', secrets.pki.path('server1.crt'), '--tls-key-file', secrets.pki.path('server1.key'),
      '--auth-token-file', secrets.tokenFile, '--auth-jwt-key-file', secrets.jwtKeyFile,
      // An operator's value on the command line: only /proc/<pid>/cmdline shows it.
      '--slurm-partition', CANARIES.cmdline,
      '--job-read-only-paths', secrets.dir,
      ...sandboxArgs,
    ],
    { FLOWSERV_REMOTE_TEST_CANARY: CANARIES.environ },
  );
  const auth = credentials.createFromMetadataGenerator((_params, callback) => {
    const md = new Metadata();
    md.set('authorization', `Bearer ${CANARIES.token}`);
    callback(null, md);
  });
  const tls = credentials.createSsl(secrets.pki.read('server-ca.crt'));
  const client = new RemoteWorkflowServiceClient(`localhost:${server.port}`, credentials.combineChannelCredentials(tls, auth));
  return { server, dataDir, client };
}

async function stopTarget(target: Target | undefined): Promise<void> {
  if (!target) return;
  target.client.close();
  target.server.child.kill('SIGTERM');
  await target.server.exited;
}

/** Runs a victim workflow (its run id and a file in its run directory carry canaries) and the attack; returns the attack's output. */
async function attack(target: Target, secrets: Secrets, name: string): Promise<{ output: string; stdoutLog: string }> {
  const victim = await call(target.client, 'createWorkflow', shellRequest(`${CANARIES.database}-${name}`, [`echo ${CANARIES.otherRun} > secret.txt`]));
  const victimId = victim.workflow!.workflowId;
  await waitForStateType(target.client, victimId, WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
  const pid = target.server.child.pid!;
  const data = target.dataDir;
  const grab = (label: string, command: string) => `{ echo "== ${label}"; ${command}; } >> out.txt 2>&1 || true`;
  const commands = [
    'echo "own input" > mine.txt',
    grab('token file', `cat '${secrets.tokenFile}'`),
    grab('jwt key', `cat '${secrets.jwtKeyFile}'`),
    grab('tls key', `cat '${secrets.pki.path('server1.key')}'`),
    grab('database', `cat '${join(data, 'flowserv.db')}' '${join(data, 'flowserv.db-wal')}' | tr -c '[:print:]' '\\n' | grep -a canary`),
    grab('server environ', `tr '\\0' '\\n' < /proc/${pid}/environ`),
    grab('server cmdline', `tr '\\0' ' ' < /proc/${pid}/cmdline`),
    grab('every process', `for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do tr '\\0' '\\n' < "$$f"; done`),
    grab('other run', `cat '${join(data, 'runs', victimId, 'work', 'secret.txt')}'`),
    grab('runs listing', `ls -R '${join(data, 'runs')}'`),
    grab('search', `grep -rah canary '${data}' '${secrets.dir}' 2>/dev/null | head -c 100000`),
    'cat mine.txt >> out.txt',
    'echo "attack finished"',
  ];
  const created = await call(target.client, 'createWorkflow', shellRequest(`attack-${name}`, commands, { outputs: ['out.txt'] }));
  const id = created.workflow!.workflowId;
  const state = await waitForStateType(target.client, id, WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
  expect(state.files.map((f) => f.key)).toEqual(['out.txt']);
  const runDir = join(data, 'runs', id);
  return { output: readFileSync(join(runDir, 'work', 'out.txt'), 'utf8'), stdoutLog: readFileSync(join(runDir, '0-12.out'), 'utf8') };
}

/** The canaries (and the TLS key's body) found in `text`. */
function leaks(text: string, secrets: Secrets): string[] {
  const found = Object.entries(CANARIES).filter(([, value]) => text.includes(value)).map(([key]) => key);
  if (text.includes(pemBody(secrets.tlsKeyText).slice(0, 40))) found.push('tlsKey');
  return found;
}

describeIfAvailable('a job that tries to read the server\'s secrets', MODES.length > 0 ? undefined : 'no job sandbox runs here (bubblewrap with user namespaces, or root for unshare)', () => {
  let secrets: Secrets;
  beforeAll(() => {
    secrets = makeSecrets();
  });

  for (const mode of MODES) {
    describeIfAvailable(`in the ${mode} sandbox`, undefined, () => {
      let target: Target | undefined;
      beforeAll(async () => {
        target = await startTarget(secrets, ['--job-sandbox', mode]);
      }, 60_000);
      afterAll(() => stopTarget(target));

      it('is what GetServiceInfo reports for the local engine', async () => {
        const info = await call(target!.client, 'getServiceInfo', {});
        expect(info.engines.find((e) => e.name === 'local')?.capabilities).toMatchObject({
          jobConfinement: mode === 'bwrap' ? JobConfinement.JOB_CONFINEMENT_BUBBLEWRAP : JobConfinement.JOB_CONFINEMENT_NAMESPACES,
          separateJobUser: isRoot,
        });
      });

      it('brings back none of them, and still runs to SUCCESS with its output and logs collected', async () => {
        const { output, stdoutLog } = await attack(target!, secrets, mode);
        expect(output).toContain('== other run');
        expect(output).toContain('own input');
        expect(stdoutLog).toBe('attack finished\n');
        expect(leaks(output, secrets)).toEqual([]);
      }, 60_000);
    });
  }

  describeIfAvailable('with the sandbox off and jobs running as root', isRoot ? undefined : 'needs root (jobs as the server\'s own user root)', () => {
    let target: Target | undefined;
    beforeAll(async () => {
      target = await startTarget(secrets, ['--job-sandbox', 'off', '--job-user', 'root']);
    }, 60_000);
    afterAll(() => stopTarget(target));

    it('logs the loud warning at start, and GetServiceInfo says jobs are not confined', async () => {
      const info = await call(target!.client, 'getServiceInfo', {});
      expect(info.engines.find((e) => e.name === 'local')?.capabilities).toMatchObject({ jobConfinement: JobConfinement.JOB_CONFINEMENT_NONE, separateJobUser: false });
      const warning = target!.server.lines.find((line) => line.level === 'warn' && String(line.msg).startsWith('JOBS ARE NOT CONFINED'));
      expect(warning?.msg).toContain('job sandbox turned off');
      expect(target!.server.lines.some((line) => line.level === 'warn' && line.msg === 'jobs run as root (the job user is root)')).toBe(true);
    });

    it('brings every one of them back (the canaries are real)', async () => {
      const { output } = await attack(target!, secrets, 'off');
      expect(leaks(output, secrets).sort()).toEqual(['cmdline', 'database', 'environ', 'jwtKey', 'otherRun', 'tlsKey', 'token'].sort());
    }, 60_000);
  });
});
