/**
 * Confines each local job to its own PID namespace with util-linux `unshare`, so that nothing of
 * a job outlives it: the runner is the namespace's init, and when it exits the kernel kills every
 * process left in the namespace, including those that escaped the process group with `setsid`
 * or a double fork. The runner's pid file is written from outside the namespace (inside, the
 * runner is pid 1), so a job started just before a crash can still be adopted.
 */
import { spawnSync } from 'node:child_process';

/** Path of util-linux unshare on Debian and most distributions. */
export const UNSHARE = '/usr/bin/unshare';

const UNSHARE_ARGS = ['--pid', '--fork', '--kill-child'] as const;

/**
 * Whether `unshare --pid` works here (root, or user namespaces allowed). Checked once at engine
 * start by running `true` in a new namespace.
 */
export function pidNamespacesAvailable(): boolean {
  const probe = spawnSync(UNSHARE, [...UNSHARE_ARGS, '/bin/true'], { stdio: 'ignore', timeout: 5000 });
  return probe.status === 0;
}

/**
 * The program and arguments that run `runner` with `shell`: in a new PID namespace when
 * `confined`, with the outer pid written to `pidFile` before the namespace starts. The spawned
 * process keeps its pid through `exec`, so it stays the job's process-group leader.
 */
export function runnerCommand(shell: string, runner: string, pidFile: string, confined: boolean): [string, string[]] {
  if (!confined) return [shell, [runner]];
  const script = `echo $$ > "$1" && exec ${UNSHARE} ${UNSHARE_ARGS.join(' ')} ${shell} "$2"`;
  return [shell, ['-c', script, 'flowserv-job', pidFile, runner]];
}
