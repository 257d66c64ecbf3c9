/** `flowserv-remote download ID [DIR]`: the verified output files of a successful workflow. */
import path from 'node:path';
import { FileSystemStorage, GrpcRemoteClient } from '../client/index.js';
import { clientOptions, COMMON_FLAGS_HELP, EXIT, EXIT_CODES_HELP, parseCommand, reportFailure, UsageError, writeJson } from './client-common.js';
import type { Command } from './commands.js';
import type { Connection } from './connection-options.js';

const USAGE = `usage: flowserv-remote download WORKFLOW_ID [DIR] [flags]

Downloads output files of a SUCCESS workflow into DIR (default: the current directory), each
checked against the size and sha256 the server lists. Interrupted transfers resume.

flags:
  --path KEY          only this output (repeatable; default: every output file)
${COMMON_FLAGS_HELP}

${EXIT_CODES_HELP}
`;

export const command: Command = {
  async run(args, io) {
    let client: GrpcRemoteClient | undefined;
    let connection: Connection | undefined;
    try {
      const p = parseCommand(args, { path: { type: 'string', multiple: true } }, io);
      if (p.help) {
        io.stdout.write(USAGE);
        return EXIT.OK;
      }
      if (p.positionals.length < 1 || p.positionals.length > 2) throw new UsageError('expected WORKFLOW_ID [DIR]');
      const [id, dir = '.'] = p.positionals as [string, string?];
      connection = p.connection;
      client = new GrpcRemoteClient(p.server, clientOptions(p));
      const keys = p.values.path ?? (await client.getWorkflow(id)).outputFiles;
      const volume = new FileSystemStorage(dir);
      const files = [];
      for (const key of keys) {
        const f = await client.downloadFile(id, key, volume);
        files.push(f);
        if (!p.json) io.stdout.write(`${path.join(dir, key)}  ${f.sizeBytes} bytes  sha256 ${f.sha256}\n`);
      }
      if (p.json) writeJson(io, { workflowId: id, directory: path.resolve(dir), files });
      return EXIT.OK;
    } catch (err) {
      return reportFailure(io, 'download', USAGE, err, connection);
    } finally {
      client?.close();
    }
  },
};
