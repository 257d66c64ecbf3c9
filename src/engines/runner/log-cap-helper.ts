/**
 * The log cap in one process per command: a Perl program (perl-base is part of every Debian and
 * most other systems) that starts the command with a pipe for each output stream and copies
 * what the job's budget allows into the command's log files as it arrives, unbuffered, so a
 * follower sees each line at once. Once a stream's budget is spent it keeps reading and counts
 * what it discards, so the command never gets SIGPIPE and never blocks on a full pipe; the count
 * goes to `<log>.truncated` when the stream ends (the mark the reader in job-logs.ts waits for).
 * It stops reading only at end of file on both pipes, as a FIFO reader did. It ignores SIGTERM
 * and SIGINT (the command gets them with the default action), so a stop that signals the job's
 * process group reaches the command as it would without the helper, and a command that ignores
 * SIGTERM still has its grace period.
 *
 * Arguments: the logs directory, the log base name (`<s>-<c>`), the cap in bytes per stream for
 * the whole job, then the command. The bytes already kept by earlier commands are the sizes of
 * the logs already in the directory, so the shell keeps no count. It exits with the command's
 * status (128 + n when a signal n ended it, as sh reports it), 126 when the log files cannot be
 * created and 127 when the command cannot be executed.
 *
 * Without perl the runner falls back to FIFO readers built from coreutils (runner-script.ts).
 */

/** Where the runner looks for perl; an absolute path, so a job's PATH cannot replace it. */
export const PERL = '/usr/bin/perl';

/**
 * The copy loop both log-capping programs share (this helper and the Perl runner, perl-runner.ts),
 * as a Perl sub: `copy_capped(\@pipes, \@logs, \@left)` reads both pipes until each ends, writes
 * at most `$left->[i]` more bytes of stream i into its log (a failed write spends the budget),
 * lowers `@left` by what it kept and returns how many bytes of each stream it dropped.
 */
export const COPY_CAPPED_SUB = String.raw`
sub copy_capped {
  my ($r, $log, $left) = @_;
  my @open = (1, 1);
  my @dropped = (0, 0);
  my $buf;
  while ($open[0] || $open[1]) {
    my $rin = '';
    for my $i (0, 1) { vec($rin, fileno($r->[$i]), 1) = 1 if $open[$i] }
    next if select(my $rout = $rin, undef, undef, undef) < 0;
    for my $i (0, 1) {
      next unless $open[$i] && vec($rout, fileno($r->[$i]), 1);
      my $got = sysread($r->[$i], $buf, 65536);
      next if !defined $got && $! == 4;
      if (!$got) { $open[$i] = 0; next }
      my $keep = $got < $left->[$i] ? $got : $left->[$i];
      my $off = 0;
      while ($off < $keep) {
        my $n = syswrite($log->[$i], $buf, $keep - $off, $off);
        if (!defined $n) { $left->[$i] = 0; last }
        $off += $n;
      }
      $left->[$i] -= $off if $left->[$i] > 0;
      $dropped[$i] += $got - $off;
    }
  }
  return @dropped;
}
`;

/** The Perl program run with `perl -e` (core built-ins only: no module is loaded). */
export const LOG_CAP_PROGRAM = String.raw`${COPY_CAPPED_SUB}
my ($dir, $name, $cap, @cmd) = @ARGV;
my @ext = ('out', 'err');
my @left = ($cap, $cap);
opendir(my $dh, $dir) or exit 126;
for my $f (readdir $dh) {
  next unless $f =~ /^\d+-\d+\.(out|err)$/ && $f ne "$name.$1";
  $left[$1 eq 'out' ? 0 : 1] -= (-s "$dir/$f") || 0;
}
closedir $dh;
my (@log, @r, @w);
for my $i (0, 1) {
  open($log[$i], '>', "$dir/$name.$ext[$i]") or exit 126;
  pipe($r[$i], $w[$i]) or exit 126;
  $left[$i] = 0 if $left[$i] < 0;
}
$SIG{TERM} = $SIG{INT} = 'IGNORE';
my $pid = fork;
exit 126 unless defined $pid;
if ($pid == 0) {
  $SIG{TERM} = $SIG{INT} = 'DEFAULT';
  open(STDOUT, '>&', $w[0]) && open(STDERR, '>&', $w[1]) or exit 126;
  exec { $cmd[0] } @cmd;
  print STDERR "$cmd[0]: cannot execute: $!\n";
  exit 127;
}
close $w[0];
close $w[1];
$SIG{PIPE} = 'IGNORE';
my @dropped = copy_capped(\@r, \@log, \@left);
waitpid($pid, 0);
my $status = $?;
for my $i (0, 1) {
  close $log[$i];
  next unless $dropped[$i];
  open(my $mark, '>', "$dir/$name.$ext[$i].truncated") or next;
  print $mark "$dropped[$i]\n";
  close $mark;
}
exit(($status & 127) ? 128 + ($status & 127) : $status >> 8);
`;
