/** The token bucket and how a call's client identity is chosen. */
import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../../src/server/security/rate-limiter.js';
import { clientKeyOf } from '../../../../src/server/security/security-interceptor.js';

describe('createRateLimiter', () => {
  it('allows a burst, then one call per 60000/rate ms, per key', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerMinute: 60, burst: 2, now: () => now });
    expect([limiter.take('a'), limiter.take('a')]).toEqual([{ ok: true }, { ok: true }]);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(limiter.take('b')).toEqual({ ok: true });
    now = 400;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterMs: 600 });
    now = 1000;
    expect(limiter.take('a')).toEqual({ ok: true });
    now = 100_000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a').ok]).toEqual([{ ok: true }, { ok: true }, false]);
  });

  it('drops idle (full) buckets when the table is full', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerMinute: 60, burst: 1, now: () => now, maxKeys: 2 });
    limiter.take('a');
    limiter.take('b');
    now = 5_000;
    expect(limiter.take('c')).toEqual({ ok: true });
    // 'a' was forgotten, so it starts full again (it had refilled anyway).
    expect(limiter.take('a')).toEqual({ ok: true });
  });
});

describe('clientKeyOf', () => {
  const call = (cn?: string, ip = '10.0.0.7') =>
    ({
      getAuthContext: () => (cn === undefined ? {} : { transportSecurityType: 'ssl', sslPeerCertificate: { subject: { CN: cn } } }),
      getConnectionInfo: () => ({ remoteAddress: ip, remotePort: 5555 }),
      getPeer: () => `${ip}:5555`,
    }) as unknown as ServerInterceptingCallInterface;

  it('prefers the token identity, then the client certificate CN, then the IP address', () => {
    expect(clientKeyOf(call('alice'), { id: 'ci', owner: 'token:ci', readOnly: false, admin: false })).toBe('principal:ci');
    expect(clientKeyOf(call('alice'), undefined)).toBe('cert:alice');
    expect(clientKeyOf(call(undefined, '::1'), undefined)).toBe('ip:::1');
  });
});
