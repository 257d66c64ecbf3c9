/**
 * Paths and small fixtures every kind of test uses: the repository root, the Hello World example
 * (as a model template with its static files and arguments), scratch folders and unique run ids.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSystemStorage } from '../../src/client/index.js';
import { InputFile, loadTemplateDirectory } from '../../src/model/index.js';

/** The repository root (ends with a path separator). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The Hello World example's directory. */
export const HELLOWORLD_DIR = path.join(REPO_ROOT, 'examples', 'helloworld');
/** The example's input file of names. */
export const NAMES_FILE = path.join(HELLOWORLD_DIR, 'data', 'names.txt');

/** A fresh temporary folder. */
export function scratch(prefix = 'fsr-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** The Hello World template (valid or invalid-cmd manifest), its static files volume and arguments. */
export function helloWorld(options: { invalid?: boolean; sleeptime?: number } = {}) {
  const dir = loadTemplateDirectory(HELLOWORLD_DIR, options.invalid ? { manifest: 'flowserv-invalid-cmd.yaml' } : {});
  return {
    template: dir.template,
    staticfs: new FileSystemStorage(HELLOWORLD_DIR),
    args: { names: new InputFile(NAMES_FILE, 'data/names.txt'), sleeptime: options.sleeptime ?? 0 },
  };
}

let counter = 0;
/** A run id unique within the test process. */
export function runId(label: string): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}-${Date.now()}`;
}
