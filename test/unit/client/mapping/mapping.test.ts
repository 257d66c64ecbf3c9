/**
 * Client-side mappings: flowServ template → protobuf (the inverse of the server's, checked by
 * round-tripping through it), cast arguments → protobuf, and error rebuilding from statuses.
 */
import { Metadata, status as Code, type ServiceError } from '@grpc/grpc-js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallCancelledError, FileNotFoundError, InvalidArgumentError, NotFoundError, RemoteError, toRemoteError, UnavailableError, WorkflowNotFoundError } from '../../../../src/client/errors.js';
import { argumentsToProto } from '../../../../src/client/mapping/arguments.js';
import { stateFromProto, stateToProto } from '../../../../src/client/mapping/state.js';
import { templateToProto } from '../../../../src/client/mapping/template.js';
import { ParameterType } from '../../../../src/gen/flowserv/remote/v1/template.js';
import { ActorValue, InputDirectory, InputFile, loadTemplateDirectory, parseTemplate, PyFloat, StatePending, templateToDict } from '../../../../src/model/index.js';
import { templateToDoc } from '../../../../src/server/mapping/template.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from '../../../../src/wire/status-details.js';
import { fileURLToPath } from 'node:url';

const HELLO = path.join(fileURLToPath(new URL('../../../../', import.meta.url)), 'examples', 'helloworld');

describe('templateToProto', () => {
  it('round-trips the Hello World template through the server mapping', () => {
    const { template } = loadTemplateDirectory(HELLO);
    const proto = templateToProto(template);
    expect(proto.parameters.map((p) => p.dtype)).toEqual([ParameterType.PARAMETER_TYPE_FILE, ParameterType.PARAMETER_TYPE_INT, ParameterType.PARAMETER_TYPE_STRING]);
    expect(proto.parameters[0]!.target).toBe('data/names.txt');
    expect(parseTemplate(templateToDoc(proto))).toEqual(template);
    expect(templateToDoc(proto)).toEqual(templateToDict(template));
  });

  it('takes a raw document and keeps absent keys absent', () => {
    const doc = {
      workflow: { steps: [] },
      parameters: [
        { name: 'x', dtype: 'select', values: [{ name: 'A', value: 1, isDefault: true }, { name: 'B', value: 2 }] },
        { name: 'r', dtype: 'record', fields: [{ name: 'f', dtype: 'float', index: 0, isRequired: false, range: '[0,1]' }] },
        { name: 'l', dtype: 'list', para: { name: 'i', dtype: 'int', index: 0, isRequired: true } },
        { name: 'w', dtype: 'weird' },
      ],
      outputs: [{ source: 'a.txt', format: { type: 'plaintext' } }],
    };
    const proto = templateToProto(doc);
    const [x, r, l, w] = proto.parameters;
    expect(x!.index).toBeUndefined();
    expect(x!.isRequired).toBeUndefined();
    expect(x!.values).toEqual([{ name: 'A', value: 1, isDefault: true }, { name: 'B', value: 2, isDefault: false }]);
    expect(r!.fields[0]!.range).toBe('[0,1]');
    expect(l!.para!.dtype).toBe(ParameterType.PARAMETER_TYPE_INT);
    expect(w!.dtype).toBe(ParameterType.PARAMETER_TYPE_UNSPECIFIED);
    expect(proto.outputs).toEqual([{ source: 'a.txt', key: '', title: '', caption: '', format: { type: 'plaintext' }, widget: undefined }]);
  });
});

