/**
 * Classifies the errors a full or read-only disk produces, from Node's file system (ENOSPC,
 * EDQUOT, EROFS) and from SQLite (SQLITE_FULL, SQLITE_READONLY*), and those of a PostgreSQL
 * store that cannot be reached for now (restarting, failing over, the network), wherever they
 * surface: the transport answers them with RESOURCE_EXHAUSTED / UNAVAILABLE instead of INTERNAL,
 * and the dispatcher retries a write that failed on one instead of giving the workflow up.
 */

/** What kind of storage fault an error is, or undefined when it is none. */
export type StorageFault = 'full' | 'read-only' | 'unavailable';

/**
 * SQLSTATEs of a database that is going away or not back yet: connection exceptions (class 08),
 * admin_shutdown, crash_shutdown, cannot_connect_now (starting up, shutting down) and
 * too_many_connections.
 */
const DATABASE_GONE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** Socket errors of a connection that cannot be made or was cut. */
const CONNECTION_LOST = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** `pg`'s own errors for a session that ended or could not be opened (they carry no code). */
const PG_CONNECTION_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect$|Client has encountered a connection error and is not queryable$)/;

function unavailable(err: object, code: string | undefined): boolean {
  if (code !== undefined) {
    if (DATABASE_GONE.test(code) || CONNECTION_LOST.has(code)) return true;
    // A Unix socket that is gone while the server restarts (not a missing file elsewhere).
    return code === 'ENOENT' && (err as { syscall?: unknown }).syscall === 'connect';
  }
  return err instanceof Error && PG_CONNECTION_MESSAGE.test(err.message);
}

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
    if (typeof current === 'object' && unavailable(current, code)) return 'unavailable';
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
