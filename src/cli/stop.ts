/** `flowserv-remote stop ID`: stops a workflow (idempotent) and prints the state it ended in. */
import { serializeState } from '../model/index.js';
import { clientCommand, COMMON_FLAGS_HELP, EXIT, EXIT_CODES_HELP, intFlag, UsageError, writeJson } from './client-common.js';
import type { Command } from './commands.js';

const USAGE = `usage: flowserv-remote stop WORKFLOW_ID [flags]

Stops a workflow: SIGTERM (scancel), then SIGKILL after the grace period. Stopping a finished
workflow changes nothing and prints its final state.

flags:
  --reason TEXT       message of the CANCELED state
  --grace-ms N        grace period in milliseconds (default: the server's)
${COMMON_FLAGS_HELP}

${EXIT_CODES_HELP}
`;

export const command: Command = clientCommand({
  name: 'stop',
  usage: USAGE,
  options: { reason: { type: 'string' }, 'grace-ms': { type: 'string' } },
  async run(p, connect, io) {
    if (p.positionals.length !== 1) throw new UsageError('expected exactly one WORKFLOW_ID');
    const graceMs = intFlag(p.values['grace-ms'], '--grace-ms');
    const client = connect();
    const id = p.positionals[0]!;
    const state = await client.stopWorkflow(id, { ...(p.values.reason !== undefined && { reason: p.values.reason }), ...(graceMs !== undefined && { graceMs }) });
    if (p.json) writeJson(io, { workflowId: id, state: serializeState(state) });
    else {
      io.stdout.write(`workflow ${id}: ${state.type}\n`);
      if ('messages' in state) for (const m of state.messages) io.stdout.write(`    ${m.trimEnd()}\n`);
    }
    return EXIT.OK;
  },
});
