/**
 * File-carrying arguments as flowServ stages them (FLOWSERV.md §4, §6.5, §7.3): a file argument
 * replaces a static file at the same target, actor values carry files (and folders), folder
 * arguments (DirectoryArgument) place whole trees, with their limits and path confinement; every
 * violation names the argument's parameter, with the target in the description.
 */
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Argument } from '../../../src/gen/flowserv/remote/v1/argument.js';
import type { CreateWorkflowRequest, DownloadFileResponse, WatchStateResponse } from '../../../src/gen/flowserv/remote/v1/service.js';
import { ParameterType, type ParameterDeclaration } from '../../../src/gen/flowserv/remote/v1/template.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { call, callError, collect, sha256, upload } from '../../support/grpc-calls.js';
import { helloWorldRequest } from '../../support/helloworld.js';
import { shellRequest } from '../../support/shell-request.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';

let server: AppServer;
const A = Buffer.from('content A\n');
const B = Buffer.from('content B\n');
const BIG = Buffer.alloc(3000, 'x');
beforeAll(async () => {
  server = await startAppServer({ args: ['--max-upload-bytes', '4000'] });
  for (const bytes of [A, B, BIG]) await upload(server.client, bytes);
});
afterAll(() => server.stop());

const base = { label: '', help: '', group: '', values: [], range: '', fields: [] };
const P = ParameterType;

async function runToEnd(req: CreateWorkflowRequest) {
  const created = await call(server.client, 'createWorkflow', req);
  const id = created.workflow!.workflowId;
  const events = await collect<WatchStateResponse>(server.client.watchState({ workflowId: id, afterSequence: 0 }));
  const states = events.flatMap((e) => (e.event?.$case === 'state' ? [e.event.value] : []));
  return { id, last: states.at(-1)! };
}

async function download(workflowId: string, path: string): Promise<string> {
  const parts = await collect<DownloadFileResponse>(server.client.downloadFile({ workflowId, path, offset: 0 }));
  return Buffer.concat(parts.map((p) => Buffer.from(p.chunk))).toString('utf8');
}

function request(parameters: ParameterDeclaration[], args: Argument[], commands: string[], outputs: string[] = []): CreateWorkflowRequest {
  const workflowParameters = Object.fromEntries(parameters.map((p) => [p.name, `$[[${p.name}]]`]));
  return shellRequest(`fa-${Math.random().toString(36).slice(2)}`, commands, { outputs, parameters, workflowParameters, arguments: args });
}

const fileParam = (name: string, target?: string): ParameterDeclaration => ({ ...base, name, dtype: P.PARAMETER_TYPE_FILE, isRequired: true, ...(target && { target }) });
const dirParam = (name: string): ParameterDeclaration => fileParam(name, `${name}/index.json`);
const file = (name: string, bytes: Buffer, targetPath?: string): Argument => ({ name, kind: { $case: 'file', value: { sha256: sha256(bytes), ...(targetPath !== undefined && { targetPath }) } } });
const dir = (name: string, targetPath: string, entries: Array<[string, Buffer | string]>): Argument => ({
  name,
  kind: { $case: 'directory', value: { targetPath, entries: entries.map(([path, b]) => ({ path, sha256: typeof b === 'string' ? b : sha256(b) })) } },
});

