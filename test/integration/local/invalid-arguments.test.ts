import { status } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Argument } from '../../../src/gen/flowserv/remote/v1/argument.js';
import type { CreateWorkflowRequest } from '../../../src/gen/flowserv/remote/v1/service.js';
import { ParameterType, type ParameterDeclaration } from '../../../src/gen/flowserv/remote/v1/template.js';
import { call, callError, sha256, upload } from '../../support/grpc-calls.js';
import { startAppServer, type AppServer } from '../../support/app-server.js';
import { shellRequest } from '../../support/shell-request.js';

let server: AppServer;
const NAMES = Buffer.from('Alice\nBob\n');
beforeAll(async () => {
  server = await startAppServer();
  await upload(server.client, NAMES);
});
afterAll(() => server.stop());

const base = { label: '', help: '', group: '', values: [], range: '', fields: [] };
const P = ParameterType;
const PARAMETERS: ParameterDeclaration[] = [
  { ...base, name: 'flag', dtype: P.PARAMETER_TYPE_BOOL, isRequired: false },
  { ...base, name: 'count', dtype: P.PARAMETER_TYPE_INT, range: '[0,10)', defaultValue: 1 },
  { ...base, name: 'ratio', dtype: P.PARAMETER_TYPE_FLOAT, defaultValue: 0.5 },
  { ...base, name: 'choice', dtype: P.PARAMETER_TYPE_SELECT, isRequired: false, values: [{ name: 'A', value: 'a', isDefault: false }, { name: 'B', value: 'b', isDefault: false }] },
  { ...base, name: 'input', dtype: P.PARAMETER_TYPE_FILE, isRequired: true, target: 'data/in.txt' },
  { ...base, name: 'notarget', dtype: P.PARAMETER_TYPE_FILE, isRequired: false },
  { ...base, name: 'items', dtype: P.PARAMETER_TYPE_LIST, isRequired: false, para: { ...base, name: 'item', dtype: P.PARAMETER_TYPE_INT, index: 0, isRequired: true } },
  {
    ...base,
    name: 'rec',
    dtype: P.PARAMETER_TYPE_RECORD,
    isRequired: false,
    fields: [
      { ...base, name: 'a', dtype: P.PARAMETER_TYPE_INT, index: 0, isRequired: true },
      { ...base, name: 'b', dtype: P.PARAMETER_TYPE_STRING, index: 1, isRequired: false },
    ],
  },
  { ...base, name: 'actor', dtype: P.PARAMETER_TYPE_ACTOR, isRequired: false },
];

const value = (name: string, v: unknown): Argument => ({ name, kind: { $case: 'value', value: v } });
const file = (name: string, targetPath?: string): Argument => ({ name, kind: { $case: 'file', value: { sha256: sha256(NAMES), ...(targetPath !== undefined && { targetPath }) } } });

function request(args: Argument[], overrides: Partial<CreateWorkflowRequest> = {}): CreateWorkflowRequest {
  const options = { parameters: PARAMETERS, workflowParameters: { count: '$[[count]]' }, arguments: args };
  return { ...shellRequest(`bad-${Math.random().toString(36).slice(2)}`, ['echo ${count}'], options), ...overrides };
}

