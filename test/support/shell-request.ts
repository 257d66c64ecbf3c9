/** A CreateWorkflowRequest for a one-step shell workflow, the smallest real workflow. */
import type { CreateWorkflowRequest } from '../../src/gen/flowserv/remote/v1/service.js';

/** Options: declared outputs, labels, idempotency key, engine. */
export interface ShellRequestOptions {
  readonly outputs?: readonly string[];
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
      },
      parameters: [],
      parameterGroups: [],
      outputs: [],
    },
    arguments: [],
    staticFiles: [],
    engine: options.engine ?? '',
    labels: { ...options.labels },
    requestId: options.requestId ?? '',
  };
}
