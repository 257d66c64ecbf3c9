/** The package version, reported by GetServiceInfo and `flowserv-remote --version`. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Version from package.json (found relative to this module in src/ and in dist/). */
export const VERSION: string = (() => {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'flowserv-remote' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
})();
