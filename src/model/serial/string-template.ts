/**
 * The `${var}` / `$var` phase of command expansion (FLOWSERV.md §7.2), reproducing flowServ's
 * use of Python's string.Template exactly: placeholder names are collected with flowServ's own
 * scanner and mapped to themselves (so an unknown `${HOME}` becomes `HOME`), then the context
 * and the fixed worker variables are laid over them. Python's failures become typed errors
 * here, raised when the job is built instead of failing the run.
 */
import { InvalidPlaceholderError, UnknownVariableError } from '../errors.js';
import { renderPythonValue } from '../python/render.js';

/** JavaScript's `\s` (what `trim` and `split(/\s+/)` use) by character code. */
function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 160) return false;
  return code === 160 || code === 5760 || (code >= 8192 && code <= 8202) || code === 8232 || code === 8233
    || code === 8239 || code === 8287 || code === 12288 || code === 65279;
}

/** `[_a-zA-Z]` by character code (a regex test per character costs more than the scan). */
function isIdentifierStart(code: number): boolean {
  return code === 95 || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isIdentifierPart(code: number): boolean {
  return isIdentifierStart(code) || (code >= 48 && code <= 57);
}

/** End of the identifier that starts at `from` and stops before `limit` (== from when there is none). */
function identifierEnd(text: string, from: number, limit = text.length): number {
  if (from >= limit || !isIdentifierStart(text.charCodeAt(from))) return from;
  let i = from + 1;
  while (i < limit && isIdentifierPart(text.charCodeAt(i))) i += 1;
  return i;
}

/**
 * flowServ's `placeholders(text)`: `$$` is dropped, `${x}` gives x, `$x` gives the rest of the
 * whitespace-delimited token (`$names.txt` gives `names.txt`). A `$` with nothing after it
 * throws InvalidPlaceholderError (Python raises IndexError there).
 *
 * Only names that are identifiers are returned: they are the only ones {@link substitute} can
 * look up, so the others never change a result. One pass over the text (flowServ's version
 * rescans the rest of the string for every `$`, which a hostile command turns into minutes).
 */
export function placeholders(text: string, field?: string): Set<string> {
  const rest = text.split('$$').join('');
  const names = new Set<string>();
  let closing = -2;
  for (let at = rest.indexOf('$'); at !== -1; at = rest.indexOf('$', at + 1)) {
    const from = at + 1;
    if (rest.charCodeAt(from) === 123 /* { */) {
      if (closing !== -1 && closing < from) closing = rest.indexOf('}', from);
      // flowServ takes everything up to the next '}' (or up to the last character, excluded).
      const nameEnd = closing === -1 ? rest.length - 1 : closing;
      const end = identifierEnd(rest, from + 1, nameEnd);
      if (end > from + 1 && end === nameEnd) names.add(rest.slice(from + 1, end));
      continue;
    }
    let start = from;
    while (start < rest.length && isSpace(rest.charCodeAt(start))) start += 1;
    if (start === rest.length) throw new InvalidPlaceholderError("invalid placeholder: '$' at the end of the command", field);
    const end = identifierEnd(rest, start);
    if (end > start && (end === rest.length || isSpace(rest.charCodeAt(end)))) names.add(rest.slice(start, end));
  }
  return names;
}

const PLACEHOLDER_AT = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\}|())/y;

/**
 * Python `Template(text).substitute(mapping)`: `$$` → `$`, `$name`/`${name}` → str(value).
 * A missing name throws UnknownVariableError; an invalid placeholder (`$1`, `$ `) throws
 * InvalidPlaceholderError with Python's "line L, col C" message. Walks from one `$` to the next
 * and stops at the first failure (a global `replace` would first collect every match).
 */
export function substitute(text: string, mapping: ReadonlyMap<string, unknown>, field?: string): string {
  const parts: string[] = [];
  let copied = 0;
  for (let at = text.indexOf('$'); at !== -1; at = text.indexOf('$', copied)) {
    PLACEHOLDER_AT.lastIndex = at;
    const match = PLACEHOLDER_AT.exec(text)!;
    parts.push(text.slice(copied, at));
    copied = at + match[0].length;
    if (match[1] !== undefined) {
      parts.push('$');
      continue;
    }
    const name = match[2] ?? match[3];
    if (name !== undefined) {
      if (!mapping.has(name)) throw new UnknownVariableError(name, field);
      parts.push(renderPythonValue(mapping.get(name)));
      continue;
    }
    const i = at + 1;
    const before = text.slice(0, i);
    const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
    const lineno = before.split(/\r\n|\r|\n/).length;
    throw new InvalidPlaceholderError(`Invalid placeholder in string: line ${lineno}, col ${i - lineStart}`, field);
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * Expands one command as flowServ's container worker does: names from {@link placeholders}
 * map to themselves, then `context`, then `variables` (which win); the result is trimmed.
 */
export function expandCommand(
  command: string,
  context: Readonly<Record<string, unknown>>,
  variables: Readonly<Record<string, unknown>>,
  field?: string,
): string {
  const mapping = new Map<string, unknown>();
  for (const name of placeholders(command, field)) mapping.set(name, name);
  for (const [k, v] of Object.entries(context)) mapping.set(k, v);
  for (const [k, v] of Object.entries(variables)) mapping.set(k, v);
  return substitute(command, mapping, field).trim();
}
