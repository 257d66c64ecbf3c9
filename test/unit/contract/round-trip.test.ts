/**
 * Round trips through the generated ts-proto code, and a cross-check that its bytes decode with
 * the descriptor set (the schema other languages and grpcurl use) into the same JSON.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createFileRegistry, fromBinary, toBinary, toJson } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { Argument } from '../../../src/gen/flowserv/remote/v1/argument.js';
import {
  CreateWorkflowRequest,
  UploadFileRequest,
  WatchStateResponse,
} from '../../../src/gen/flowserv/remote/v1/service.js';
import { ParameterType, type ParameterDeclaration } from '../../../src/gen/flowserv/remote/v1/template.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';

const DESCRIPTOR_SET = fileURLToPath(new URL('../../../src/gen/descriptor-set.binpb', import.meta.url));
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(DESCRIPTOR_SET)));
const SHA = 'a'.repeat(64);

const recordField = (name: string, dtype: ParameterType, index: number, extra: Partial<ParameterDeclaration> = {}) =>
  ({
    name,
    dtype,
    index,
    isRequired: false,
    label: '',
    help: '',
    group: '',
    values: [],
    range: '',
    fields: [],
    ...extra,
  }) satisfies ParameterDeclaration;

function sampleRequest(): CreateWorkflowRequest {
  return {
    run: { runId: '0123456789abcdef0123456789abcdef', workflowId: 'hello_world', groupId: undefined },
    template: {
      workflow: {
        steps: [{ name: 'say', action: { environment: 'python:3.12', commands: ['python hello.py $[[names]]'] } }],
        files: { inputs: ['hello.py'], outputs: ['results/greetings.txt'] },
      },
      parameters: [
        // A top-level declaration relying on flowServ's defaulting: no index, no isRequired.
        recordField('greeting', ParameterType.PARAMETER_TYPE_STRING, 0, {
          index: undefined,
          isRequired: undefined,
          defaultValue: 'Hello',
        }),
        recordField('names', ParameterType.PARAMETER_TYPE_FILE, 1, { isRequired: true, target: 'data/names.txt' }),
        // A list of records: the recursive `para` and `fields` declarations.
        recordField('points', ParameterType.PARAMETER_TYPE_LIST, 2, {
          para: recordField('point', ParameterType.PARAMETER_TYPE_RECORD, 0, {
            fields: [
              recordField('x', ParameterType.PARAMETER_TYPE_INT, 0, { isRequired: true, range: '[0,10)' }),
              recordField('y', ParameterType.PARAMETER_TYPE_FLOAT, 1, { defaultValue: 1.5 }),
              recordField('tag', ParameterType.PARAMETER_TYPE_SELECT, 2, {
                values: [
                  { name: 'One', value: 1, isDefault: true },
                  { name: 'Text', value: 'one', isDefault: false },
                ],
                defaultValue: null,
              }),
            ],
          }),
        }),
        recordField('step', ParameterType.PARAMETER_TYPE_ACTOR, 3, { group: 'advanced' }),
      ],
      parameterGroups: [{ name: 'advanced', title: 'Advanced', index: 0 }],
      outputs: [{ source: 'results/greetings.txt', key: 'greetings', title: 'Greetings', caption: '', format: { type: 'plaintext' }, widget: undefined }],
      postproc: undefined,
      results: { file: 'results/analytics.json', schema: [{ name: 'avg_count', label: 'Avg. Chars', dtype: 'float' }] },
    },
    arguments: [
      { name: 'greeting', kind: { $case: 'value', value: 'Hi' } },
      { name: 'names', kind: { $case: 'file', value: { sha256: SHA, targetPath: 'data/names.txt' } } },
      {
        name: 'points',
        kind: {
          $case: 'value',
          value: [
            [
              { name: 'x', value: 3 },
              { name: 'tag', value: 'one' },
            ],
            [{ name: 'x', value: 0 }],
          ],
        },
      },
      {
        name: 'step',
        kind: {
          $case: 'actor',
          value: { spec: { environment: 'alpine', commands: ['cat in.txt'] }, files: [{ sha256: SHA, targetPath: undefined }], directories: [] },
        },
      },
    ],
    staticFiles: [{ path: 'hello.py', sha256: SHA }],
    engine: 'local',
    labels: { team: 'ml', benchmark: 'hello' },
    requestId: 'req-1',
    resources: { partition: 'debug', timeLimit: { seconds: 3600, nanos: 0 }, cpus: 2, memoryMb: 4096, extraArgs: ['--exclusive'] },
  };
}

describe('CreateWorkflowRequest round trip (ts-proto)', () => {
  it('keeps a nested list/record declaration and each Argument oneof case', () => {
    const request = sampleRequest();
    const decoded = CreateWorkflowRequest.decode(CreateWorkflowRequest.encode(request).finish());
    expect(decoded).toEqual(request);
    expect(decoded.arguments.map((a) => a.kind?.$case)).toEqual(['value', 'file', 'value', 'actor']);
    expect(decoded.template?.parameters[2]?.para?.fields.map((f) => f.name)).toEqual(['x', 'y', 'tag']);
  });

  it('keeps optional presence: absent index/isRequired differ from 0/false', () => {
    const decoded = CreateWorkflowRequest.decode(CreateWorkflowRequest.encode(sampleRequest()).finish());
    const [greeting, names, points] = decoded.template!.parameters;
    expect(greeting?.index).toBeUndefined();
    expect(greeting?.isRequired).toBeUndefined();
    expect(names?.index).toBe(1);
    expect(points?.para?.index).toBe(0);
    expect(points?.para?.isRequired).toBe(false);
    expect(decoded.run?.groupId).toBeUndefined();
  });

  it('distinguishes a null Value from an absent one', () => {
    const decoded = CreateWorkflowRequest.decode(CreateWorkflowRequest.encode(sampleRequest()).finish());
    const tag = decoded.template!.parameters[2]!.para!.fields[2]!;
    expect(tag.defaultValue).toBeNull();
    expect(decoded.template!.parameters[1]!.defaultValue).toBeUndefined();
    const nullArgument = Argument.decode(Argument.encode({ name: 'n', kind: { $case: 'value', value: null } }).finish());
    expect(nullArgument.kind).toEqual({ $case: 'value', value: null });
  });

  it('decodes with the descriptor set into the same proto JSON', () => {
    const request = sampleRequest();
    const schema = registry.getMessage('flowserv.remote.v1.CreateWorkflowRequest')!;
    const message = fromBinary(schema, CreateWorkflowRequest.encode(request).finish());
    expect(CreateWorkflowRequest.decode(toBinary(schema, message))).toEqual(request);
    const viaDescriptor = toJson(schema, message, { registry });
    expect(viaDescriptor).toMatchObject({
      run: { runId: request.run!.runId },
      arguments: [
        { name: 'greeting', value: 'Hi' },
        { name: 'names', file: { sha256: SHA, targetPath: 'data/names.txt' } },
        { name: 'points' },
        { name: 'step', actor: { spec: { environment: 'alpine' } } },
      ],
      resources: { timeLimit: '3600s', memoryMb: '4096' },
    });
  });

  it('ts-proto toJSON is not canonical proto3 JSON for Duration and int64 (use @bufbuild toJson)', () => {
    expect(CreateWorkflowRequest.toJSON(sampleRequest())).toMatchObject({
      resources: { timeLimit: { seconds: 3600 }, memoryMb: 4096 },
    });
  });
});

describe('stream message oneofs (ts-proto)', () => {
  it('round-trips WatchStateResponse state and heartbeat events', () => {
    const state: WatchStateResponse = {
      event: {
        $case: 'state',
        value: {
          type: WorkflowStateType.WORKFLOW_STATE_TYPE_SUCCESS,
          sequence: 3,
          createdAt: new Date('2026-01-02T03:04:05.123Z'),
          startedAt: new Date('2026-01-02T03:04:06.000Z'),
          stoppedAt: undefined,
          finishedAt: new Date('2026-01-02T03:05:00.999Z'),
          messages: [],
          files: [{ key: 'results/greetings.txt', sizeBytes: 42, sha256: SHA }],
        },
      },
    };
    const heartbeat: WatchStateResponse = { event: { $case: 'heartbeat', value: { time: new Date(0), lastSequence: 3 } } };
    for (const message of [state, heartbeat]) {
      expect(WatchStateResponse.decode(WatchStateResponse.encode(message).finish())).toEqual(message);
    }
  });

  it('round-trips UploadFileRequest header and chunk cases', () => {
    const header: UploadFileRequest = { content: { $case: 'header', value: { sha256: SHA, sizeBytes: 3, name: 'a.txt' } } };
    const chunk: UploadFileRequest = { content: { $case: 'chunk', value: Buffer.from([1, 2, 3]) } };
    expect(UploadFileRequest.decode(UploadFileRequest.encode(header).finish())).toEqual(header);
    const decoded = UploadFileRequest.decode(UploadFileRequest.encode(chunk).finish());
    expect(decoded.content?.$case).toBe('chunk');
    expect(Buffer.from(decoded.content!.value as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
  });
});
