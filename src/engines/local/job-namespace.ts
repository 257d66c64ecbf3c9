/**
 * The fallback confinement, for hosts without bubblewrap (see bwrap-args.ts), with util-linux
 * `unshare` and `setpriv`, which need the server to run as root. The job gets its own PID
 * namespace, so that nothing of it outlives it (the runner is the namespace's init; when it exits
 * the kernel kills every process left, including those that escaped the process group with
 * `setsid` or a double fork), its own /proc (only its own processes, not the server's command line
 * or environment), and its own mount namespace in which /tmp and the server's data directory are
 * empty folders (the database, the blob store and other runs are gone), the server's secret files
 * are empty, and only its own working and control directories are back, read-write, at their real
 * paths. It then drops to the job user. Unlike bubblewrap, the rest of the host's file system
 * stays visible (with the job user's permissions). The runner's pid file is written from outside
 * the namespace (inside, the runner is pid 1), so a job started just before a crash can still be
 * adopted.
 */
import type { JobUser } from './job-user.js';

/** Path of util-linux unshare on Debian and most distributions. */
export const UNSHARE = '/usr/bin/unshare';

/** Path of util-linux setpriv, which drops to the job user after the mounts. */
export const SETPRIV = '/usr/bin/setpriv';

/** What the fallback needs to confine one job. */
export interface NamespaceJob {
  readonly workDir: string;
  readonly controlDir: string;
  /** The server's data directory: made an empty folder inside. */
  readonly dataDir?: string;
  /** Files or folders (token file, TLS key, …) made empty inside. */
  readonly hidden: readonly string[];
  /** The account the job runs as; undefined keeps the server's. */
  readonly user?: JobUser;
  /** False: a new network namespace with nothing in it (not even the host's loopback). */
  readonly network: boolean;
}

/**
 * Inside the namespaces, as root: hold the work and control directories open (fds 3 and 4),
 * cover /tmp, the data directory and each secret, put the two directories back from their open
 * descriptors (mount -c: the path /proc/self/fd/N must not be canonicalized, it is the point),
 * drop to the job user and run the runner. A step that fails ends the job before any command
 * runs (it is then reported lost).
 * Arguments: $1 the runner's interpreter (sh or perl), $2 runner, $3 work, $4 control, $5 data dir or '', $6 uid:gid or '',
 * then the secrets.
 */
const INNER = [
  'sh=$1 runner=$2 work=$3 ctl=$4 data=$5 user=$6; shift 6',
  'exec 3<"$work" 4<"$ctl" || exit 126',
  'mount -t tmpfs -o mode=1777 flowserv-tmp /tmp || exit 126',
  'if [ -n "$data" ] && [ -d "$data" ]; then mount -t tmpfs -o mode=0755 flowserv-data "$data" || exit 126; fi',
  'for f in "$@"; do',
  '  if [ -d "$f" ]; then mount -t tmpfs -o mode=0755 flowserv-hidden "$f" || exit 126',
  '  elif [ -e "$f" ]; then mount --bind /dev/null "$f" || exit 126; fi',
  'done',
  'mkdir -p "$ctl" "$work" && mount -c --bind /proc/self/fd/4 "$ctl" && mount -c --bind /proc/self/fd/3 "$work" || exit 126',
  'exec 3<&- 4<&-',
  `[ -z "$user" ] || exec ${SETPRIV} --reuid="\${user%:*}" --regid="\${user#*:}" --clear-groups --no-new-privs -- "$sh" "$runner"`,
  'exec "$sh" "$runner"',
].join('\n');

/**
 * The `unshare` program and its arguments that run `runner` with `interpreter` (default: `shell`,
 * which also runs the set-up inside) confined as `job` says.
 */
export function namespaceCommand(shell: string, runner: string, job: NamespaceJob, interpreter = shell): [string, string[]] {
  const flags = ['--pid', '--fork', '--kill-child', '--mount', '--mount-proc', ...(job.network ? [] : ['--net'])];
  const user = job.user ? `${job.user.uid}:${job.user.gid}` : '';
  return [UNSHARE, [...flags, shell, '-c', INNER, 'flowserv-job', interpreter, runner, job.workDir, job.controlDir, job.dataDir ?? '', user, ...job.hidden]];
}
