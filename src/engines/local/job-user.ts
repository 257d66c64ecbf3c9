/**
 * The unprivileged account local jobs run as when the server runs as root, so that a job cannot
 * read what only the server's user may (the token file, the TLS key, the database) even where a
 * file is visible to it, and cannot signal or trace the server. Its run directories are handed to
 * it (chown) before the job starts; the server, as root, still reads and removes them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { lchown, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** An account from the system's user database. */
export interface JobUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** The dedicated account that scripts/create-job-user.sh and the Dockerfile create. */
export const DEDICATED_JOB_USER = 'flowserv-job';

/** The fallback when the dedicated account does not exist: present on every Linux system. */
export const FALLBACK_JOB_USER = 'nobody';

/**
 * Looks `name` up with `getent passwd` (so NSS sources such as LDAP count too); undefined when
 * there is no such account. Runs once at engine start.
 */
export function lookupUser(name: string): JobUser | undefined {
  const found = spawnSync('getent', ['passwd', name], { encoding: 'utf8', timeout: 5000 });
  if (found.status !== 0) return undefined;
  const fields = found.stdout.trim().split('\n')[0]?.split(':') ?? [];
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (fields.length < 4 || !Number.isSafeInteger(uid) || !Number.isSafeInteger(gid)) return undefined;
  return { name: fields[0]!, uid, gid };
}

/** The account jobs run as by default: the dedicated one if it exists, else `nobody`. */
export function defaultJobUser(): JobUser | undefined {
  return lookupUser(DEDICATED_JOB_USER) ?? lookupUser(FALLBACK_JOB_USER);
}

/**
 * Gives `dir` and everything in it to `user`, without following symbolic links (a staged link
 * keeps pointing where it did; only the link itself changes owner).
 */
export async function handOver(dir: string, user: JobUser): Promise<void> {
  const [, entries] = await Promise.all([lchown(dir, user.uid, user.gid), readdir(dir, { withFileTypes: true })]);
  await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? handOver(path, user) : lchown(path, user.uid, user.gid);
    }),
  );
}

/**
 * Lets other accounts pass through (not list) `dirs` (search permission, o+x), so that bwrap,
 * started as the job user, can reach the run directories under them to mount them. Folders that
 * do not exist are left alone (created later, they get the usual 0755).
 */
export function makeTraversable(dirs: readonly string[]): void {
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    const { mode } = statSync(dir);
    if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
  }
}
