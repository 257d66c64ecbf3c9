/**
 * CreateWorkflow: validate everything first (engine, run id, labels, template and arguments,
 * referenced uploads, the engine's resource pre-check), answer a replay from the idempotency
 * record, stage the input files, then persist the workflow in PENDING and hand it to the
 * dispatcher, which submits it in the background. A request that fails any check leaves nothing
 * behind; a refusal the engine makes only at submission ends the workflow in ERROR (see the
 * CreateWorkflow comment in the proto), so creation never waits for the scheduler.
 */
import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EngineAdapter, JobResources, JobSpec } from '../engines/types.js';
import { BlobCorruptError } from '../store/verified-blobs.js';
import { AlreadyExistsError, DataLossError, FailedPreconditionError, InvalidArgumentError, ViolationReason, type FieldViolation } from '../errors.js';
import type { WorkflowRecord } from '../store/records.js';
import type { InsertResult, NewWorkflow } from '../store/workflow-store.js';
import { canonicalHash } from './canonical-hash.js';
import { checkInputSizes } from './input-limits.js';
import type { Dispatcher } from './dispatcher.js';
import { stageWorkDir, type StagedFile } from './staging.js';
import { incomingDirOf } from './sweep-orphans.js';
import type { CreateWorkflowInput } from './types.js';
import type { WorkflowServiceOptions } from './workflow-service.js';

/**
 * Dependencies of createWorkflow: the service's own options (typed from them, so the two cannot
 * drift) plus the dispatcher, the clock and the folder-size limit the service resolves.
 */
export type CreateDeps = Pick<WorkflowServiceOptions, 'store' | 'blobs' | 'engines' | 'defaultEngine' | 'planWorkflow' | 'runsDirFor' | 'span' | 'disabledEngines'> & {
  readonly dispatcher: Dispatcher;
  /** This process's part of the incoming area (WorkflowServiceOptions.stagingArea). */
  readonly stagingArea: string;
  /** Bytes kept of each output stream of a new workflow; 0 or absent = no cap (ServiceLimits.logCapBytes). */
  readonly logCapBytes?: number;
  readonly now: () => Date;
  /** Largest total size in bytes of the blobs one folder argument places. */
  readonly maxDirectoryBytes: number;
};

const RUN_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** Label keys: 1-63 characters of letters, digits, . _ / - starting with a letter or digit. */
export const LABEL_KEY = /^[A-Za-z0-9]([A-Za-z0-9._/-]{0,62})$/;

function checkEnvelope(input: CreateWorkflowInput, engine: string, deps: CreateDeps): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!RUN_ID.test(input.run.runId) && !input.violations?.some((v) => v.field === 'run')) {
    violations.push({ field: 'run.run_id', description: 'run id must be 1-64 characters of letters, digits, _ . -', reason: ViolationReason.INVALID_RUN_ID });
  }
  if (!deps.engines.has(engine)) {
    violations.push({ field: 'engine', description: `unknown engine '${engine}'; configured: ${[...deps.engines.keys()].join(', ')}`, reason: ViolationReason.UNKNOWN_ENGINE });
  }
  if (input.resources && deps.engines.get(engine)?.capabilities.resources === false) {
    // The proto's rule: an engine without resource support refuses them rather than ignore a
    // time limit or CPU request the caller relies on.
    violations.push({ field: 'resources', description: `engine '${engine}' does not support resources (time_limit, partition, cpus, memory_mb, extra_args)`, reason: ViolationReason.ENGINE_REJECTED });
  }
  for (const [key, value] of Object.entries(input.labels ?? {})) {
    if (!LABEL_KEY.test(key)) violations.push({ field: `labels.${key}`, description: 'label keys are 1-63 characters of letters, digits, . _ / -', reason: ViolationReason.INVALID_LABEL });
    if (value.length > 256) violations.push({ field: `labels.${key}`, description: 'label values are at most 256 characters', reason: ViolationReason.INVALID_LABEL });
    if (value.includes('\0')) violations.push({ field: `labels.${key}`, description: 'label values must not contain NUL characters', reason: ViolationReason.INVALID_LABEL });
  }
  if (input.requestId !== undefined && input.requestId.length > 128) {
    violations.push({ field: 'request_id', description: 'request id is at most 128 characters', reason: ViolationReason.INVALID_REQUEST_ID });
  }
  // Text the store keeps as is: no database's text type takes NUL (PostgreSQL refuses it).
  if (input.requestId?.includes('\0')) {
    violations.push({ field: 'request_id', description: 'request id must not contain NUL characters', reason: ViolationReason.INVALID_REQUEST_ID });
  }
  for (const [field, value] of [['run.group_id', input.run.groupId], ['run.workflow_id', input.run.flowservWorkflowId]] as const) {
    if (value?.includes('\0')) violations.push({ field, description: `${field} must not contain NUL characters`, reason: ViolationReason.INVALID_RUN_ID });
  }
  return violations;
}

