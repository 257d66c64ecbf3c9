/**
 * What `submit` sends as template and static files: a template directory with a flowServ
 * manifest (primary; its static files, or the whole directory when the manifest lists none), or
 * a single YAML/JSON spec file (no static files; inputs come from --file arguments).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSystemStorage, type StorageVolume } from '../client/index.js';
import { loadTemplateDirectory, parseTemplate, readDocument, type WorkflowTemplate } from '../model/index.js';

/** A loaded template and its static files volume (null for a single spec file). */
export interface TemplateSource {
  readonly template: WorkflowTemplate;
  readonly staticfs: StorageVolume | null;
}

/** Loads `location` (directory or spec file); `manifest` picks a manifest file in the directory. */
export function loadTemplateSource(location: string, manifest?: string): TemplateSource {
  const abs = path.resolve(location);
  if (!statSync(abs).isDirectory()) return { template: parseTemplate(readDocument(abs, 'template')), staticfs: null };
  const dir = loadTemplateDirectory(abs, manifest === undefined ? {} : { manifest });
  const all = readdirSync(abs, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  const whole = all === dir.staticFiles.length && dir.staticFiles.every((f) => path.relative(abs, f.absolutePath).split(path.sep).join('/') === f.target);
  if (whole) return { template: dir.template, staticfs: new FileSystemStorage(abs) };
  const staging = mkdtempSync(path.join(tmpdir(), 'flowserv-static-'));
  for (const f of dir.staticFiles) {
    const out = path.join(staging, ...f.target.split('/'));
    mkdirSync(path.dirname(out), { recursive: true });
    copyFileSync(f.absolutePath, out);
  }
  return { template: dir.template, staticfs: new FileSystemStorage(staging) };
}
