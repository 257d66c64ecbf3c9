/**
 * `flowserv-remote logs ID [--follow] [--step N] [--stderr]`: the output of a workflow's
 * commands, exactly as they wrote it (stdout by default, stderr with --stderr), so it can be
 * piped; --follow keeps printing while the workflow runs and resumes after a dropped connection.
 */
import type { LogStreamName } from '../client/index.js';
import { clientCommand, COMMON_FLAGS_HELP, EXIT, EXIT_CODES_HELP, intFlag, UsageError } from './client-common.js';
import type { Command } from './commands.js';
import { writeChunkJson } from './logs-printer.js';

const USAGE = `usage: flowserv-remote logs WORKFLOW_ID [flags]

Prints what the workflow's commands wrote to stdout (or, with --stderr, to stderr), in step
order, byte for byte. Output the server's log cap discarded is reported on stderr.

flags:
  --follow            keep printing while the workflow runs; end when it has ended
  --step N            only step N (0-based)
  --stderr            the commands' stderr instead of their stdout
${COMMON_FLAGS_HELP}

${EXIT_CODES_HELP}
`;

export const command: Command = clientCommand({
  name: 'logs',
  usage: USAGE,
  options: {
    follow: { type: 'boolean', default: false },
    step: { type: 'string' },
    stderr: { type: 'boolean', default: false },
  },
  async run(p, connect, io) {
    if (p.positionals.length !== 1) throw new UsageError('expected exactly one WORKFLOW_ID');
    const workflowId = p.positionals[0]!;
    const step = intFlag(p.values.step, '--step');
    const stream: LogStreamName = p.values.stderr ? 'stderr' : 'stdout';
    const client = connect();
    const events = client.watchLogs(workflowId, { follow: p.values.follow, streams: [stream], ...(step !== undefined && { step }) });
    for await (const event of events) {
      if (p.json) writeChunkJson(io, workflowId, event);
      else if (event.kind === 'chunk') {
        if (event.data.length > 0) io.stdout.write(event.data);
        if (event.droppedBytes !== undefined) {
          io.stderr.write(`flowserv-remote logs: step ${event.step} command ${event.command} ${event.stream}: ${event.droppedBytes} bytes discarded by the server's log cap\n`);
        }
      }
    }
    return EXIT.OK;
  },
});