/** Every staged blob must be uploaded; each folder argument's blobs must fit maxDirectoryBytes. */
async function checkBlobs(files: readonly StagedFile[], input: CreateWorkflowInput, deps: CreateDeps): Promise<FieldViolation[]> {
  const violations: FieldViolation[] = [];
  const sizes = await deps.blobs.sizesOf(files.map((f) => f.sha256));
  const folderBytes = new Map<string, { argument: string; folder: string; bytes: number }>();
  for (const f of files) {
    const size = sizes.get(f.sha256);
    if (size === undefined) {
      const field = f.argument !== undefined ? `arguments.${f.argument}` : `static_files[${input.staticFiles.findIndex((s) => s.path === f.target)}].sha256`;
      violations.push({ field, description: `no uploaded file with sha256 ${f.sha256} (for '${f.target}'); upload it first`, reason: ViolationReason.UNKNOWN_FILE });
    } else if (f.argument !== undefined && f.folder !== undefined) {
      const key = `${f.argument}\0${f.folder}`;
      const entry = folderBytes.get(key) ?? { argument: f.argument, folder: f.folder, bytes: 0 };
      entry.bytes += size;
      folderBytes.set(key, entry);
    }
  }
  for (const { argument, folder, bytes } of folderBytes.values()) {
    if (bytes > deps.maxDirectoryBytes) {
      violations.push({
        field: `arguments.${argument}`,
        description: `folder '${folder}' totals ${bytes} bytes; at most ${deps.maxDirectoryBytes} are allowed`,
        reason: ViolationReason.DIRECTORY_TOO_LARGE,
      });
    }
  }
  return violations;
}

/** Request field paths of the engine resources, for BadRequest field violations. */
const RESOURCE_FIELD: Readonly<Record<keyof JobResources, string>> = {
  partition: 'resources.partition',
  timeLimitMinutes: 'resources.time_limit',
  cpus: 'resources.cpus',
  memoryMb: 'resources.memory_mb',
  extraArgs: 'resources.extra_args',
};

/** The engine's pre-check of the job's resources, as INVALID_ARGUMENT (nothing stored yet). */
function checkResources(adapter: EngineAdapter, job: JobSpec): void {
  const problems = adapter.validate?.(job) ?? [];
  if (problems.length === 0) return;
  throw new InvalidArgumentError(
    `engine '${adapter.name}' refused the workflow: ${problems.map((p) => p.message).join('; ')}`,
    problems.map((p) => ({ field: RESOURCE_FIELD[p.resource], description: p.message, reason: ViolationReason.ENGINE_REJECTED })),
  );
}

/**
 * The answer to a request whose run id or request id is taken. Only the owner's own identical
 * request is a replay. Another owner's run id is a conflict that names nothing of that workflow
 * (run ids are unique across the service; flowServ makes them UUIDs, so a clash is an error or a
 * probe, and the answer tells no more than that the id is taken).
 */
function replayOrConflict(existing: WorkflowRecord, payloadHash: string, owner: string): { workflow: WorkflowRecord; replayed: true } {
  if (existing.owner !== owner) {
    throw new AlreadyExistsError(`run '${existing.runId}' is already taken; run ids are unique across the service`, { run_id: existing.runId });
  }
  if (existing.payloadHash === payloadHash) return { workflow: existing, replayed: true };
  throw new AlreadyExistsError(`run '${existing.runId}' already exists with a different request`, {
    workflow_id: existing.workflowId,
    run_id: existing.runId,
  });
}

