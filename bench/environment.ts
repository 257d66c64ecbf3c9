/**
 * Where a run happened, for the report header: date, Node, CPU, load, the filesystem the data
 * dirs live on (every SQLite commit is fsync'd, so fsync cost differs between tmpfs and a
 * disk) and the git commit, marked dirty when src/ or bench/ has uncommitted changes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';

/** The facts printed above the results. */
export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cpuCount: number;
  /** 1-minute load average when the run started. */
  readonly loadAverage: number;
  readonly platform: string;
  /** e.g. `/tmp (ext4)`. */
  readonly dataDirFs: string;
  /** Short commit id, with `+dirty` when the measured code differs from it. */
  readonly commit: string;
}

function git(args: readonly string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The filesystem type of the mount that holds `path`, from /proc/mounts (Linux). */
function filesystemOf(path: string): string {
  try {
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((f) => f.length >= 3 && (path === f[1] || path.startsWith(f[1] === '/' ? '/' : `${f[1]}/`)))
      .sort((a, b) => b[1]!.length - a[1]!.length);
    return mounts[0]?.[2] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Collects the environment; `repoDir` is where git is asked. */
export function collectEnvironment(repoDir: string): Environment {
  const commit = git(['rev-parse', '--short', 'HEAD'], repoDir) ?? 'unknown';
  const dirty = git(['status', '--porcelain', '--', 'src', 'bench'], repoDir);
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cpuCount: availableParallelism(),
    loadAverage: loadavg()[0] ?? 0,
    platform: `${process.platform} ${process.arch}`,
    dataDirFs: `${tmpdir()} (${filesystemOf(tmpdir())})`,
    commit: dirty ? `${commit}+dirty` : commit,
  };
}
