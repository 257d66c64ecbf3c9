/**
 * A second language against the real server: generates Python stubs with Debian's protoc
 * (test/interop/generate.sh) and runs test/interop/client.py with Debian's /usr/bin/python3
 * against an in-process server on 127.0.0.1:0. The client prints one line per check; every check
 * must pass. Skips locally when the Debian packages are missing (scripts/install-python-deps.sh
 * installs them); under FLOWSERV_TEST_REQUIRE_ALL=1 a missing package fails instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIfAvailable } from '../support/requirements.js';
import { codeBlocks, readmeSection } from '../unit/docs/readme.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3';
const GENERATE = join(ROOT, 'test/interop/generate.sh');
const CLIENT = join(ROOT, 'test/interop/client.py');

/** Every check client.py runs, in order; each must print `PASS <name>: …`. */
const CHECKS = [
  'health.overall',
  'health.service',
  'reflection.list_services',
  'reflection.resolve_types',
  'reflection.resolve_health',
  'service_info',
  'template.from_yaml',
  'files.upload',
  'workflow.create',
  'workflow.watch_success',
  'download.greetings',
  'download.analytics',
  'workflow.stop',
  'errors.invalid_argument',
  'errors.not_found',
] as const;

/** What is missing for this suite, or undefined. Checked once, before any server starts. */
function missingPythonToolchain(): string | undefined {
  const hint = 'run scripts/install-python-deps.sh';
  for (const file of ['/usr/bin/protoc', '/usr/bin/grpc_python_plugin', '/usr/share/grpc-proto/grpc/health/v1/health.proto']) {
    if (!existsSync(file)) return `${file} not found (${hint})`;
  }
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import grpc, grpc_tools, google.protobuf, yaml'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} cannot import grpc, grpc_tools, protobuf and yaml (${hint})`;
  return undefined;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program without blocking the event loop (the server under test lives in this process,
 * so spawnSync would starve it).
 */
function run(command: string, args: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function transcript(r: Run): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

describeIfAvailable('Python interop (Debian grpcio against the real server)', missingPythonToolchain(), () => {
  let server: TestServer;
  let genDir: string;

  beforeAll(async () => {
    genDir = mkdtempSync(join(tmpdir(), 'fsr-pygen-'));
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.stop();
    if (genDir) rmSync(genDir, { recursive: true, force: true });
  });

  it('generates the Python stubs with Debian protoc', async () => {
    const generated = await run('bash', [GENERATE, genDir], 60_000);
    expect(generated.code, transcript(generated)).toBe(0);
    for (const module of [
      'flowserv/remote/v1/service_pb2_grpc.py',
      'google/rpc/error_details_pb2.py',
      'health/v1/health_pb2_grpc.py',
      'reflection/v1/reflection_pb2_grpc.py',
    ]) {
      expect(existsSync(join(genDir, module)), module).toBe(true);
    }
  });

  it('passes every client.py check', async () => {
    const result = await run(PYTHON, [CLIENT, server.address, '--gen', genDir], 120_000);
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('PASS ')).slice(0, -1), transcript(result)).toEqual([]);
    for (const check of CHECKS) {
      expect(lines.some((l) => l.startsWith(`PASS ${check}: `)), `${check}\n${transcript(result)}`).toBe(true);
    }
    expect(lines.at(-1)).toBe(`python-interop: all ${CHECKS.length} checks passed`);
    expect(result.code, transcript(result)).toBe(0);
  }, 150_000);

  it("runs the README's Python snippet (create, watch, download)", async () => {
    const section = readmeSection('Calling from Python');
    expect(section, 'README.md has no "## Calling from Python" section').toBeDefined();
    const snippet = codeBlocks(section ?? '', ['python']).find((b) => b.includes('DownloadFile'));
    expect(snippet, 'no Python block that downloads').toBeDefined();
    const script = join(genDir, 'readme_snippet.py');
    writeFileSync(script, (snippet ?? '')
      .replace("'test/interop/gen'", JSON.stringify(genDir))
      .replace("'127.0.0.1:50051'", JSON.stringify(server.address)));
    const result = await run(PYTHON, [script], 60_000);
    expect(result.code, transcript(result)).toBe(0);
    expect(result.stdout, transcript(result)).toMatch(
      /WORKFLOW_STATE_TYPE_PENDING[\s\S]*WORKFLOW_STATE_TYPE_RUNNING[\s\S]*WORKFLOW_STATE_TYPE_SUCCESS[\s\S]*Hi Alice!\nHi Bob!\n$/,
    );
  }, 90_000);
});
