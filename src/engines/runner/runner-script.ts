/**
 * The text of the job runner script (see job-runner.ts for the control directory it works in).
 * Everything but the commands is done with shell built-ins, so a job costs the runner's own
 * process plus one `/bin/sh -c` per command: the commands are part of the script, the start
 * time is the modification time of `started`, and the exit status is written in place into
 * space reserved at the start (job-runner.ts reads it only once its line is complete). Step
 * progress likewise: `<s>.start` is created when step s begins and `<s>.end.<exit code>` when it
 * ends; the files' modification times are the step's start and end (see job-logs.ts). When the
 * job has a log cap, keeps at most that many bytes of each output stream over the whole job.
 *
 * The cap is applied by one Perl process per command (log-cap-helper.ts) that starts the command
 * and copies its output. Where perl is missing, by a reader on a FIFO per stream (`head -c`,
 * unbuffered with coreutils' `stdbuf` where present so that lines are not held back, for the
 * bytes kept, then `wc -c` for the rest, so the command never gets SIGPIPE and is not slowed by
 * a full pipe). Either way the number of discarded bytes goes to
 * `<s>-<c>.<out|err>.truncated`. Without a cap the command writes straight to its log files.
 */
import type { JobSpec } from '../types.js';
import { LOG_CAP_PROGRAM, PERL } from './log-cap-helper.js';

/** Quotes a string for POSIX sh as one word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const HEADER = [
  // In a PID namespace (local engine) the runner is pid 1: the engine then writes the outer pid
  // itself, and the runner needs a TERM handler (init ignores signals it has none for), ending
  // without an exit status as a runner outside a namespace does when it is stopped.
  // The pid is the name of an empty file (pid.<n>): recorded without using a disk block.
  'if [ "$$" = 1 ]; then trap \'exit 143\' TERM INT; else : > "$ctl/pid.$$"; fi',
  // The exit status is written into space reserved now, so a disk that fills up while the job
  // runs cannot cost it its outcome (1<> rewrites in place, without truncating or allocating).
  // The reader takes it only once a whole line "<code> <step> <command>" is there.
  'printf \'%64s\\n\' \'\' > "$ctl/exit-status"',
  'finish() {',
  '  printf \'%s %s %s\\n\' "$1" "$2" "$3" 1<> "$ctl/exit-status"',
  '  exit "$1"',
  '}',
  // Shell built-ins only: a step's progress costs the job no extra process, and no disk block
  // (empty files; the exit code is in the name of the end file).
  'step_start() { : > "$ctl/$1.start"; }',
  'step_end() { : > "$ctl/$1.end.$2"; }',
];

/** A W3C traceparent as the server writes it; anything else is not exported. */
const TRACEPARENT_VALUE = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** run <step> <command> <text> [env -i NAME=VALUE...]: one command, output straight to its log files. */
const RUN_UNCAPPED = [
  'run() {',
  '  base="$ctl/$1-$2"; cmd=$3; shift 3',
  '  "$@" /bin/sh -c "$cmd" > "$base.out" 2> "$base.err"',
  '}',
];

/** run with a cap, through the Perl helper (one process per command, no FIFO). */
const RUN_CAPPED_PERL = [
  'run() {',
  '  name="$1-$2"; cmd=$3; shift 3',
  '  "$perl" -e "$keeper" "$ctl" "$name" "$cap" "$@" /bin/sh -c "$cmd"',
  '}',
];

/**
 * run with a cap: each stream goes through a FIFO to `keep`, which stores what the budget allows.
 * The two FIFOs are made once per job and reused by every command (each command opens and
 * closes them), so a command costs no mkfifo or rm process.
 */
const RUN_CAPPED_FIFO = [
  'used_out=0; used_err=0',
  // head writes through stdio; unbuffered, a line reaches the log file as soon as it is printed.
  'unbuffered=; command -v stdbuf > /dev/null 2>&1 && unbuffered="stdbuf -o0"',
  'rm -f "$ctl/out.fifo" "$ctl/err.fifo"; mkfifo "$ctl/out.fifo" "$ctl/err.fifo" || { echo "cannot create the log FIFOs" > "$ctl/runner.err"; finish 126 -1 -1; }',
  'keep() {',
  '  $unbuffered head -c "$1" > "$2"',
  '  rest=$(wc -c)',
  '  [ "$rest" -eq 0 ] || printf \'%s\\n\' "$rest" > "$2.truncated"',
  '}',
  'run() {',
  '  base="$ctl/$1-$2"; cmd=$3; shift 3',
  '  keep $((cap - used_out)) "$base.out" < "$ctl/out.fifo" &',
  '  kout=$!',
  '  keep $((cap - used_err)) "$base.err" < "$ctl/err.fifo" &',
  '  kerr=$!',
  '  "$@" /bin/sh -c "$cmd" > "$ctl/out.fifo" 2> "$ctl/err.fifo"',
  '  rc=$?',
  '  wait "$kout"; wait "$kerr"',
  '  used_out=$((used_out + $(wc -c < "$base.out"))); used_err=$((used_err + $(wc -c < "$base.err")))',
  '  return "$rc"',
  '}',
];

/** The capped `run`: through perl where it is installed, otherwise through FIFO readers. */
function cappedRun(): string[] {
  return [
    `if [ -x ${PERL} ]; then`,
    `perl=${PERL}`,
    `keeper=${shellQuote(LOG_CAP_PROGRAM)}`,
    ...RUN_CAPPED_PERL,
    'else',
    ...RUN_CAPPED_FIFO,
    'fi',
  ];
}

/** The runner script for `job`, with every command's text in it. */
export function buildRunnerScript(job: JobSpec): string {
  const cap = job.logCapBytes ?? 0;
  const lines: string[] = [
    '#!/bin/sh',
    '# flowserv-remote job runner (generated; do not edit)',
    `ctl=${shellQuote(job.controlDir)}`,
    `cap=${cap}`,
    ...HEADER,
    ...(cap > 0 ? cappedRun() : RUN_UNCAPPED),
    `cd ${shellQuote(job.workDir)} || { echo "cannot enter working directory" > "$ctl/runner.err"; finish 127 -1 -1; }`,
    // The start time is this file's modification time.
    ': > "$ctl/started"',
  ];
  // A job with a traceparent exports it as TRACEPARENT to every command (also under `env -i`).
  const traceparent = job.traceparent !== undefined && TRACEPARENT_VALUE.test(job.traceparent) ? job.traceparent : undefined;
  if (traceparent !== undefined) lines.push(`TRACEPARENT=${shellQuote(traceparent)}`, 'export TRACEPARENT');
  for (const [s, step] of job.steps.entries()) {
    const stepEnv = Object.entries(step.env ?? {});
    const env = stepEnv.length > 0 && traceparent !== undefined ? [...stepEnv, ['TRACEPARENT', traceparent] as const] : stepEnv;
    const prefix = env.length > 0 ? ` env -i ${env.map(([k, v]) => shellQuote(`${k}=${v}`)).join(' ')}` : '';
    lines.push(`step_start ${s}`);
    for (const [c, command] of step.commands.entries()) {
      lines.push(`run ${s} ${c} ${shellQuote(command)}${prefix} || { rc=$?; step_end ${s} $rc; finish $rc ${s} ${c}; }`);
    }
    lines.push(`step_end ${s} 0`);
  }
  lines.push('finish 0 -1 -1', '');
  return lines.join('\n');
}
