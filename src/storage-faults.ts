/**
 * Classifies the errors a full or read-only disk produces, from Node's file system (ENOSPC,
 * EDQUOT, EROFS) and from SQLite (SQLITE_FULL, SQLITE_READONLY*), wherever they surface: the
 * transport answers them with RESOURCE_EXHAUSTED / UNAVAILABLE instead of INTERNAL, and the
 * dispatcher retries a finalization that failed on one instead of giving the workflow up.
 */

/** What kind of storage fault an error is, or undefined when it is none. */
export type StorageFault = 'full' | 'read-only';

const FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The storage fault behind `err` (or its `cause` chain, a few levels deep). */
export function storageFault(err: unknown): StorageFault | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    const code = codeOf(current);
    if (code !== undefined) {
      if (FULL.has(code)) return 'full';
      if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return 'read-only';
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
