/**
 * TLS server credentials whose certificate, key and client CA can be replaced while the server
 * runs. It uses grpc-js's own mechanism, `experimental.createCertificateProviderServerCredentials`
 * with a CertificateProvider: grpc-js then calls `setSecureContext` on its HTTP/2 server for every
 * update, so new connections get the new certificate and open connections keep theirs.
 *
 * The provider is ours rather than grpc-js's `FileWatcherCertificateProvider`, because that one
 * (1.14) re-reads on a timer only (no reload on demand, so no SIGHUP), publishes whatever it read
 * without checking that key and certificate match, and publishes "no certificate" when a read
 * fails; grpc-js answers both by dropping every new connection until the next good read. This
 * provider validates the new files as a whole (`tls.createSecureContext`) and keeps serving the
 * last good set when they are unusable, e.g. half-way through a rotation.
 */
import { experimental, type ServerCredentials } from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';

/** Where the PEM files are; `caFile` set means clients must present a certificate it signed. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile?: string | undefined;
}

/** One validated set of files, as bytes. */
interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
}

/** What a log line may say about the served certificate (no key material). */
export interface CertificateSummary {
  readonly subject: string;
  readonly serialNumber: string;
  readonly validTo: string;
  readonly fingerprint256: string;
}

/** Result of one reload. */
export type TlsReloadOutcome = { readonly changed: boolean; readonly certificate: CertificateSummary };

/** Reloadable TLS credentials. */
export interface ReloadableTls {
  /** Pass to `bindAsync`; it serves whatever `reload` last accepted. */
  readonly credentials: ServerCredentials;
  /** The files, for the change watcher. */
  readonly files: readonly string[];
  /**
   * Reads and validates the files; on success makes them the served set (for new connections).
   * Rejects, leaving the served set as it was, when a file is missing or unusable.
   */
  reload(): Promise<TlsReloadOutcome>;
}

async function readMaterial(files: TlsFiles): Promise<TlsMaterial> {
  const [cert, key, ca] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    files.caFile === undefined ? undefined : readFile(files.caFile),
  ]);
  // Throws on unparsable PEM and on a key that does not belong to the certificate.
  createSecureContext({ cert, key, ...(ca && { ca }) });
  return { cert, key, ca };
}

function summarize(cert: Buffer): CertificateSummary {
  const x509 = new X509Certificate(cert);
  return { subject: x509.subject.replace(/\n/g, ', '), serialNumber: x509.serialNumber, validTo: x509.validTo, fingerprint256: x509.fingerprint256 };
}

function sameMaterial(a: TlsMaterial | undefined, b: TlsMaterial): boolean {
  return a !== undefined && a.cert.equals(b.cert) && a.key.equals(b.key) && (a.ca === undefined ? b.ca === undefined : b.ca !== undefined && a.ca.equals(b.ca));
}

type IdentityListener = experimental.IdentityCertificateUpdateListener;
type CaListener = experimental.CaCertificateUpdateListener;

/** Creates the credentials; nothing is read until the first `reload()`, which must precede binding. */
export function createReloadableTls(files: TlsFiles): ReloadableTls {
  const identityListeners = new Set<IdentityListener>();
  const caListeners = new Set<CaListener>();
  let current: TlsMaterial | undefined;

  const identityUpdate = (m: TlsMaterial) => ({ certificate: m.cert, privateKey: m.key });
  const caUpdate = (m: TlsMaterial) => (m.ca ? { caCertificate: m.ca } : null);
  // grpc-js registers its listener and only then its own watcher, so updates must arrive on a later tick.
  const provider: experimental.CertificateProvider = {
    addIdentityCertificateListener(listener) {
      identityListeners.add(listener);
      if (current) process.nextTick(listener, identityUpdate(current));
    },
    removeIdentityCertificateListener: (listener) => void identityListeners.delete(listener),
    addCaCertificateListener(listener) {
      caListeners.add(listener);
      if (current) process.nextTick(listener, caUpdate(current));
    },
    removeCaCertificateListener: (listener) => void caListeners.delete(listener),
  };

  const requireClientCertificate = files.caFile !== undefined;
  // grpc-js 1.14 declares the parameters as (ca, identity, …) but passes them on as (identity, ca, …);
  // one provider serving both roles makes the order irrelevant.
  const credentials = experimental.createCertificateProviderServerCredentials(
    provider,
    requireClientCertificate ? provider : null,
    requireClientCertificate,
  );

  return {
    credentials,
    files: [files.certFile, files.keyFile, ...(files.caFile === undefined ? [] : [files.caFile])],
    async reload() {
      const next = await readMaterial(files);
      const certificate = summarize(next.cert);
      if (sameMaterial(current, next)) return { changed: false, certificate };
      current = next;
      // CA first: the intermediate context (new CA, old identity) is still a valid one.
      for (const listener of caListeners) listener(caUpdate(next));
      for (const listener of identityListeners) listener(identityUpdate(next));
      return { changed: true, certificate };
    },
  };
}
