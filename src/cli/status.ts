/** `flowserv-remote status ID`: one workflow's latest state, files and labels. */
import { formatTimestamp } from '../model/index.js';
import { clientCommand, COMMON_FLAGS_HELP, elapsed, EXIT_CODES_HELP, exitCodeFor, UsageError, workflowJson, writeJson } from './client-common.js';
import type { Command } from './commands.js';

const USAGE = `usage: flowserv-remote status WORKFLOW_ID [flags]

Shows a workflow's latest state. The exit code reflects it (an active workflow gives 0).

flags:
${COMMON_FLAGS_HELP}

${EXIT_CODES_HELP}
`;

export const command: Command = clientCommand({
  name: 'status',
  usage: USAGE,
  options: {},
  async run(p, connect, io) {
    if (p.positionals.length !== 1) throw new UsageError('expected exactly one WORKFLOW_ID');
    const client = connect();
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
  },
});
