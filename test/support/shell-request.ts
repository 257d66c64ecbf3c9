/** A CreateWorkflowRequest for a one-step shell workflow, the smallest real workflow. */
import type { Argument } from '../../src/gen/flowserv/remote/v1/argument.js';
import type { CreateWorkflowRequest } from '../../src/gen/flowserv/remote/v1/service.js';
import type { ParameterDeclaration } from '../../src/gen/flowserv/remote/v1/template.js';

/**
 * Options: declared outputs, labels, idempotency key, engine; and for workflows with
 * parameters, their declarations, the workflow's `parameters` section (variable → `$[[name]]`)
 * and the arguments.
 */
export interface ShellRequestOptions {
  readonly outputs?: readonly string[];
  readonly parameters?: readonly ParameterDeclaration[];
  readonly workflowParameters?: Readonly<Record<string, string>>;
  readonly arguments?: readonly Argument[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly requestId?: string;
  readonly engine?: string;
}

/** One step named `main` running `commands` with /bin/sh. */
export function shellRequest(runId: string, commands: readonly string[], options: ShellRequestOptions = {}): CreateWorkflowRequest {
  return {
    run: { runId },
    template: {
      workflow: {
        steps: [{ name: 'main', action: { environment: 'sh', commands: [...commands] } }],
        ...(options.outputs && { files: { outputs: [...options.outputs] } }),
        ...(options.workflowParameters && { parameters: { ...options.workflowParameters } }),
      },
      parameters: [...(options.parameters ?? [])],
      parameterGroups: [],
      outputs: [],
    },
    arguments: [...(options.arguments ?? [])],
    staticFiles: [],
    engine: options.engine ?? '',
    labels: { ...options.labels },
    requestId: options.requestId ?? '',
  };
}
