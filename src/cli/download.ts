/** `flowserv-remote download ID [DIR]`: the verified output files of a successful workflow. */
import path from 'node:path';
import { FileSystemStorage } from '../client/index.js';
import { clientCommand, COMMON_FLAGS_HELP, EXIT, EXIT_CODES_HELP, UsageError, writeJson } from './client-common.js';
import type { Command } from './commands.js';

const USAGE = `usage: flowserv-remote download WORKFLOW_ID [DIR] [flags]

Downloads output files of a SUCCESS workflow into DIR (default: the current directory), each
checked against the size and sha256 the server lists. Interrupted transfers resume.

flags:
  --path KEY          only this output (repeatable; default: every output file)
${COMMON_FLAGS_HELP}

${EXIT_CODES_HELP}
`;

export const command: Command = clientCommand({
  name: 'download',
  usage: USAGE,
  options: { path: { type: 'string', multiple: true } },
  async run(p, connect, io) {
    if (p.positionals.length < 1 || p.positionals.length > 2) throw new UsageError('expected WORKFLOW_ID [DIR]');
    const [id, dir = '.'] = p.positionals as [string, string?];
    const client = connect();
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
  },
});
