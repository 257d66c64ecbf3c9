/**
 * The spawner's Perl program (run with `perl -e`; see job-spawner.ts for why it exists and for
 * the protocol). Kept apart from the TypeScript that drives it so each reads on its own.
 *
 * Requests on stdin: `<length>\n<payload>`, the payload being NUL-separated fields: id, working
 * directory, uid ('' = unchanged), gid ('' = unchanged), pid file ('' = none: otherwise the
 * child creates the empty file `<pid file>.<its pid>` before it executes the program), argc, the argv, then `NAME=VALUE`
 * environment entries. Answers on stdout, one line each: `S <id> <pid> <startTicks>` (started;
 * the start time read from /proc before the child can be reaped), `F <id> <reason>` (nothing
 * started), and `X <pid> <wait status>` when a child it started exits. At end of file on stdin
 * (the server closed it or died) it exits; the jobs it started keep running, each the leader of
 * a session of its own.
 *
 * A child reports a failed setsid/chdir/setgid/setuid/pid file/exec through a close-on-exec pipe, so an
 * `S` answer means the program really runs. Children are reaped only in the main loop (SIGCHLD
 * just wakes it through a pipe), never while a start is being reported.
 */
export const SPAWNER_PROGRAM = String.raw`
use strict;
use POSIX ();
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
$SIG{PIPE} = 'IGNORE';
pipe(my $wake_r, my $wake_w) or die "pipe: $!";
for my $fh ($wake_r, $wake_w) { fcntl($fh, F_SETFL, fcntl($fh, F_GETFL, 0) | O_NONBLOCK) }
$SIG{CHLD} = sub { syswrite($wake_w, 'x') };

sub reply {
  my ($line) = @_;
  my $off = 0;
  while ($off < length $line) {
    my $n = syswrite(STDOUT, $line, length($line) - $off, $off);
    if (!defined $n) { next if $! == POSIX::EINTR(); exit 0 }
    $off += $n;
  }
}

sub reap {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) { reply("X $pid $?\n") }
}

sub start_ticks {
  my ($pid) = @_;
  open(my $fh, '<', "/proc/$pid/stat") or return -1;
  my $stat = <$fh>;
  close $fh;
  $stat =~ s/^.*\) //s;
  return (split / /, $stat)[19];
}

sub start {
  my ($id, $cwd, $uid, $gid, $pidfile, $argc, @rest) = @_;
  my @argv = splice(@rest, 0, $argc);
  my %env = map { /^([^=]*)=(.*)$/s ? ($1, $2) : () } @rest;
  pipe(my $err_r, my $err_w) or return reply("F $id pipe: $!\n");
  my $pid = fork;
  return reply("F $id fork: $!\n") unless defined $pid;
  if ($pid == 0) {
    close $err_r;
    $SIG{$_} = 'DEFAULT' for qw(CHLD PIPE);
    my $fail = sub { syswrite($err_w, "$_[0]: $!"); POSIX::_exit(127) };
    POSIX::setsid() or $fail->('setsid');
    chdir($cwd) or $fail->("cannot enter $cwd");
    open(STDIN, '<', '/dev/null') && open(STDOUT, '>', '/dev/null') && open(STDERR, '>', '/dev/null') or $fail->('/dev/null');
    if ($gid ne '') {
      $) = "$gid $gid";
      POSIX::setgid($gid) or $fail->("setgid $gid");
    }
    if ($uid ne '') { POSIX::setuid($uid) or $fail->("setuid $uid") }
    if ($pidfile ne '') {
      open(my $fh, '>', "$pidfile.$$") or $fail->("cannot record the pid in $pidfile.$$");
      close $fh;
    }
    %ENV = %env;
    exec { $argv[0] } @argv;
    $fail->("cannot execute $argv[0]");
  }
  close $err_w;
  my $why = '';
  for (;;) {
    my $n = sysread($err_r, my $chunk, 4096);
    if (!defined $n) { next if $! == POSIX::EINTR(); last }
    last if $n == 0;
    $why .= $chunk;
  }
  close $err_r;
  if ($why ne '') {
    waitpid($pid, 0);
    $why =~ s/\s+/ /g;
    return reply("F $id $why\n");
  }
  reply("S $id $pid " . start_ticks($pid) . "\n");
}

my $in = '';
for (;;) {
  my $rin = '';
  vec($rin, fileno(STDIN), 1) = 1;
  vec($rin, fileno($wake_r), 1) = 1;
  my $ready = select(my $rout = $rin, undef, undef, undef);
  1 while sysread($wake_r, my $junk, 4096);
  reap();
  next unless $ready > 0 && vec($rout, fileno(STDIN), 1);
  my $got = sysread(STDIN, $in, 65536, length $in);
  next if !defined $got && $! == POSIX::EINTR();
  exit 0 unless $got;
  while ($in =~ /^(\d+)\n/) {
    my $head = length($1) + 1;
    my $size = $1;
    last if length($in) < $head + $size;
    my $payload = substr($in, $head, $size);
    substr($in, 0, $head + $size) = '';
    start(split(/\0/, $payload, -1));
  }
}
`;
