/**
 * The Hello World example as raw protocol messages: the workflow spec read from
 * examples/helloworld, typed parameter declarations, and the example directory uploaded as
 * static files (flowServ copies the whole template directory when the manifest lists no files).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDocument } from '../../src/model/template/yaml-include.js';
import type { Argument } from '../../src/gen/flowserv/remote/v1/argument.js';
import type { CreateWorkflowRequest, RemoteWorkflowServiceClient } from '../../src/gen/flowserv/remote/v1/service.js';
import { ParameterType, type WorkflowTemplate } from '../../src/gen/flowserv/remote/v1/template.js';
import { HELLOWORLD_DIR, NAMES_FILE } from './fixtures.js';
import { sha256, upload, uploadDirectory } from './grpc-calls.js';

/** The template of `specfile` (benchmark.yaml or benchmark-invalid-cmd.yaml) as a proto WorkflowTemplate. */
export function helloWorldTemplate(specfile = 'benchmark.yaml'): WorkflowTemplate {
  const doc = readDocument(join(HELLOWORLD_DIR, specfile)) as { workflow: Record<string, unknown> };
  const base = { label: '', help: '', group: '', values: [], range: '', fields: [] };
  return {
    workflow: doc.workflow,
    parameters: [
      { ...base, name: 'names', dtype: ParameterType.PARAMETER_TYPE_FILE, isRequired: true, target: 'data/names.txt' },
      { ...base, name: 'sleeptime', dtype: ParameterType.PARAMETER_TYPE_INT, defaultValue: 10 },
      { ...base, name: 'greeting', dtype: ParameterType.PARAMETER_TYPE_STRING, defaultValue: 'Hello' },
    ],
    parameterGroups: [],
    outputs: [],
  };
}

/** Uploads the example and the names file; returns a ready CreateWorkflowRequest. */
export async function helloWorldRequest(
  client: RemoteWorkflowServiceClient,
  options: { runId: string; sleeptime?: number; greeting?: string; names?: string; specfile?: string },
): Promise<CreateWorkflowRequest> {
  const staticFiles = await uploadDirectory(client, HELLOWORLD_DIR);
  const names = Buffer.from(options.names ?? readFileSync(NAMES_FILE, 'utf8'));
  await upload(client, names);
  const args: Argument[] = [
    { name: 'names', kind: { $case: 'file', value: { sha256: sha256(names) } } },
    { name: 'sleeptime', kind: { $case: 'value', value: options.sleeptime ?? 0 } },
  ];
  if (options.greeting !== undefined) args.push({ name: 'greeting', kind: { $case: 'value', value: options.greeting } });
  return {
    run: { runId: options.runId },
    template: helloWorldTemplate(options.specfile),
    arguments: args,
    staticFiles,
    engine: '',
    labels: { example: 'helloworld' },
    requestId: '',
  };
}
