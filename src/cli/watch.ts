/** `flowserv-remote watch ID`: follows a workflow live until it ends; the exit code is its outcome. */
import { GrpcRemoteClient } from '../client/index.js';
import { clientOptions, COMMON_FLAGS_HELP, EXIT, EXIT_CODES_HELP, exitCodeFor, parseCommand, reportFailure, UsageError } from './client-common.js';
import type { Command } from './commands.js';
import type { Connection } from './connection-options.js';
import { followAndPrint } from './follow-printer.js';

const USAGE = `usage: flowserv-remote watch WORKFLOW_ID [flags]

Prints each state of the workflow with the time elapsed since it was created (heartbeats
refresh it) until the workflow ends; resumes after a dropped connection.

flags:
${COMMON_FLAGS_HELP}

${EXIT_CODES_HELP}
`;

export const command: Command = {
  async run(args, io) {
    let client: GrpcRemoteClient | undefined;
    let connection: Connection | undefined;
    try {
      const p = parseCommand(args, {}, io);
      if (p.help) {
        io.stdout.write(USAGE);
        return EXIT.OK;
      }
      if (p.positionals.length !== 1) throw new UsageError('expected exactly one WORKFLOW_ID');
      connection = p.connection;
      client = new GrpcRemoteClient(p.server, clientOptions(p));
      return exitCodeFor(await followAndPrint(client, p.positionals[0]!, io, { json: p.json }));
    } catch (err) {
      return reportFailure(io, 'watch', USAGE, err, connection);
    } finally {
      client?.close();
    }
  },
};
