/**
 * Test certificates made with openssl at test time: a server CA with server certificates for
 * localhost/127.0.0.1 (numbered serials, for reload tests), a client CA with a client
 * certificate, and a second, unrelated CA with a client certificate of its own.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`,
    '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

function makeLeaf(dir: string, ca: string, name: string, cn: string, serial: string, usage: 'serverAuth' | 'clientAuth'): void {
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, usage === 'serverAuth'
    ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n'
    : 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', serial, '-days', '2', '-out', `${name}.crt`, '-extfile', ext], dir);
}

/** File names below `dir` and their contents. */
export interface Pki {
  readonly dir: string;
  path(name: string): string;
  read(name: string): Buffer;
}

/**
 * Creates in `dir`: server-ca.{crt,key}; server1/server2.{crt,key} (serials 1001/1002, CN
 * localhost); client-ca.*, client.* (CN alice); other-ca.*, other-client.* (CN mallory).
 */
export function makePki(dir: string): Pki {
  makeCa(dir, 'server-ca');
  makeLeaf(dir, 'server-ca', 'server1', 'localhost', '0x1001', 'serverAuth');
  makeLeaf(dir, 'server-ca', 'server2', 'localhost', '0x1002', 'serverAuth');
  makeCa(dir, 'client-ca');
  makeLeaf(dir, 'client-ca', 'client', 'alice', '0x2001', 'clientAuth');
  makeCa(dir, 'other-ca');
  makeLeaf(dir, 'other-ca', 'other-client', 'mallory', '0x3001', 'clientAuth');
  return { dir, path: (name) => join(dir, name), read: (name) => readFileSync(join(dir, name)) };
}
