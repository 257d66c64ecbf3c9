/** `flowserv-remote list`: workflows, newest first, filtered by state and labels, one page. */
import { formatTimestamp, StateType } from '../model/index.js';
import { clientCommand, COMMON_FLAGS_HELP, EXIT, EXIT_CODES_HELP, intFlag, keyValues, UsageError, workflowJson, writeJson } from './client-common.js';
import type { Command } from './commands.js';

const USAGE = `usage: flowserv-remote list [flags]

Lists workflows, newest first.

flags:
  --state S           only this state (PENDING, RUNNING, CANCELED, ERROR, SUCCESS; repeatable)
  --label KEY=VALUE   only workflows with this label (repeatable)
  --engine NAME       only this engine
  --page-size N       workflows per page (default and cap: the server's)
  --page-token T      the next page, as printed by the previous call
${COMMON_FLAGS_HELP}

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  state: { type: 'string', multiple: true },
  label: { type: 'string', multiple: true },
  engine: { type: 'string' },
  'page-size': { type: 'string' },
  'page-token': { type: 'string' },
} as const;

export const command: Command = clientCommand({
  name: 'list',
  usage: USAGE,
  options: OPTIONS,
  async run(p, connect, io) {
    if (p.positionals.length > 0) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
    const states = (p.values.state ?? []).map((s) => {
      const type = s.toUpperCase();
      if (!Object.hasOwn(StateType, type)) throw new UsageError(`unknown state '${s}'`);
      return type as StateType;
    });
    const pageSize = intFlag(p.values['page-size'], '--page-size');
    const client = connect();
    const page = await client.listWorkflows({
      states,
      labels: keyValues(p.values.label, '--label'),
      ...(p.values.engine && { engine: p.values.engine }),
      ...(pageSize !== undefined && { pageSize }),
      ...(p.values['page-token'] && { pageToken: p.values['page-token'] }),
    });
    if (p.json) {
      writeJson(io, { workflows: page.workflows.map(workflowJson), nextPageToken: page.nextPageToken });
      return EXIT.OK;
    }
    io.stdout.write(`${'WORKFLOW_ID'.padEnd(32)}  ${'STATE'.padEnd(8)}  ${'ENGINE'.padEnd(6)}  ${'CREATED'.padEnd(32)}  RUN_ID\n`);
    for (const w of page.workflows) {
      io.stdout.write(`${w.workflowId.padEnd(32)}  ${w.state.type.padEnd(8)}  ${w.engine.padEnd(6)}  ${formatTimestamp(w.state.createdAt).padEnd(32)}  ${w.runId}\n`);
    }
    if (page.nextPageToken) io.stdout.write(`next page: --page-token ${page.nextPageToken}\n`);
    return EXIT.OK;
  },
});
