/** CreateWorkflowRequests for shell workflows: one step (the smallest real workflow) or several. */
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
  return stepsRequest(runId, [['main', commands]], options);
}

/** A workflow whose steps (name → commands) run with /bin/sh, in order. */
export function stepsRequest(
  runId: string,
  steps: ReadonlyArray<readonly [string, readonly string[]]>,
  options: ShellRequestOptions = {},
): CreateWorkflowRequest {
  return {
    run: { runId },
    template: {
      workflow: {
        steps: steps.map(([name, commands]) => ({ name, action: { environment: 'sh', commands: [...commands] } })),
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
