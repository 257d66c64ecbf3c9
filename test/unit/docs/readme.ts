/**
 * Reads README.md sections and their fenced code blocks, so tests can check that the commands
 * and snippets the README shows keep working.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository's README.md. */
export const README_PATH = fileURLToPath(new URL('../../../README.md', import.meta.url));

/**
 * The body of the level-2 section titled `title` (up to the next `## ` heading), or undefined
 * when README.md or the section is missing.
 */
export function readmeSection(title: string, text?: string): string | undefined {
  let readme = text;
  if (readme === undefined) {
    try {
      readme = readFileSync(README_PATH, 'utf8');
    } catch {
      return undefined;
    }
  }
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.trim() === `## ${title}`);
  if (start === -1) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** The fenced code blocks of `section` whose info string is one of `languages`. */
export function codeBlocks(section: string, languages: readonly string[]): string[] {
  const blocks: string[] = [];
  const fence = /^```([\w-]*)\s*\n([\s\S]*?)^```\s*$/gm;
  for (const match of section.matchAll(fence)) {
    if (languages.includes(match[1] ?? '')) blocks.push(match[2] ?? '');
  }
  return blocks;
}
