/**
 * The one error class for a command line that cannot be used (exit 2). Its own module so that
 * both client-common (the client commands) and connection-options (shared with health-probe)
 * can throw it without importing each other.
 */

/** A thrown usage problem (exit 2); the message names the flag or variable at fault. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
