/**
 * Confines each local job with util-linux `unshare`: its own PID namespace, so that nothing of
 * a job outlives it (the runner is the namespace's init; when it exits the kernel kills every
 * process left, including those that escaped the process group with `setsid` or a double fork),
 * its own /proc (it sees only its own processes, not the server's command line or environment),
 * and its own mount namespace in which a protected folder (the server's data directory: the
 * database, the blob store, other workflows' runs) is read-only, except the job's own working
 * and control directories. The runner's pid file is written from outside the namespace (inside,
 * the runner is pid 1), so a job started just before a crash can still be adopted.
 */
import { spawnSync } from 'node:child_process';

/** Path of util-linux unshare on Debian and most distributions. */
export const UNSHARE = '/usr/bin/unshare';

const UNSHARE_ARGS = ['--pid', '--fork', '--kill-child', '--mount', '--mount-proc'] as const;

/**
 * Whether these namespaces work here (root, or user namespaces allowed). Checked once at engine
 * start by running `true` in new ones.
 */
export function pidNamespacesAvailable(): boolean {
  const probe = spawnSync(UNSHARE, [...UNSHARE_ARGS, '/bin/true'], { stdio: 'ignore', timeout: 5000 });
  return probe.status === 0;
}

/** Where a confined job runs: the folder made read-only, and the job's own writable folders inside it. */
export interface JobConfinement {
  readonly readOnlyDir?: string;
  readonly workDir: string;
  readonly controlDir: string;
}

/**
 * Inside the namespaces: make $3 read-only (a private bind mount), give $4 and $5 (work and
 * control) back their write access, then run the runner $2. A mount that fails ends the job
 * before any command runs (it is then reported lost).
 */
const INNER = [
  'if [ -n "$3" ]; then',
  '  mount --rbind -o ro "$3" "$3" || exit 126',
  '  for d in "$4" "$5"; do mount --bind "$d" "$d" && mount -o remount,bind,rw "$d" || exit 126; done',
  'fi',
  'exec "$1" "$2"',
].join('\n');

/**
 * The program and arguments that run `runner` with `shell`: confined when `confinement` is
 * given, with the outer pid recorded as the empty file `<pidFile>.<pid>` before the namespaces start. The spawned
 * process keeps its pid through `exec`, so it stays the job's process-group leader.
 */
export function runnerCommand(shell: string, runner: string, pidFile: string, confinement: JobConfinement | undefined): [string, string[]] {
  if (!confinement) return [shell, [runner]];
  const script = `: > "$1.$$" && exec ${UNSHARE} ${UNSHARE_ARGS.join(' ')} ${shell} -c "$2" flowserv-job ${shell} "$3" "$4" "$5" "$6"`;
  return [
    shell,
    ['-c', script, 'flowserv-job', pidFile, INNER, runner, confinement.readOnlyDir ?? '', confinement.workDir, confinement.controlDir],
  ];
}
