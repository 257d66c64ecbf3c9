/**
 * Verifies JWT bearer tokens (with `jose`) against one configured key: a PEM public key or X.509
 * certificate (RSA, RSA-PSS, EC P-256/384/521, Ed25519) or an HMAC secret file. The accepted
 * algorithms follow from the key, never from the token, so a token cannot pick `none` or swap
 * an RSA public key for an HMAC secret. `exp` is required (a leaked token must run out);
 * `iss` and `aud` are checked when configured; 30 s of clock skew is tolerated.
 *
 * Identity (and the owner of the workflows it creates) is `jwt:<sub>`; `sub` is required, since
 * tokens without one would all share one owner. Verification accepts one key and at most one
 * issuer, so the subject alone names a user. Access is read-write unless the token carries a
 * `scope` (space-separated string) or `scp` (array) claim without `flowserv:write`: then it is
 * read-only. The scope `flowserv:admin` shows every owner's workflows (like the token file's
 * `admin`; with `flowserv:write` too it also stops them).
 */
import { createPublicKey, createSecretKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { AuthFailureCause } from './bearer-token.js';

/** The scope that grants the mutating RPCs to a token that lists scopes. */
export const WRITE_SCOPE = 'flowserv:write';
/** The scope that grants the admin role: every owner's workflows, not only the subject's own. */
export const ADMIN_SCOPE = 'flowserv:admin';
/** Shortest HMAC secret accepted (RFC 7518 §3.2: at least the hash size, 256 bits for HS256). */
export const MIN_HMAC_SECRET_BYTES = 32;
const CLOCK_TOLERANCE_S = 30;

/** A verification key and the algorithms it may verify. */
export interface JwtKey {
  readonly key: KeyObject;
  readonly algorithms: readonly string[];
}

/** A verified token's identity. */
export interface JwtIdentity {
  readonly id: string;
  readonly readOnly: boolean;
  readonly admin: boolean;
}

/** Why a token was refused (no token text inside). */
export class JwtRejectedError extends Error {
  override readonly name = 'JwtRejectedError';
  constructor(
    readonly failure: AuthFailureCause,
    message: string,
  ) {
    super(message);
  }
}

function algorithmsFor(key: KeyObject): readonly string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const alg = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }[curve ?? ''];
      if (!alg) throw new Error(`unsupported EC curve '${curve}' (use P-256, P-384 or P-521)`);
      return [alg];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      throw new Error(`unsupported key type '${key.asymmetricKeyType}'`);
  }
}

/** Reads the key file; throws with a plain reason when it is unusable. */
export async function loadJwtKey(file: string): Promise<JwtKey> {
  const bytes = await readFile(file);
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN')) {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new Error('holds a private key; give the public key (or certificate) instead');
    const key = text.includes('-----BEGIN CERTIFICATE-----') ? new X509Certificate(bytes).publicKey : createPublicKey(text);
    return { key, algorithms: algorithmsFor(key) };
  }
  // A secret file usually ends with a newline that is not part of the secret.
  const secret = bytes.subarray(0, bytes.length - (/\r?\n$/.exec(text)?.[0].length ?? 0));
  if (secret.length < MIN_HMAC_SECRET_BYTES) throw new Error(`HMAC secret must be at least ${MIN_HMAC_SECRET_BYTES} bytes`);
  return { key: createSecretKey(secret), algorithms: ['HS256', 'HS384', 'HS512'] };
}

/** What `verifyJwt` checks besides the signature. */
export interface JwtClaimsPolicy {
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

function scopesOf(payload: JWTPayload): readonly string[] | undefined {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter((s) => s !== '');
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  return undefined;
}

/** Verifies `token`; resolves with its identity or rejects with JwtRejectedError. */
export async function verifyJwt(token: string, jwtKey: JwtKey, policy: JwtClaimsPolicy): Promise<JwtIdentity> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwtKey.key, {
      algorithms: [...jwtKey.algorithms],
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['exp', 'sub'],
      ...(policy.issuer !== undefined && { issuer: policy.issuer }),
      ...(policy.audience !== undefined && { audience: policy.audience }),
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new JwtRejectedError(AuthFailureCause.EXPIRED_TOKEN, 'token expired');
    if (err instanceof errors.JWTClaimValidationFailed) throw new JwtRejectedError(AuthFailureCause.INVALID_TOKEN, `invalid token: claim '${err.claim}' ${err.reason}`);
    if (err instanceof errors.JOSEAlgNotAllowed) throw new JwtRejectedError(AuthFailureCause.INVALID_TOKEN, 'invalid token: signing algorithm not accepted');
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new JwtRejectedError(AuthFailureCause.INVALID_TOKEN, 'invalid token: bad signature');
    throw new JwtRejectedError(AuthFailureCause.INVALID_TOKEN, 'invalid token');
  }
  const scopes = scopesOf(payload);
  return { id: `jwt:${payload.sub!}`, readOnly: scopes !== undefined && !scopes.includes(WRITE_SCOPE), admin: scopes?.includes(ADMIN_SCOPE) === true };
}