const CASES: Array<[string, Argument[], string]> = [
  ['an unknown parameter', [file('input'), value('nosuch', 1)], 'arguments.nosuch'],
  ['a duplicate argument', [file('input'), value('count', 1), value('count', 2)], 'arguments.count'],
  ['a missing required argument', [value('count', 2)], 'arguments.input'],
  ['a bool that is not a Boolean', [file('input'), value('flag', 'yes')], 'arguments.flag'],
  ['an int that does not parse', [file('input'), value('count', '3.5')], 'arguments.count'],
  ['an int outside its range', [file('input'), value('count', 10)], 'arguments.count'],
  ['a float that does not parse', [file('input'), value('ratio', 'abc')], 'arguments.ratio'],
  ['a select value not among the options', [file('input'), value('choice', 'c')], 'arguments.choice'],
  ['a file without any target path', [file('input'), file('notarget')], 'arguments.notarget'],
  ['a plain value for a file parameter', [value('input', 'data/in.txt')], 'arguments.input'],
  ['a list that is not a list', [file('input'), value('items', 'x')], 'arguments.items'],
  ['a list element of the wrong type', [file('input'), value('items', [1, 'x'])], 'arguments.items'],
  ['a record missing a required field', [file('input'), value('rec', [{ name: 'b', value: 'x' }])], 'arguments.rec'],
  ['a record with an unknown field', [file('input'), value('rec', [{ name: 'a', value: 1 }, { name: 'z', value: 1 }])], 'arguments.rec'],
  ['an actor given as a string', [file('input'), value('actor', 'not an actor')], 'arguments.actor'],
  ['a file target leaving the run directory', [file('input', '../escape.txt')], 'arguments'],
  ['an absolute file target', [file('input', '/etc/passwd')], 'arguments'],
];

describe('CreateWorkflow rejects invalid arguments with INVALID_ARGUMENT and a field violation naming the parameter', () => {
  it.each(CASES)('%s', async (_label, args, field) => {
    const { err, details } = await callError(server.client, 'createWorkflow', request(args));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(details?.errorInfo).toMatchObject({ reason: 'INVALID_ARGUMENT', domain: 'flowserv.remote.v1' });
    expect(details!.fieldViolations.length).toBeGreaterThan(0);
    expect(details!.fieldViolations.some((v) => v.field.startsWith(field))).toBe(true);
    expect((await server.app.service.listWorkflows({})).workflows).toHaveLength(0);
  });

  it('reports every bad argument of one request at once', async () => {
    const { details } = await callError(server.client, 'createWorkflow', request([value('flag', 'maybe'), value('count', 'x'), value('nosuch', 0)]));
    expect(details!.fieldViolations.map((v) => v.field).sort()).toEqual(['arguments.count', 'arguments.flag', 'arguments.input', 'arguments.nosuch']);
  });
});

describe('CreateWorkflow rejects invalid templates and envelopes', () => {
  it.each<[string, Partial<CreateWorkflowRequest>, string]>([
    ['a workflow with zero steps', { template: { workflow: { steps: [] }, parameters: [], parameterGroups: [], outputs: [] } }, 'template'],
    ['a reference to an undeclared parameter', { template: { workflow: { steps: [{ name: 's', action: { environment: 'sh', commands: ['$[[ghost]]'] } }] }, parameters: [], parameterGroups: [], outputs: [] } }, 'template'],
    ['a template without a workflow', { template: { parameters: [], parameterGroups: [], outputs: [] } }, 'template.workflow'],
    ['an unknown engine', { engine: 'pbs' }, 'engine'],
    ['a static file path with ..', { staticFiles: [{ path: '../x', sha256: sha256(NAMES) }] }, 'static_files[0].path'],
    ['a static file that was never uploaded', { staticFiles: [{ path: 'x', sha256: sha256('never uploaded') }] }, 'static_files[0].sha256'],
    ['an invalid run id', { run: { runId: 'has spaces' } }, 'run.run_id'],
  ])('%s', async (_label, overrides, field) => {
    const args = overrides.template ? [] : [file('input')];
    const { err, details } = await callError(server.client, 'createWorkflow', request(args, overrides));
    expect(err.code).toBe(status.INVALID_ARGUMENT);
    expect(details!.fieldViolations.some((v) => v.field.startsWith(field))).toBe(true);
  });
});