describe('argumentsToProto', () => {
  it('maps files, actors, PyFloat and plain values', () => {
    const names = new InputFile('/tmp/names.txt', 'data/names.txt');
    const extra = new InputFile('/tmp/code.py', 'code/x.py');
    const args = argumentsToProto(
      { names, actor: new ActorValue({ environment: 'python' }, [extra]), f: new PyFloat(2), rec: { a: new PyFloat(1.5), b: [1, 'x'] }, n: null },
      (source) => (source === names.source ? 'a'.repeat(64) : 'b'.repeat(64)),
    );
    expect(args).toEqual([
      { name: 'names', kind: { $case: 'file', value: { sha256: 'a'.repeat(64), targetPath: 'data/names.txt' } } },
      { name: 'actor', kind: { $case: 'actor', value: { spec: { environment: 'python' }, files: [{ sha256: 'b'.repeat(64), targetPath: 'code/x.py' }], directories: [] } } },
      { name: 'f', kind: { $case: 'value', value: 2 } },
      { name: 'rec', kind: { $case: 'value', value: { a: 1.5, b: [1, 'x'] } } },
      { name: 'n', kind: { $case: 'value', value: null } },
    ]);
  });

  it('maps a folder (InputDirectory) to a DirectoryArgument with one entry per file', () => {
    const runs = new InputDirectory([{ path: 'runs.json', source: '/tmp/r/runs.json' }, { path: 'a1/results/x.json', source: '/tmp/r/a1/x.json' }], 'runs');
    const args = argumentsToProto({ runs }, (source) => (source.endsWith('runs.json') ? 'a'.repeat(64) : 'b'.repeat(64)));
    expect(args).toEqual([
      {
        name: 'runs',
        kind: {
          $case: 'directory',
          value: { targetPath: 'runs', entries: [{ path: 'runs.json', sha256: 'a'.repeat(64) }, { path: 'a1/results/x.json', sha256: 'b'.repeat(64) }] },
        },
      },
    ]);
  });
});

describe('state mapping', () => {
  it('round-trips the type and keeps timestamps', () => {
    const running = new StatePending(new Date('2026-01-01T00:00:00Z')).start(new Date('2026-01-01T00:00:01Z'));
    const back = stateFromProto(stateToProto(running));
    expect(back.type).toBe('RUNNING');
    expect(back.createdAt.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(back.type === 'RUNNING' && back.startedAt.toISOString()).toBe('2026-01-01T00:00:01.000Z');
  });
});

function grpcError(code: number, details: string, extra?: Parameters<typeof encodeStatusDetails>[0]): ServiceError {
  const metadata = new Metadata();
  if (extra) metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails(extra));
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

describe('toRemoteError', () => {
  it('reads ErrorInfo and BadRequest from the status details', () => {
    const err = toRemoteError(
      grpcError(Code.INVALID_ARGUMENT, 'bad', {
        code: Code.INVALID_ARGUMENT,
        message: 'invalid workflow',
        errorInfo: { reason: 'INVALID_ARGUMENT', domain: 'flowserv.remote.v1', metadata: {} },
        fieldViolations: [{ field: 'arguments.x', description: 'missing', reason: 'MISSING_ARGUMENT' }],
      }),
    );
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations).toEqual([{ field: 'arguments.x', description: 'missing', reason: 'MISSING_ARGUMENT' }]);
    expect((err as InvalidArgumentError).message).toBe('invalid workflow');
  });

  it('picks the class by reason (FILE_NOT_FOUND), else by code, works without details, and honours aborts', () => {
    // Without a reason, NOT_FOUND does not say what was not found: the generic class.
    const bare = toRemoteError(grpcError(Code.NOT_FOUND, 'x'));
    expect(bare).toBeInstanceOf(NotFoundError);
    expect(bare).not.toBeInstanceOf(WorkflowNotFoundError);
    const file = toRemoteError(grpcError(Code.NOT_FOUND, 'x', { code: 5, message: 'x', errorInfo: { reason: 'FILE_NOT_FOUND', domain: 'flowserv.remote.v1', metadata: {} }, fieldViolations: [] }));
    expect(file).toBeInstanceOf(FileNotFoundError);
    expect(toRemoteError(grpcError(Code.UNAVAILABLE, 'down'))).toBeInstanceOf(UnavailableError);
    expect(toRemoteError(grpcError(Code.UNAVAILABLE, 'down'), true)).toBeInstanceOf(CallCancelledError);
    expect(toRemoteError(grpcError(Code.ABORTED, 'x'))).toBeInstanceOf(RemoteError);
    const plain = new Error('disk full');
    expect(toRemoteError(plain)).toBe(plain);
  });
});
