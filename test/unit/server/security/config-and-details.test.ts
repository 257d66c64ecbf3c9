/** Security settings validated together. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../../src/config/load-config.js';
import { DEFAULT_EXPOSED_CREATE_RATE_PER_MINUTE, effectiveCreateRatePerMinute } from '../../../../src/server/security/security.js';

const problemsOf = (argv: string[]) => {
  try {
    loadConfig({}, argv);
  } catch (err) {
    return (err as ConfigError).problems;
  }
  return [];
};

describe('security settings', () => {
  it('defaults: plaintext, no authentication, generous limits', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ tlsCertFile: undefined, authTokenFile: undefined, maxConcurrentStreams: 1000, createRatePerMinute: undefined, createBurst: 1000 });
  });

  it('limits CreateWorkflow by default only on a server reachable from other machines', () => {
    const rate = (argv: string[]) => effectiveCreateRatePerMinute(loadConfig({}, argv));
    expect(rate([])).toBe(0);
    expect(rate(['--host', '127.0.0.2'])).toBe(0);
    expect(rate(['--host', '::1'])).toBe(0);
    expect(rate(['--host', 'localhost'])).toBe(0);
    expect(rate(['--host', '0.0.0.0'])).toBe(DEFAULT_EXPOSED_CREATE_RATE_PER_MINUTE);
    expect(rate(['--host', '10.1.2.3'])).toBe(18_000);
    expect(rate(['--host', '0.0.0.0', '--create-rate-per-minute', '0'])).toBe(0);
    expect(rate(['--create-rate-per-minute', '60'])).toBe(60);
  });

  it('reports every inconsistent combination at once', () => {
    expect(problemsOf(['--tls-cert-file', 'a.crt', '--tls-client-ca-file', 'ca.crt', '--auth-jwt-audience', 'x', '--create-burst', '0'])).toEqual([
      expect.stringMatching(/^createBurst \(--create-burst\)/),
      'tlsCertFile/tlsKeyFile: --tls-cert-file and --tls-key-file must be given together',
      'authJwtAudience: only used with --auth-jwt-key-file',
    ]);
    expect(problemsOf(['--tls-client-ca-file', 'ca.crt'])).toContain('tlsClientCaFile: mutual TLS (--tls-client-ca-file) needs --tls-cert-file and --tls-key-file');
  });

  it('resolves file paths and reads variables', () => {
    const config = loadConfig({ FLOWSERV_REMOTE_AUTH_TOKEN_FILE: 'tokens.txt', FLOWSERV_REMOTE_CREATE_RATE_PER_MINUTE: '0' });
    expect(config.authTokenFile).toMatch(/^\/.*tokens\.txt$/);
    expect(config.createRatePerMinute).toBe(0);
  });
});
