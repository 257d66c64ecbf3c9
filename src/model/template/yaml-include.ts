/**
 * Reads template documents from disk: JSON by extension, YAML otherwise, with flowServ's
 * `!include <relative path>` tag (resolved relative to the including file, recursively) and
 * the `{{relative file}}` includes of instruction markdown (FLOWSERV.md §6.2).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type ScalarTag } from 'yaml';
import { InvalidManifestError } from '../errors.js';

const MAX_DEPTH = 32;

/** The text of an included file at nesting `depth`; too deep or unreadable is InvalidManifestError. */
function readIncluded(file: string, field: string | undefined, depth: number): string {
  if (depth > MAX_DEPTH) throw new InvalidManifestError(`too many nested includes at '${file}'`, field);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidManifestError(`cannot read '${file}': ${(err as Error).message}`, field);
  }
}

/**
 * Reads a JSON or YAML file. Include cycles deeper than 32 levels, unreadable files and parse
 * errors are InvalidManifestError at `field`.
 */
export function readDocument(file: string, field?: string, depth = 0): unknown {
  const text = readIncluded(file, field, depth);
  try {
    if (file.toLowerCase().endsWith('.json')) return JSON.parse(text) as unknown;
    const include: ScalarTag = {
      tag: '!include',
      resolve: (relative: string) => readDocument(path.resolve(path.dirname(file), relative.trim()), field, depth + 1) as never,
    };
    return parse(text, { customTags: [include] }) as unknown;
  } catch (err) {
    if (err instanceof InvalidManifestError) throw err;
    throw new InvalidManifestError(`cannot parse '${file}': ${(err as Error).message}`, field);
  }
}

/** Reads a markdown file, replacing each `{{relative file}}` by that file's (expanded) text. */
export function readMarkdown(file: string, field?: string, depth = 0): string {
  const text = readIncluded(file, field, depth);
  return text.replace(/\{\{(.+?)\}\}/g, (_m, rel: string) =>
    readMarkdown(path.resolve(path.dirname(file), rel.trim()), field, depth + 1),
  );
}
