/** `flowserv-remote status ID`: one workflow's latest state, files and labels. */
import { GrpcRemoteClient } from '../client/index.js';
import { formatTimestamp } from '../model/index.js';
import { clientOptions, COMMON_FLAGS_HELP, elapsed, EXIT, EXIT_CODES_HELP, exitCodeFor, parseCommand, reportFailure, UsageError, workflowJson, writeJson } from './client-common.js';
import type { Command } from './commands.js';
import type { Connection } from './connection-options.js';

const USAGE = `usage: flowserv-remote status WORKFLOW_ID [flags]

Shows a workflow's latest state. The exit code reflects it (an active workflow gives 0).

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
      const w = await client.getWorkflow(p.positionals[0]!);
      if (p.json) {
        writeJson(io, workflowJson(w));
        return exitCodeFor(w.state);
      }
      const rows: [string, string][] = [
        ['workflow', w.workflowId],
        ['run', w.runId],
        ['engine', w.engine],
        ['state', `${w.state.type} (sequence ${w.sequence}, elapsed ${elapsed(w.state)})`],
        ['created', formatTimestamp(w.state.createdAt)],
        ...w.files.map((f): [string, string] => ['file', `${f.key} (${f.sizeBytes} bytes, sha256 ${f.sha256})`]),
        ...('messages' in w.state ? w.state.messages.map((m): [string, string] => ['message', m.trimEnd()]) : []),
        ...Object.entries(w.labels).map(([k, v]): [string, string] => ['label', `${k}=${v}`]),
      ];
      for (const [k, v] of rows) io.stdout.write(`${k.padEnd(9)} ${v}\n`);
      return exitCodeFor(w.state);
    } catch (err) {
      return reportFailure(io, 'status', USAGE, err, connection);
    } finally {
      client?.close();
    }
  },
};
