/**
 * Live logs through the TypeScript client (watchLogs with a LogCursor to resume) and the CLI
 * (`logs --follow`, `submit --watch --logs`) against the real server.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcRemoteClient, LogCursor, type LogEvent } from '../../../src/client/index.js';
import { call } from '../../support/grpc-calls.js';
import { stepsRequest } from '../../support/log-stream.js';
import { startCliInProcess } from '../../support/cli.js';
import { jobGates } from '../../support/job-sandbox.js';
import { startAppServer as startTestServer, type AppServer as TestServer } from '../../support/app-server.js';
import { REPO_ROOT } from '../../support/fixtures.js';

let server: TestServer;
let client: GrpcRemoteClient;
const { dir: gates, serverArgs: gateArgs } = jobGates();
beforeAll(async () => {
  server = await startTestServer({ args: gateArgs });
  client = new GrpcRemoteClient(server.address);
});
afterAll(async () => {
  client.close();
  await server.stop();
});

const waitFor = (name: string): string => `while [ ! -f '${path.join(gates, name)}' ]; do sleep 0.02; done`;
const open = (name: string): void => writeFileSync(path.join(gates, name), '');

async function create(runId: string, steps: ReadonlyArray<readonly [string, readonly string[]]>): Promise<string> {
  return (await call(server.client, 'createWorkflow', stepsRequest(runId, steps))).workflow!.workflowId;
}

/** Runs the CLI against the test server; `out()` shows what it printed so far. */
const cli = (...argv: string[]) => startCliInProcess(argv, { FLOWSERV_REMOTE_SERVER: server.address });

const text = (events: readonly LogEvent[], stream: 'stdout' | 'stderr'): string =>
  Buffer.concat(events.flatMap((e) => (e.kind === 'chunk' && e.stream === stream ? [e.data] : []))).toString();

describe('GrpcRemoteClient.watchLogs', () => {
  it('streams live output, and a later call resumes from a LogCursor with no byte lost or repeated', async () => {
    const id = await create('client-logs', [['main', [`echo one; echo err-one >&2; ${waitFor('client')}; echo two; echo err-two >&2`]]]);
    const cursor = new LogCursor();
    const first: LogEvent[] = [];
    for await (const event of client.watchLogs(id, {}, cursor)) {
      first.push(event);
      if (text(first, 'stdout') === 'one\n' && text(first, 'stderr') === 'err-one\n') break;
    }
    expect(cursor.offsets().sort((a, b) => a.stream.localeCompare(b.stream))).toEqual([
      { step: 0, command: 0, stream: 'stderr', offset: 8 },
      { step: 0, command: 0, stream: 'stdout', offset: 4 },
    ]);
    open('client');
    const rest: LogEvent[] = [];
    for await (const event of client.watchLogs(id, { startOffsets: cursor.offsets() })) rest.push(event);
    expect(text(rest, 'stdout')).toBe('two\n');
    expect(text(rest, 'stderr')).toBe('err-two\n');
    const info = await client.getWorkflow(id);
    expect(info.state.type).toBe('SUCCESS');
    expect(info.progress?.steps.map((s) => [s.name, s.exitCode])).toEqual([['main', 0]]);
    expect((await client.getServiceInfo()).limits.logCapBytes).toBe(64 * 1024 * 1024);
  });
});

describe('CLI logs', () => {
  it('logs --follow prints output while the workflow runs and ends when it has ended', async () => {
    const id = await create('cli-logs', [['first', [`echo hello; ${waitFor('cli')}`]], ['second', ['echo world; echo oops >&2']]]);
    const run = cli('logs', id, '--follow');
    await expect.poll(run.out, { timeout: 10_000 }).toBe('hello\n');
    open('cli');
    expect(await run.done).toBe(0);
    expect(run.out()).toBe('hello\nworld\n');
    const errOnly = cli('logs', id, '--stderr', '--step', '1');
    expect(await errOnly.done).toBe(0);
    expect(errOnly.out()).toBe('oops\n');
    const bad = cli('logs', id, '--step', '9');
    expect(await bad.done).toBe(4);
    expect(bad.err()).toContain('step_index');
  });

  it('submit --watch --logs interleaves step output and progress with the states, the end last', async () => {
    const spec = path.join(REPO_ROOT, 'examples', 'progress', 'progress.yaml');
    const run = cli('submit', spec, '--arg', 'rounds=3', '--arg', 'pause=0.05', '--watch', '--logs');
    expect(await run.done).toBe(0);
    const lines = run.out().split('\n').filter((l) => l !== '');
    const at = (pattern: RegExp): number => lines.findIndex((l) => pattern.test(l));
    expect(lines).toEqual(expect.arrayContaining(['[count] round 1 of 3', '[count] round 3 of 3', '[report] all 3 rounds done', '[report!] note: this line goes to stderr']));
    expect(at(/^step 1\/2 count: started$/)).toBeGreaterThan(-1);
    expect(at(/^step 1\/2 count: exit 0 \(elapsed \d+\.\ds\)$/)).toBeGreaterThan(-1);
    expect(at(/^step 2\/2 report: exit 0/)).toBeGreaterThan(-1);
    expect(at(/^\[count\] round 1 of 3$/)).toBeLessThan(at(/^\[count\] round 3 of 3$/));
    expect(at(/^SUCCESS/)).toBe(lines.length - 1);
    expect(at(/^RUNNING/)).toBeLessThan(at(/^SUCCESS/));
    expect(run.err()).toBe('');
  });
});
