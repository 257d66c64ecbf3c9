/**
 * Decides who a call is from: the bearer token of its `authorization` header, matched against
 * the token file, else (when it looks like a JWT and a key is configured) verified as a JWT.
 * Token file and JWT key are read by `reload()`; a reload that fails keeps the previous ones, so
 * a half-edited file never locks every client out.
 */
import { readFile } from 'node:fs/promises';
import type { Metadata } from '@grpc/grpc-js';
import { AuthFailureCause, bearerTokenOf } from './bearer-token.js';
import type { JwtClaimsPolicy, JwtKey } from './jwt-verifier.js';
import { matchToken, parseTokenFile, type TokenEntry } from './token-file.js';

/**
 * An authenticated caller. `id` is safe to log and keys the rate limiter. `owner` is recorded on
 * the workflows it creates: `token:<id>` for a token of the token file, `jwt:<sub>` for a JWT (the
 * two namespaces cannot meet, and neither is the anonymous owner of a server without auth).
 */
export interface Principal {
  readonly id: string;
  readonly owner: string;
  readonly readOnly: boolean;
  /** Sees every owner's workflows (and stops them, unless read-only). */
  readonly admin: boolean;
}

/** The call is not authenticated; `message` and `failure` go to the caller. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  constructor(
    readonly failure: AuthFailureCause,
    message: string,
  ) {
    super(message);
  }
}

/** Where accepted tokens come from; at least one must be set. */
export interface AuthenticatorOptions {
  readonly tokenFile?: string | undefined;
  readonly jwtKeyFile?: string | undefined;
  readonly jwt?: JwtClaimsPolicy;
}

export interface Authenticator {
  /** Files that `reload` reads, for the change watcher. */
  readonly files: readonly string[];
  /** Reads the token file and JWT key; rejects (keeping the old ones) when either is unusable. */
  reload(): Promise<{ readonly tokens: number; readonly jwt: boolean }>;
  /** Resolves with the caller, or rejects with AuthenticationError. */
  authenticate(metadata: Metadata): Promise<Principal>;
}

/** The JWT verifier and with it `jose`, loaded only by a server configured with a JWT key. */
const jwtVerifier = () => import('./jwt-verifier.js');

const looksLikeJwt = (token: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  let entries: readonly TokenEntry[] = [];
  let jwtKey: JwtKey | undefined;
  const files = [options.tokenFile, options.jwtKeyFile].filter((f): f is string => f !== undefined);
  return {
    files,
    async reload() {
      let nextEntries: readonly TokenEntry[] = [];
      if (options.tokenFile !== undefined) {
        const parsed = parseTokenFile(await readFile(options.tokenFile, 'utf8'));
        if (!parsed.ok) throw new Error(`token file ${options.tokenFile}: ${parsed.problems.join('; ')}`);
        nextEntries = parsed.entries;
      }
      let nextKey: JwtKey | undefined;
      if (options.jwtKeyFile !== undefined) {
        try {
          nextKey = await (await jwtVerifier()).loadJwtKey(options.jwtKeyFile);
        } catch (err) {
          throw new Error(`JWT key file ${options.jwtKeyFile}: ${(err as Error).message}`);
        }
      }
      entries = nextEntries;
      jwtKey = nextKey;
      return { tokens: entries.length, jwt: jwtKey !== undefined };
    },
    async authenticate(metadata) {
      const bearer = bearerTokenOf(metadata);
      if (!bearer.ok) throw new AuthenticationError(bearer.cause, bearer.message);
      const entry = matchToken(entries, bearer.token);
      if (entry) return { id: entry.id, owner: `token:${entry.id}`, readOnly: entry.readOnly, admin: entry.admin };
      if (jwtKey && looksLikeJwt(bearer.token)) {
        const { JwtRejectedError, verifyJwt } = await jwtVerifier();
        try {
          const identity = await verifyJwt(bearer.token, jwtKey, options.jwt ?? {});
          return { ...identity, owner: identity.id };
        } catch (err) {
          if (err instanceof JwtRejectedError) throw new AuthenticationError(err.failure, err.message);
          throw err;
        }
      }
      throw new AuthenticationError(AuthFailureCause.INVALID_TOKEN, 'invalid token');
    },
  };
}
