/**
 * Pulls grpcurl invocations out of shell code blocks: the method (or the `list`/`describe`
 * verb), and the request body given with `-d '…'` or `-d @` plus a here-document.
 */

/** One grpcurl command as the README shows it. */
export interface GrpcurlCommand {
  /** The command line, continuation lines joined. */
  readonly line: string;
  /** `package.Service/Method`, when the command calls one. */
  readonly method?: string | undefined;
  /** `list` or `describe` and its symbol, when the command uses reflection only. */
  readonly verb?: { readonly name: 'list' | 'describe'; readonly symbol?: string } | undefined;
  /** The request body text, when the command sends one. */
  readonly body?: string | undefined;
  /** How the body reaches grpcurl: inline `-d '…'`, or a quoted (`<<'EOF'`) or unquoted here-doc. */
  readonly bodyKind?: 'inline' | 'quoted-heredoc' | 'heredoc' | undefined;
}

/** Every grpcurl command in `script` (a shell code block). */
export function grpcurlCommands(script: string): GrpcurlCommand[] {
  const lines = script.replace(/\\\n\s*/g, ' ').split('\n');
  const commands: GrpcurlCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const at = line.indexOf('grpcurl ');
    if (at === -1 || line.trimStart().startsWith('#')) continue;
    const tokens = line.slice(at).split(/\s+/);
    const method = tokens.find((t) => /^[A-Za-z_][\w.]*\/\w+$/.test(t));
    const verbAt = tokens.findIndex((t) => t === 'list' || t === 'describe');
    const verb = method === undefined && verbAt !== -1
      ? { name: tokens[verbAt] as 'list' | 'describe', symbol: tokens[verbAt + 1] }
      : undefined;
    const inline = /\s-d\s+'([^']*)'/.exec(line);
    const heredoc = /\s-d\s+@\s.*<<(-?)('?)(\w+)\2/.exec(line);
    let body: string | undefined;
    let bodyKind: GrpcurlCommand['bodyKind'];
    if (inline) {
      body = inline[1];
      bodyKind = 'inline';
    } else if (heredoc) {
      const terminator = heredoc[3] ?? 'EOF';
      const end = lines.findIndex((l, j) => j > i && l.trim() === terminator);
      if (end === -1) throw new Error(`here-document ${terminator} never ends: ${line}`);
      body = lines.slice(i + 1, end).join('\n');
      bodyKind = heredoc[2] === "'" ? 'quoted-heredoc' : 'heredoc';
      i = end;
    } else if (/\s-d\s/.test(line)) {
      throw new Error(`cannot read the -d body of: ${line}`);
    }
    commands.push({ line, method, verb, body, bodyKind });
  }
  return commands;
}

/**
 * Splits grpcurl's `-d` input, a stream of JSON objects (one per request message), into the
 * objects. Throws on text outside objects or unbalanced braces.
 */
export function jsonMessages(body: string): unknown[] {
  const messages: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth < 0) throw new Error('unbalanced }');
      if (depth === 0) messages.push(JSON.parse(body.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c ?? '')) {
      throw new Error(`unexpected '${c}' between messages`);
    }
  }
  if (depth !== 0) throw new Error('unbalanced {');
  return messages;
}