describe('CreateWorkflow reports every problem of a request in one BadRequest', () => {
  it('a bad run id and a bad argument are both reported', async () => {
    const { details } = await callError(server.client, 'createWorkflow', request([file('input'), value('count', 'x')], { run: { runId: 'has spaces' } }));
    expect(details!.fieldViolations.map((v) => [v.field, v.reason]).sort()).toEqual([
      ['arguments.count', 'INVALID_ARGUMENT'],
      ['run.run_id', 'INVALID_RUN_ID'],
    ]);
  });

  it('a zero-step workflow with an unknown argument reports both', async () => {
    const template = { workflow: { steps: [] }, parameters: [], parameterGroups: [], outputs: [] };
    const { details } = await callError(server.client, 'createWorkflow', request([value('nosuch', 1)], { template }));
    expect(details!.fieldViolations.map((v) => [v.field, v.reason]).sort()).toEqual([
      ['arguments.nosuch', 'UNKNOWN_PARAMETER'],
      ['template.workflow.steps', 'EMPTY_WORKFLOW'],
    ]);
  });

  it('an argument without a value, an unknown engine, a bad label and a bad argument are all reported', async () => {
    const empty: Argument = { name: 'flag', kind: undefined };
    const { details } = await callError(
      server.client,
      'createWorkflow',
      request([file('input'), empty, value('ratio', 'abc')], { engine: 'pbs', labels: { '-bad': 'x' } }),
    );
    expect(details!.fieldViolations.map((v) => [v.field, v.reason]).sort()).toEqual([
      ['arguments.flag', 'MISSING_VALUE'],
      ['arguments.ratio', 'INVALID_ARGUMENT'],
      ['engine', 'UNKNOWN_ENGINE'],
      ['labels.-bad', 'INVALID_LABEL'],
    ]);
  });

  it('text no store can keep (NUL characters) in a label, the request id, the group and workflow ids is reported', async () => {
    const { details } = await callError(
      server.client,
      'createWorkflow',
      request([file('input'), value('count', 1)], { labels: { team: 'a\0b' }, requestId: 'req\0', run: { runId: 'nul-run', groupId: 'g\0', workflowId: 'w\0' } }),
    );
    expect(details!.fieldViolations.map((v) => [v.field, v.reason]).sort()).toEqual([
      ['labels.team', 'INVALID_LABEL'],
      ['request_id', 'INVALID_REQUEST_ID'],
      ['run.group_id', 'INVALID_RUN_ID'],
      ['run.workflow_id', 'INVALID_RUN_ID'],
    ]);
  });

  it('a missing run is reported with the arguments\' problems', async () => {
    const { details } = await callError(server.client, 'createWorkflow', { ...request([value('count', 'x')]), run: undefined });
    expect(details!.fieldViolations.map((v) => [v.field, v.reason]).sort()).toEqual([
      ['arguments.count', 'INVALID_ARGUMENT'],
      ['arguments.input', 'MISSING_ARGUMENT'],
      ['run', 'MISSING_RUN'],
    ]);
  });
});

describe('the run_id rule is the one the proto states', () => {
  const proto = readFileSync(fileURLToPath(new URL('../../../proto/flowserv/remote/v1/workflow.proto', import.meta.url)), 'utf8');

  it('RunObject.run_id documents 1 to 64 letters, digits, _ . - (flowServ 32-hex ids fit)', () => {
    expect(proto).toMatch(/run_id is flowServ's run id, chosen by the caller: 1 to 64 characters of letters, digits,\s*\/\/ '_', '\.' and '-'/);
  });

  it.each([
    ['a flowServ id (32 hex)', 'a'.repeat(32), true],
    ['64 characters of letters, digits, _ . -', `${'Ab9_.-'.repeat(10)}Zz01`, true],
    ['65 characters', 'a'.repeat(65), false],
    ['a space', 'run 1', false],
    ['a slash', 'run/1', false],
  ])('%s: accepted=%s', async (_label, runId, accepted) => {
    const req = request([file('input')], { run: { runId } });
    if (accepted) {
      const res = await call(server.client, 'createWorkflow', req);
      expect(res.workflow!.runId).toBe(runId);
    } else {
      const { err, details } = await callError(server.client, 'createWorkflow', req);
      expect(err.code).toBe(status.INVALID_ARGUMENT);
      expect(details!.fieldViolations).toEqual([expect.objectContaining({ field: 'run.run_id', reason: 'INVALID_RUN_ID' })]);
    }
  });
});
