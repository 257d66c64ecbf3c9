/**
 * Step actions (FLOWSERV.md §7.1), checked in flowServ's order: container (environment and
 * commands), code (func), notebook (notebook). This service runs shell commands only, so code
 * and notebook actions are recognised and refused with UnsupportedActionError.
 */
import { InvalidTemplateError, UnsupportedActionError } from '../errors.js';
import { pythonRepr } from '../python/render.js';
import { isPlainObject } from '../values.js';

/** A container action: an image or label (recorded only), commands, and an optional env. */
export interface ContainerAction {
  readonly environment: string;
  readonly commands: readonly string[];
  /** Extension: step environment variables; when non-empty, commands get only these (§7.4). */
  readonly env: Readonly<Record<string, string>>;
}

/** Classifies and checks an action dict; throws for code/notebook or malformed actions. */
export function parseContainerAction(action: Readonly<Record<string, unknown>>, field?: string): ContainerAction {
  if ('environment' in action && 'commands' in action) {
    const { environment, commands, env } = action;
    if (typeof environment !== 'string') throw new InvalidTemplateError("'environment' must be a string", sub(field, 'environment'));
    if (!Array.isArray(commands) || !commands.every((c) => typeof c === 'string')) {
      throw new InvalidTemplateError("'commands' must be a list of strings", sub(field, 'commands'));
    }
    let stepEnv: Record<string, string> = {};
    if (env !== undefined && env !== null) {
      if (!isPlainObject(env)) throw new InvalidTemplateError("'env' must be an object", sub(field, 'env'));
      stepEnv = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : pythonRepr(v)]));
    }
    return { environment, commands: commands as string[], env: stepEnv };
  }
  if ('func' in action) throw new UnsupportedActionError('code', field);
  if ('notebook' in action) throw new UnsupportedActionError('notebook', field);
  throw new InvalidTemplateError(`invalid action specification ${pythonRepr(action)}`, field);
}

function sub(field: string | undefined, key: string): string | undefined {
  return field === undefined ? undefined : `${field}.${key}`;
}
