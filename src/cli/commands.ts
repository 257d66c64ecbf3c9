/**
 * `flowserv-remote <command> [flags]`: the dispatch table. Each command lives in its own module,
 * loaded only when chosen, so client commands never load the server. To add a command, add one
 * row to COMMANDS and a module exporting `command`.
 */
import type { Writable } from 'node:stream';

/** What a command may touch: the environment (read once by src/main.ts) and the two streams. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** A subcommand; resolves with the process exit code. */
export interface Command {
  run(args: readonly string[], io: CliIo): Promise<number>;
}

interface CommandEntry {
  /** One line for the usage text. */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/** Every subcommand. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  serve: {
    summary: 'run the gRPC server (flags or FLOWSERV_REMOTE_* variables; see serve --help)',
    load: async () => (await import('./serve.js')).command,
  },
  migrate: {
    summary: 'apply pending schema migrations of the configured store and exit (a deployment\'s migration job)',
    load: async () => (await import('./migrate.js')).command,
  },
  'health-probe': {
    summary: 'exit 0 when the server reports SERVING (Docker HEALTHCHECK, k8s exec probe)',
    load: async () => (await import('./health-probe.js')).command,
  },
  submit: { summary: 'submit a workflow template (dir or spec file) with arguments; --watch, --download DIR', load: async () => (await import('./submit.js')).command },
  status: { summary: "show a workflow's latest state, files and labels", load: async () => (await import('./status.js')).command },
  watch: { summary: 'follow a workflow live until it ends (exit code = outcome)', load: async () => (await import('./watch.js')).command },
  logs: { summary: "print a workflow's output (--follow, --step N, --stderr)", load: async () => (await import('./logs.js')).command },
  stop: { summary: 'stop a workflow (--reason, --grace-ms)', load: async () => (await import('./stop.js')).command },
  list: { summary: 'list workflows (--state, --label, --page-size)', load: async () => (await import('./list.js')).command },
  download: { summary: 'download the verified output files of a successful workflow', load: async () => (await import('./download.js')).command },
};

/** Exit code for a command line that cannot be understood (as in sysexits' EX_USAGE spirit). */
export const EXIT_USAGE = 2;

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return `usage: flowserv-remote <command> [flags]\n\ncommands:\n${lines.join('\n')}\n`;
}

/** Runs `argv` (without node and script): picks the command and runs it. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr.write(`flowserv-remote: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  return (await entry.load()).run(args, io);
}
