/**
 * The `${var}` / `$var` phase of command expansion (FLOWSERV.md §7.2), reproducing flowServ's
 * use of Python's string.Template exactly: placeholder names are collected with flowServ's own
 * scanner and mapped to themselves (so an unknown `${HOME}` becomes `HOME`), then the context
 * and the fixed worker variables are laid over them. Python's failures become typed errors
 * here, raised when the job is built instead of failing the run.
 */
import { InvalidPlaceholderError, UnknownVariableError } from '../errors.js';
import { renderPythonValue } from '../python/render.js';

/**
 * flowServ's `placeholders(text)`: `$$` is dropped, `${x}` gives x, `$x` gives the rest of the
 * whitespace-delimited token (`$names.txt` gives `names.txt`). A `$` with nothing after it
 * throws InvalidPlaceholderError (Python raises IndexError there).
 */
export function placeholders(text: string, field?: string): Set<string> {
  let rest = text.split('$$').join('');
  const names = new Set<string>();
  while (rest.includes('$')) {
    rest = rest.slice(rest.indexOf('$') + 1);
    if (rest.startsWith('{')) {
      const end = rest.indexOf('}');
      names.add(end === -1 ? rest.slice(1, -1) : rest.slice(1, end));
    } else {
      const token = rest.trim().split(/\s+/)[0];
      if (!token) throw new InvalidPlaceholderError("invalid placeholder: '$' at the end of the command", field);
      names.add(token);
    }
  }
  return names;
}

const PATTERN = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\}|())/g;

/**
 * Python `Template(text).substitute(mapping)`: `$$` → `$`, `$name`/`${name}` → str(value).
 * A missing name throws UnknownVariableError; an invalid placeholder (`$1`, `$ `) throws
 * InvalidPlaceholderError with Python's "line L, col C" message.
 */
export function substitute(text: string, mapping: ReadonlyMap<string, unknown>, field?: string): string {
  return text.replace(PATTERN, (match, escaped: string | undefined, named: string | undefined, braced: string | undefined, _inv: string | undefined, offset: number) => {
    if (escaped !== undefined) return '$';
    const name = named ?? braced;
    if (name !== undefined) {
      if (!mapping.has(name)) throw new UnknownVariableError(name, field);
      return renderPythonValue(mapping.get(name));
    }
    const i = offset + 1;
    const before = text.slice(0, i);
    const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
    const lineno = before.split(/\r\n|\r|\n/).length;
    throw new InvalidPlaceholderError(`Invalid placeholder in string: line ${lineno}, col ${i - lineStart}`, field);
  });
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
