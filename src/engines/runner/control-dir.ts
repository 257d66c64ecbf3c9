/**
 * Listing a runner's control directory. The runner keeps its records flat in the control
 * directory, most of them empty files whose names carry the value (`pid.<n>`, `<s>.end.<code>`),
 * so that a finished run takes as few disk blocks as possible. Runners of earlier versions kept
 * logs in `logs/` and step files in `steps/`, with the pid and step exit codes inside files; the
 * readers take both, so a job started before an upgrade is still read correctly.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Sub-directories of the earlier layout. */
const LEGACY_DIRS = ['logs', 'steps'] as const;

/** A file of the control directory: the folder it is in, and its name. */
export interface ControlEntry {
  readonly dir: string;
  readonly name: string;
}

/**
 * Every entry of the control directory and of the earlier layout's sub-directories (read only
 * when present). An absent control directory (a job not submitted yet) has none.
 */
export async function listControlEntries(controlDir: string): Promise<ControlEntry[]> {
  const names = await readdir(controlDir).catch(() => [] as string[]);
  const entries = names.map((name) => ({ dir: controlDir, name }));
  for (const legacy of LEGACY_DIRS) {
    if (!names.includes(legacy)) continue;
    const dir = join(controlDir, legacy);
    for (const name of await readdir(dir).catch(() => [] as string[])) entries.push({ dir, name });
  }
  return entries;
}

/**
 * The pid the runner (or the wrapper that starts it) recorded first thing: the name of the
 * empty file `pid.<n>`, or the content of `pid` written by earlier runners. Undefined if none.
 */
export async function readRunnerPid(controlDir: string): Promise<number | undefined> {
  const names = await readdir(controlDir).catch(() => [] as string[]);
  for (const name of names) {
    const m = /^pid\.([1-9]\d*)$/.exec(name);
    if (m) return Number(m[1]);
  }
  if (!names.includes('pid')) return undefined;
  const text = await readFile(join(controlDir, 'pid'), 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}