describe('a file argument replaces a static file at the same target (flowServ stages static files first)', () => {
  it('runs Hello World with your own names.txt', async () => {
    const req = await helloWorldRequest(server.client, { runId: 'own-names', sleeptime: 0, names: 'Zoe\nYan\n' });
    expect(req.staticFiles.some((f) => f.path === 'data/names.txt')).toBe(true);
    const { id, last } = await runToEnd(req);
    expect(last.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect(await download(id, 'results/greetings.txt')).toBe('Hello Zoe!\nHello Yan!\n');
  });

  it('refuses two arguments aiming at one target, naming the later argument', async () => {
    const req = request([fileParam('a'), fileParam('b')], [file('a', A, 'in/x.txt'), file('b', B, 'in/x.txt')], ['cat in/x.txt']);
    const { err, details } = await callError(server.client, 'createWorkflow', req);
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(details!.fieldViolations).toEqual([expect.objectContaining({ field: 'arguments.b', reason: 'PATH_CONFLICT', description: expect.stringContaining('in/x.txt') })]);
  });
});

describe('actor values that carry files', () => {
  const actor = (files: Array<{ sha256: string; targetPath?: string }>, directories: Array<{ targetPath: string; entries: Array<{ path: string; sha256: string }> }> = []): Argument => ({
    name: 'step',
    kind: { $case: 'actor', value: { spec: { environment: 'sh', commands: ['mkdir -p out', 'cat code/a.txt lib/b.txt > out/all.txt'] }, files, directories } },
  });
  const template = (args: Argument[]): CreateWorkflowRequest => ({
    ...request([], args, []),
    template: {
      workflow: { files: { outputs: ['out/all.txt'] }, steps: [{ name: 'main', action: '$[[step]]' }] },
      parameters: [{ ...base, name: 'step', dtype: P.PARAMETER_TYPE_ACTOR, isRequired: true }],
      parameterGroups: [],
      outputs: [],
    },
  });

  it('stages the actor files and folders like file arguments and runs the actor step', async () => {
    const req = template([actor([{ sha256: sha256(A), targetPath: 'code/a.txt' }], [{ targetPath: 'lib', entries: [{ path: 'b.txt', sha256: sha256(B) }] }])]);
    const { id, last } = await runToEnd(req);
    expect(last.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect(await download(id, 'out/all.txt')).toBe('content A\ncontent B\n');
  });

  it('refuses an actor file without a target path, naming the actor parameter', async () => {
    const { err, details } = await callError(server.client, 'createWorkflow', template([actor([{ sha256: sha256(A) }])]));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(details!.fieldViolations).toEqual([expect.objectContaining({ field: 'arguments.step', description: expect.stringContaining('missing target path') })]);
  });
});

describe('folder arguments (DirectoryArgument)', () => {
  it('places every entry under the target folder and renders the argument as the folder', async () => {
    const req = request([dirParam('runs')], [dir('runs', 'runs', [['runs.json', A], ['r1/results/x.txt', B]])], ['mkdir -p out', 'echo ${runs} > out/name.txt', 'cat ${runs}/runs.json ${runs}/r1/results/x.txt >> out/name.txt'], ['out/name.txt']);
    const { id, last } = await runToEnd(req);
    expect(last.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect(await download(id, 'out/name.txt')).toBe('runs\ncontent A\ncontent B\n');
  });

  it('creates an empty folder for an empty entry list', async () => {
    const req = request([dirParam('runs')], [dir('runs', 'runs', [])], ['mkdir -p out', 'test -d runs && echo yes > out/ok.txt'], ['out/ok.txt']);
    const { id, last } = await runToEnd(req);
    expect(last.type).toBe(WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS);
    expect(await download(id, 'out/ok.txt')).toBe('yes\n');
  });

  it.each<[string, Argument, string, string]>([
    ['an entry path with ..', dir('runs', 'runs', [['../escape.txt', A]]), 'INVALID_PATH', "'..'"],
    ['an absolute target folder', dir('runs', '/etc', [['x', A]]), 'INVALID_PATH', 'relative'],
    ['an empty target folder', dir('runs', '', [['x', A]]), 'INVALID_PATH', 'empty'],
    ['an entry that was never uploaded', dir('runs', 'runs', [['x', sha256('never uploaded')]]), 'UNKNOWN_FILE', 'runs/x'],
    ['entries totalling more than Limits.max_directory_bytes', dir('runs', 'runs', [['a', BIG], ['b', BIG]]), 'DIRECTORY_TOO_LARGE', '6000 bytes'],
  ])('refuses %s with a violation naming the argument', async (_label, arg, reason, text) => {
    const { err, details } = await callError(server.client, 'createWorkflow', request([dirParam('runs')], [arg], ['true']));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(details!.fieldViolations).toEqual([expect.objectContaining({ field: 'arguments.runs', reason, description: expect.stringContaining(text) })]);
  });

  it('advertises its limits in GetServiceInfo', async () => {
    const info = await call(server.client, 'getServiceInfo', {});
    expect(info.limits).toMatchObject({ maxDirectoryEntries: 10_000, maxDirectoryBytes: 4000 });
  });
});

describe('field violations name the argument', () => {
  it.each<[string, Argument, string]>([
    ['a target leaving the run directory', file('input', A, '../escape.txt'), '../escape.txt'],
    ['an absolute target', file('input', A, '/etc/passwd'), '/etc/passwd'],
  ])('%s is reported at arguments.<parameter>, with the target in the description', async (_label, arg, target) => {
    const { details } = await callError(server.client, 'createWorkflow', request([fileParam('input', 'data/in.txt')], [arg], ['true']));
    expect(details!.fieldViolations).toEqual([expect.objectContaining({ field: 'arguments.input', reason: 'INVALID_PATH', description: expect.stringContaining(target) })]);
  });
});
