/**
 * The bearer token file: one token per line, optionally followed by `read-only` (or `readonly`),
 * `admin` and `name=ID`; `#` starts a comment, blank lines are skipped:
 *
 *     # CI submits workflows
 *     3f9c0d6e2b1a4c8d9e7f6a5b4c3d2e1f  name=ci
 *     9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d  read-only  name=dashboard
 *     5e4f3a2b1c0d9e8f7a6b5c4d3f9c0d6e  admin  name=operator
 *
 * Only SHA-256 digests of the tokens are kept in memory, and a presented token is compared with
 * every one of them in constant time, so neither timing nor a heap dump reveals a token. A
 * token's identity (logs, rate limiting) is its `name`, else `token-` and the first 12 hex
 * digits of its digest; the owner of the workflows it creates is `token:` and that identity, so
 * tokens that share a name (an old and a new one during a rotation, or a read-only one for a
 * dashboard) share their workflows. The two markers are independent: `read-only` takes away the
 * calls that change anything, `admin` shows every owner's workflows (so `admin` alone sees and
 * stops them all, `read-only admin` only sees them). Problems name line numbers, never the tokens.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { B64TOKEN } from '../../wire/bearer.js';

/** Shortest token accepted: shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/** One accepted token. */
export interface TokenEntry {
  readonly id: string;
  readonly readOnly: boolean;
  /** Sees every owner's workflows (and stops them, unless read-only). */
  readonly admin: boolean;
  readonly digest: Buffer;
}

/** The parsed file, or what is wrong with it. */
export type TokenFileResult = { readonly ok: true; readonly entries: readonly TokenEntry[] } | { readonly ok: false; readonly problems: readonly string[] };

const digestOf = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** Parses the file's text; every problem at once. */
export function parseTokenFile(text: string): TokenFileResult {
  const entries: TokenEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const fields = raw.replace(/#.*$/, '').trim().split(/\s+/).filter((f) => f !== '');
    if (fields.length === 0) return;
    const [token, ...options] = fields as [string, ...string[]];
    if (!B64TOKEN.test(token) || token.length < MIN_TOKEN_LENGTH) {
      problems.push(`line ${line}: a token must be at least ${MIN_TOKEN_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / (then = padding)`);
      return;
    }
    const digest = digestOf(token);
    let readOnly = false;
    let admin = false;
    let id = `token-${digest.toString('hex').slice(0, 12)}`;
    for (const option of options) {
      if (option === 'read-only' || option === 'readonly') readOnly = true;
      else if (option === 'admin') admin = true;
      else if (/^name=[A-Za-z0-9._@:-]{1,64}$/.test(option)) id = option.slice('name='.length);
      else problems.push(`line ${line}: unknown option '${option.slice(0, 32)}' (expected read-only, admin or name=ID)`);
    }
    if (seen.has(digest.toString('hex'))) problems.push(`line ${line}: the same token appears twice`);
    seen.add(digest.toString('hex'));
    entries.push({ id, readOnly, admin, digest });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, entries };
}

/** The entry of `token`, comparing against every entry in constant time; undefined if none. */
export function matchToken(entries: readonly TokenEntry[], token: string): TokenEntry | undefined {
  const digest = digestOf(token);
  let found: TokenEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry;
  }
  return found;
}
