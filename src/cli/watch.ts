/** `flowserv-remote watch ID`: follows a workflow live until it ends; the exit code is its outcome. */
import { clientCommand, COMMON_FLAGS_HELP, EXIT_CODES_HELP, exitCodeFor, UsageError } from './client-common.js';
import type { Command } from './commands.js';
import { followAndPrint } from './follow-printer.js';

const USAGE = `usage: flowserv-remote watch WORKFLOW_ID [flags]

Prints each state of the workflow with the time elapsed since it was created (heartbeats
refresh it) until the workflow ends; resumes after a dropped connection.

flags:
  --logs              also print the output of each step as it is written, and step progress
${COMMON_FLAGS_HELP}

${EXIT_CODES_HELP}
`;

export const command: Command = clientCommand({
  name: 'watch',
  usage: USAGE,
  options: { logs: { type: 'boolean', default: false } },
  async run(p, connect, io) {
    if (p.positionals.length !== 1) throw new UsageError('expected exactly one WORKFLOW_ID');
    const client = connect();
    return exitCodeFor(await followAndPrint(client, p.positionals[0]!, io, { json: p.json, logs: p.values.logs }));
  },
});
