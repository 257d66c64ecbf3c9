/** Shared fixtures of the client tests: the Hello World example and a scratch folder. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSystemStorage } from '../../../src/client/index.js';
import { InputFile, loadTemplateDirectory } from '../../../src/model/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const HELLO_DIR = path.join(REPO_ROOT, 'examples', 'helloworld');
export const NAMES_FILE = path.join(HELLO_DIR, 'data', 'names.txt');

/** A fresh temporary folder. */
export function scratch(prefix = 'fsr-client-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** The Hello World template (valid or invalid-cmd manifest), its static files volume and arguments. */
export function helloWorld(options: { invalid?: boolean; sleeptime?: number } = {}) {
  const dir = loadTemplateDirectory(HELLO_DIR, options.invalid ? { manifest: 'flowserv-invalid-cmd.yaml' } : {});
  return {
    template: dir.template,
    staticfs: new FileSystemStorage(HELLO_DIR),
    args: { names: new InputFile(NAMES_FILE, 'data/names.txt'), sleeptime: options.sleeptime ?? 0 },
  };
}

let counter = 0;
/** A run id unique within the test process. */
export function runId(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}-${Date.now()}`;
}
