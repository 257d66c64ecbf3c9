/**
 * `flowserv-remote submit TEMPLATE_DIR_OR_FILE …`: uploads the template's static files and the
 * --file and --dir inputs (only what the server lacks), creates the workflow and, with --watch or
 * --download, follows it to the end and downloads the verified outputs.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FileSystemStorage } from '../client/index.js';
import { FileParameter, InputDirectory, InputFile, renderPythonValue, type DirectoryEntry, type PyValue, type WorkflowTemplate } from '../model/index.js';
import { clientCommand, COMMON_FLAGS_HELP, EXIT, EXIT_CODES_HELP, exitCodeFor, keyValues, UsageError, workflowJson, writeJson } from './client-common.js';
import type { Command } from './commands.js';
import { followAndPrint } from './follow-printer.js';
import { loadTemplateSource } from './template-source.js';

const USAGE = `usage: flowserv-remote submit TEMPLATE_DIR_OR_FILE [flags]

Submits a flowServ workflow: a template directory with a manifest (flowserv.yaml/.yml/.json),
or a single YAML/JSON spec file (then only --file inputs are uploaded).

flags:
  --manifest FILE     manifest file in the template directory (default: flowserv.json/.yaml/.yml)
  --arg NAME=VALUE    argument; VALUE is parsed as JSON when it parses, else taken as a string
  --file NAME=PATH[:TARGET]  file argument; TARGET defaults to the parameter's declared target,
                      then its defaultValue (as flowServ does)
  --dir NAME=DIR[:TARGET]    folder argument (flowServ's InputDirectory, e.g. post-processing's
                      runs): every file below DIR; TARGET defaults to the folder of the
                      parameter's declared target (runs/runs.json gives runs), else NAME
  --engine NAME       engine (default: the server's default)
  --label KEY=VALUE   label (repeatable)
  --run-id ID         flowServ run id (default: a random id)
  --watch             follow the workflow to its end, printing each state
  --logs              with --watch: also print the output of each step as it is written
  --download DIR      after SUCCESS, download the outputs into DIR (implies --watch)
${COMMON_FLAGS_HELP}

${EXIT_CODES_HELP}
`;

const OPTIONS = {
  manifest: { type: 'string' },
  arg: { type: 'string', multiple: true },
  file: { type: 'string', multiple: true },
  dir: { type: 'string', multiple: true },
  engine: { type: 'string' },
  label: { type: 'string', multiple: true },
  'run-id': { type: 'string' },
  watch: { type: 'boolean', default: false },
  logs: { type: 'boolean', default: false },
  download: { type: 'string' },
} as const;

/** `--arg` value: JSON when it parses, else the string itself. */
export function parseArgValue(raw: string): PyValue {
  try {
    return JSON.parse(raw) as PyValue;
  } catch {
    return raw;
  }
}

/** `NAME=PATH[:TARGET]` → its three parts (TARGET null when not given). */
function splitSpec(flag: string, spec: string): { name: string; source: string; target: string | null } {
  const at = spec.indexOf('=');
  if (at <= 0) throw new UsageError(`${flag} expects NAME=PATH[:TARGET], got '${spec}'`);
  const name = spec.slice(0, at);
  const rest = spec.slice(at + 1);
  const colon = rest.lastIndexOf(':');
  const [source, target] = colon > 0 ? [rest.slice(0, colon), rest.slice(colon + 1)] : [rest, null];
  if (source === '') throw new UsageError(`${flag} ${name}: missing path`);
  return { name, source, target: target || null };
}

/** flowServ's target order for a file argument without one: the declared target, then the default. */
function declaredTarget(template: WorkflowTemplate, name: string): string | null {
  const para = template.parameters.get(name);
  if (!(para instanceof FileParameter)) return null;
  return para.target ?? (para.hasDefault() ? renderPythonValue(para.defaultValue) : null);
}

function fileArgument(spec: string, template: WorkflowTemplate): [string, InputFile] {
  const { name, source, target } = splitSpec('--file', spec);
  const chosen = target ?? declaredTarget(template, name);
  if (chosen === null) throw new UsageError(`--file ${name}: parameter '${name}' declares no target or default; give NAME=PATH:TARGET`);
  return [name, new InputFile(path.resolve(source), chosen)];
}

function listFiles(dir: string, prefix = ''): DirectoryEntry[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (e.isDirectory()) return listFiles(path.join(dir, e.name), rel);
      return e.isFile() ? [{ path: rel, source: path.join(dir, e.name) }] : [];
    });
}

function dirArgument(spec: string, template: WorkflowTemplate): [string, InputDirectory] {
  const { name, source, target } = splitSpec('--dir', spec);
  const abs = path.resolve(source);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new UsageError(`--dir ${name}: '${source}' is not a folder`);
  const declared = declaredTarget(template, name);
  const folder = declared !== null && declared.includes('/') ? path.posix.dirname(declared) : name;
  return [name, new InputDirectory(listFiles(abs), target ?? folder)];
}

export const command: Command = clientCommand({
  name: 'submit',
  usage: USAGE,
  options: OPTIONS,
  async run(p, connect, io) {
    if (p.positionals.length !== 1) throw new UsageError('expected exactly one TEMPLATE_DIR_OR_FILE');
    if (p.values.logs && !p.values.watch && !p.values.download) throw new UsageError('--logs needs --watch');
    const { template, staticfs } = loadTemplateSource(p.positionals[0]!, p.values.manifest);
    const values: Record<string, PyValue> = {};
    for (const [name, raw] of Object.entries(keyValues(p.values.arg, '--arg'))) values[name] = parseArgValue(raw);
    for (const spec of p.values.file ?? []) {
      const [name, file] = fileArgument(spec, template);
      values[name] = file;
    }
    for (const spec of p.values.dir ?? []) {
      const [name, dir] = dirArgument(spec, template);
      values[name] = dir;
    }
    const client = connect();
    const runstore = p.values.download ? new FileSystemStorage(p.values.download) : undefined;
    const handle = await client.createWorkflow({ runId: p.values['run-id'] ?? randomUUID().replace(/-/g, '') }, template, values, staticfs, {
      ...(p.values.engine && { engine: p.values.engine }),
      labels: keyValues(p.values.label, '--label'),
      ...(runstore && { runstore }),
    });
    const info = await client.getWorkflow(handle.workflowId);
    if (p.json) writeJson(io, { event: 'submitted', ...workflowJson(info) });
    else io.stdout.write(`submitted workflow ${handle.workflowId} (run ${handle.runId})\n`);
    if (!p.values.watch && !runstore) return EXIT.OK;
    const final = await followAndPrint(client, handle.workflowId, io, { json: p.json, logs: p.values.logs });
    if (final.type === 'SUCCESS' && runstore) {
      await client.downloadOutputs(handle.workflowId, handle.outputFiles, runstore);
      if (p.json) writeJson(io, { event: 'downloaded', directory: path.resolve(p.values.download!), files: handle.outputFiles });
      else for (const key of handle.outputFiles) io.stdout.write(`downloaded ${path.join(p.values.download!, key)}\n`);
    }
    return exitCodeFor(final);
  },
});