/** Creates (or replays) a workflow. */
export async function createWorkflow(
  deps: CreateDeps,
  input: CreateWorkflowInput,
  owner: string,
): Promise<{ workflow: WorkflowRecord; replayed: boolean }> {
  const engine = input.engine || deps.defaultEngine;
  const off = deps.disabledEngines?.get(engine);
  if (off !== undefined) throw new FailedPreconditionError(off.message, { engine, setting: off.setting });
  const sizes = checkInputSizes(input);
  // Over the text caps, planning is what the caps are there to avoid: answer without it.
  if (sizes.length > 0) throw new InvalidArgumentError('request too large', [...(input.violations ?? []), ...sizes]);
  const envelope = [...(input.violations ?? []), ...checkEnvelope(input, engine, deps)];
  if (envelope.length > 0) {
    // Report the template's and arguments' problems in the same answer as the envelope's.
    let planned: FieldViolation[] = [];
    try {
      deps.planWorkflow(input);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      planned = [...err.violations];
    }
    const fields = new Set(envelope.map((v) => v.field));
    throw new InvalidArgumentError('invalid workflow request', [...envelope, ...planned.filter((v) => !fields.has(v.field))]);
  }
  // Hashing and planning each take up to tens of milliseconds on a large request: let other
  // calls (health checks, heartbeats) run between them.
  await nextTurn();
  const payloadHash = canonicalHash({ ...input, engine, requestId: undefined, traceparent: undefined });
  const earlier = await deps.store.findByRunOrRequest(owner, input.run.runId, input.requestId);
  if (earlier) return replayOrConflict(earlier, payloadHash, owner);

  await nextTurn();
  const plan = deps.planWorkflow(input);
  const missing = await checkBlobs(plan.files, input, deps);
  if (missing.length > 0) throw new InvalidArgumentError('referenced files were not uploaded', missing);

  const workflowId = randomUUID().replace(/-/g, '');
  const base = join(deps.runsDirFor(engine), workflowId);
  // The run directory is the runner's control directory, with the working directory inside it:
  // one directory fewer per run (the runner's records are flat files next to `work`).
  const job: JobSpec = {
    workflowId,
    workDir: join(base, 'work'),
    controlDir: base,
    steps: plan.steps,
    ...(input.resources && { resources: input.resources }),
    ...(input.traceparent && { traceparent: input.traceparent }),
    ...(deps.logCapBytes && { logCapBytes: deps.logCapBytes }),
  };
  checkResources(deps.engines.get(engine)!, job);
  // Staged in the incoming area and moved into place only once recorded (see sweep-orphans.ts).
  const incoming = incomingDirOf(deps.runsDirFor(engine), deps.stagingArea, workflowId);
  const stage = async () => {
    try {
      await stageWorkDir(join(incoming, 'work'), plan.files, deps.blobs, plan.directories);
    } catch (err) {
      await rm(incoming, { recursive: true, force: true });
      throw err;
    }
  };
  try {
    await (deps.span ? deps.span('stage', stage) : stage());
  } catch (err) {
    if (err instanceof BlobCorruptError) {
      throw new DataLossError(err.sha256, `the stored copy of uploaded file ${err.sha256} was corrupt and has been dropped; upload it again`);
    }
    throw err;
  }
  let record: NewWorkflow = {
    workflowId,
    owner,
    runId: input.run.runId,
    ...(input.run.groupId && { groupId: input.run.groupId }),
    ...(input.run.flowservWorkflowId && { flowservWorkflowId: input.run.flowservWorkflowId }),
    engine,
    labels: input.labels ?? {},
    ...(input.requestId && { requestId: input.requestId }),
    payloadHash,
    outputFiles: plan.outputFiles,
    job,
    createdAt: deps.now(),
  };
  const claimFor = deps.dispatcher.claimant();
  if (claimFor !== undefined) record = { ...record, claimFor };
  let inserted: InsertResult;
  try {
    inserted = await deps.store.insert(record);
  } catch (err) {
    await rm(incoming, { recursive: true, force: true });
    throw err;
  }
  if (inserted.kind === 'existing') {
    await rm(incoming, { recursive: true, force: true });
    return replayOrConflict(inserted.workflow, payloadHash, owner);
  }
  await rename(incoming, base);
  await deps.dispatcher.admit(inserted.workflow, inserted.claim);
  return { workflow: inserted.workflow, replayed: false };
}
