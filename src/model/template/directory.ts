/**
 * Loading a template from a directory with a flowServ manifest (FLOWSERV.md §6.2):
 * `flowserv.json`, `flowserv.yaml` or `flowserv.yml` (first found, or an explicit file) names
 * the spec file and the static files. Paths must stay inside the directory.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidManifestError } from '../errors.js';
import { validateDoc } from '../parameters/validate-doc.js';
import { isPlainObject } from '../values.js';
import { parseTemplate, type WorkflowTemplate } from './template.js';
import { readDocument, readMarkdown } from './yaml-include.js';

/** Manifest files looked for, in order. */
export const MANIFEST_FILES: readonly string[] = ['flowserv.json', 'flowserv.yaml', 'flowserv.yml'];

/** A static file to copy into the workflow's static folder. */
export interface StaticFile {
  readonly absolutePath: string;
  /** Relative `/`-separated target path. */
  readonly target: string;
}

/** A loaded template directory. */
export interface TemplateDirectory {
  readonly name: string;
  readonly description: string | null;
  /** Instructions markdown with `{{file}}` includes expanded; null when not declared. */
  readonly instructions: string | null;
  readonly template: WorkflowTemplate;
  readonly staticFiles: readonly StaticFile[];
}

/** Options of {@link loadTemplateDirectory}; name/description/instructions/specfile override the manifest. */
export interface LoadTemplateDirectoryOptions {
  /** Manifest file relative to the directory (default: first of MANIFEST_FILES found). */
  readonly manifest?: string;
  readonly name?: string;
  readonly description?: string;
  readonly instructions?: string;
  readonly specfile?: string;
}

const MANIFEST_KEYS = ['name', 'description', 'instructions', 'files', 'specfile'];

/**
 * Loads manifest, spec and static file list. Manifest problems are InvalidManifestError
 * ('missing name', 'missing workflow specification', unknown keys, paths leaving the
 * directory); the spec is parsed with parseTemplate (ModelValidationError). Without `files`
 * the whole directory is static, manifest and spec included.
 */
export function loadTemplateDirectory(dir: string, options: LoadTemplateDirectoryOptions = {}): TemplateDirectory {
  const root = path.resolve(dir);
  const manifestName = options.manifest ?? MANIFEST_FILES.find((f) => existsSync(path.join(root, f)));
  let manifest: Record<string, unknown> = {};
  if (manifestName !== undefined) {
    const doc = readDocument(inside(root, manifestName, 'manifest'), 'manifest');
    if (doc !== null && doc !== undefined && !isPlainObject(doc)) throw new InvalidManifestError('manifest must be an object', 'manifest');
    manifest = (doc as Record<string, unknown> | null) ?? {};
    validateDoc(manifest, [], MANIFEST_KEYS, (m, f) => new InvalidManifestError(m, f), 'manifest');
  }
  const name = String(options.name ?? manifest.name ?? '').trim();
  if (name === '') throw new InvalidManifestError('missing name', 'manifest.name');
  if (name.length > 512) throw new InvalidManifestError('name must be at most 512 characters', 'manifest.name');
  const specfile = options.specfile ?? manifest.specfile;
  if (typeof specfile !== 'string' || specfile === '') {
    throw new InvalidManifestError('missing workflow specification', 'manifest.specfile');
  }
  const description = options.description ?? (manifest.description == null ? null : String(manifest.description));
  const instructionsFile = options.instructions ?? (manifest.instructions == null ? null : String(manifest.instructions));
  const instructions =
    instructionsFile === null ? null : readMarkdown(inside(root, instructionsFile, 'manifest.instructions'), 'manifest.instructions');
  const template = parseTemplate(readDocument(inside(root, specfile, 'manifest.specfile'), 'manifest.specfile'));
  const staticFiles = manifest.files === undefined || manifest.files === null ? walk(root, '') : listedFiles(root, manifest.files);
  return { name, description, instructions, template, staticFiles };
}

function listedFiles(root: string, files: unknown): StaticFile[] {
  if (!Array.isArray(files)) throw new InvalidManifestError("'files' must be a list", 'manifest.files');
  return files.flatMap((entry: unknown, i) => {
    const field = `manifest.files[${i}]`;
    if (!isPlainObject(entry)) throw new InvalidManifestError('file entry must be an object', field);
    validateDoc(entry, ['source'], ['target'], (m, f) => new InvalidManifestError(m, f), field);
    const source = String(entry.source);
    const abs = inside(root, source, `${field}.source`);
    const target = normalTarget(entry.target == null ? source : String(entry.target), `${field}.target`);
    if (!existsSync(abs)) throw new InvalidManifestError(`unknown file '${source}'`, `${field}.source`);
    if (statSync(abs).isDirectory()) return walk(abs, target);
    if (target === '') throw new InvalidManifestError(`invalid target path for file '${source}'`, `${field}.target`);
    return [{ absolutePath: abs, target }];
  });
}

function walk(dir: string, prefix: string): StaticFile[] {
  const out: StaticFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const abs = path.join(dir, entry.name);
    const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(...walk(abs, key));
    else if (entry.isFile()) out.push({ absolutePath: abs, target: key });
  }
  return out;
}

function inside(root: string, relative: string, field: string): string {
  const abs = path.resolve(root, relative);
  if (path.isAbsolute(relative) || (abs !== root && !abs.startsWith(root + path.sep))) {
    throw new InvalidManifestError(`path '${relative}' leaves the template directory`, field);
  }
  return abs;
}

function normalTarget(target: string, field: string): string {
  const norm = path.posix.normalize(target.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (norm === '.' || norm === '') return '';
  if (norm.startsWith('../') || norm === '..' || path.posix.isAbsolute(norm)) {
    throw new InvalidManifestError(`invalid target path '${target}'`, field);
  }
  return norm;
}
