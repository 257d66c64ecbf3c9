/**
 * The job runner as one Perl process (`run.pl`), for the local engine where perl is installed:
 * the same control-directory records as the POSIX shell runner (runner-script.ts, which Slurm
 * nodes and hosts without perl still run), but the runner itself starts each command's
 * `/bin/sh -c` and, with a log cap, copies its output, where the shell runner needs a Perl helper
 * process per command for that (log-cap-helper.ts). Per job: the runner plus one `/bin/sh -c`
 * per command, one exec fewer per command, and no shell parsing the runner's text.
 *
 * It behaves as the shell runner does: records first (`pid.<n>` unless it is pid 1 of a PID
 * namespace, where the spawner records the outer pid), blank space reserved in `exit-status`
 * and rewritten in place at the end, `started`, `<s>.start` and `<s>.end.<code>` as empty files,
 * each command under `/bin/sh -c` (argv[0] `/bin/sh`, so error texts match flowServ's), the
 * first failure ends the job with `<code> <step> <command>`, a command killed by signal n counts
 * as 128 + n, a step with an env of its own gets exactly that env (plus TRACEPARENT), and with a
 * cap at most that many bytes of each stream are kept over the whole job, the rest counted into
 * `<log>.truncated` while the command runs on undisturbed (no SIGPIPE, no full pipe). On SIGTERM
 * or SIGINT it lets the running command end (the command gets the signal from the group), then
 * exits with 143 without an exit status, as the shell runner does when stopped.
 */
import type { JobSpec } from '../types.js';
import { COPY_CAPPED_SUB } from './log-cap-helper.js';

/** A string as a Perl single-quoted literal (only `\` and `'` are special there). */
export function perlQuote(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** A W3C traceparent as the server writes it; anything else is not exported. */
const TRACEPARENT_VALUE = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The program; the generated script sets `$ctl`, `$work`, `$cap`, `$tp` and `@steps` (each
 * `[env hash or undef, command...]`) before it. Core built-ins only: no module is loaded (a
 * module such as POSIX would cost more start-up time than the rest of the runner).
 */
export const PERL_RUNNER_PROGRAM = String.raw`
use strict;
${COPY_CAPPED_SUB}my $stopped = 0;
sub touch { my $fh; open($fh, '>', $_[0]) and close $fh }
touch("$ctl/pid.$$") unless $$ == 1;
$SIG{TERM} = $SIG{INT} = sub { $stopped = 1 };
$SIG{PIPE} = 'IGNORE';
sub finish {
  my ($code, $s, $c) = @_;
  my $fh;
  open($fh, '+<', "$ctl/exit-status") or open($fh, '>', "$ctl/exit-status");
  print $fh "$code $s $c\n";
  close $fh;
  exit $code;
}
sub stop_if_asked { exit 143 if $stopped }
{ open(my $fh, '>', "$ctl/exit-status") or exit 126; print $fh ' ' x 64, "\n"; close $fh }
if (!chdir $work) {
  if (open(my $fh, '>', "$ctl/runner.err")) { print $fh "cannot enter working directory\n"; close $fh }
  finish(127, -1, -1);
}
touch("$ctl/started");
$ENV{TRACEPARENT} = $tp if defined $tp;
my @kept = (0, 0);
sub run {
  my ($name, $env, $cmd) = @_;
  my @ext = ('out', 'err');
  my (@log, @r, @w);
  for my $i (0, 1) { open($log[$i], '>', "$ctl/$name.$ext[$i]") or return 126 }
  if ($cap > 0) { for my $i (0, 1) { pipe($r[$i], $w[$i]) or return 126 } }
  my $pid = fork;
  return 126 unless defined $pid;
  if ($pid == 0) {
    $SIG{$_} = 'DEFAULT' for qw(TERM INT PIPE);
    my @to = $cap > 0 ? @w : @log;
    open(STDOUT, '>&', $to[0]) && open(STDERR, '>&', $to[1]) or exit 126;
    if ($env) { %ENV = %$env; $ENV{TRACEPARENT} = $tp if defined $tp }
    exec { '/bin/sh' } '/bin/sh', '-c', $cmd;
    print STDERR "/bin/sh: cannot execute: $!\n";
    exit 127;
  }
  if ($cap > 0) {
    close $w[0];
    close $w[1];
    my @left = map { $kept[$_] < $cap ? $cap - $kept[$_] : 0 } (0, 1);
    my @dropped = copy_capped(\@r, \@log, \@left);
    $kept[$_] = $cap - $left[$_] for (0, 1);
    for my $i (0, 1) {
      close $r[$i];
      next unless $dropped[$i];
      if (open(my $mark, '>', "$ctl/$name.$ext[$i].truncated")) { print $mark "$dropped[$i]\n"; close $mark }
    }
  }
  close $_ for @log;
  waitpid($pid, 0);
  my $status = $?;
  return ($status & 127) ? 128 + ($status & 127) : $status >> 8;
}
for my $s (0 .. $#steps) {
  my ($env, @commands) = @{$steps[$s]};
  stop_if_asked();
  touch("$ctl/$s.start");
  for my $c (0 .. $#commands) {
    stop_if_asked();
    my $rc = run("$s-$c", $env, $commands[$c]);
    stop_if_asked();
    if ($rc != 0) { touch("$ctl/$s.end.$rc"); finish($rc, $s, $c) }
  }
  touch("$ctl/$s.end.0");
}
finish(0, -1, -1);
`;

/** The Perl runner for `job`: its settings and commands, then the program. */
export function buildPerlRunner(job: JobSpec): string {
  const traceparent = job.traceparent !== undefined && TRACEPARENT_VALUE.test(job.traceparent) ? perlQuote(job.traceparent) : 'undef';
  const steps = job.steps.map((step) => {
    const env = Object.entries(step.env ?? {});
    const envText = env.length > 0 ? `{ ${env.map(([k, v]) => `${perlQuote(k)} => ${perlQuote(v)}`).join(', ')} }` : 'undef';
    return `  [${[envText, ...step.commands.map(perlQuote)].join(', ')}],`;
  });
  return [
    '# flowserv-remote job runner (generated; do not edit)',
    `our $ctl = ${perlQuote(job.controlDir)};`,
    `our $work = ${perlQuote(job.workDir)};`,
    `our $cap = ${job.logCapBytes ?? 0};`,
    `our $tp = ${traceparent};`,
    'our @steps = (',
    ...steps,
    ');',
    PERL_RUNNER_PROGRAM,
  ].join('\n');
}
