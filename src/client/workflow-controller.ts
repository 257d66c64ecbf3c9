/**
 * flowServ's RemoteWorkflowController (FLOWSERV.md §2.3–2.5) over GrpcRemoteClient. It submits
 * through createWorkflow, then follows the workflow with WatchState (resumed after a drop,
 * polling when streaming is unimplemented) and reports every state, the first PENDING included,
 * to `onStateChange` once and in order. SUCCESS is reported only after the outputs are in the
 * runstore. Unlike flowServ's monitor (§12.7), finished workflows are forgotten.
 */
import { StatePending, type WorkflowState } from '../model/index.js';
import type { RetryPolicy } from './call.js';
import { InvalidArgumentError } from './errors.js';
import type { GrpcRemoteClient } from './grpc-remote-client.js';
import type { ArgumentValues } from './mapping/arguments.js';
import type { TemplateInput } from './mapping/template.js';
import type { CreateWorkflowOptions, RunObject } from './remote-client.js';
import { followWorkflow } from './state-follower.js';
import type { StorageVolume } from './volume/storage-volume.js';
import type { RemoteWorkflowHandle } from './workflow-handle.js';

/** Receives each state of a run (flowServ: `update_run(run_id, state, runstore)`). Throwing stops following. */
export type StateListener = (runId: string, state: WorkflowState, runstore: StorageVolume) => void | Promise<void>;

/** Options of the controller. */
export interface RemoteWorkflowControllerOptions {
  /** Return from execWorkflow at once and follow in the background (default true); false waits for the end. */
  readonly isAsync?: boolean;
  readonly onStateChange?: StateListener;
  /** Told about failures that end the following of a run (listener errors, lost server). */
  readonly onError?: (runId: string, err: unknown) => void;
  /** Poll interval when streaming is unavailable, in milliseconds (default 1000). */
  readonly pollIntervalMs?: number;
  /** Reconnection policy of the watch (default DEFAULT_RECONNECT_POLICY). */
  readonly reconnect?: Partial<RetryPolicy>;
  /** Poll instead of streaming. */
  readonly poll?: boolean;
  /** Told about each watch reconnection. */
  readonly onReconnect?: (runId: string, failures: number, err: unknown) => void;
}

/** What execWorkflow returns: flowServ's `(state, runstore)`. */
export interface ExecResult {
  readonly state: WorkflowState;
  /** Null when submission failed. */
  readonly runstore: StorageVolume | null;
  /** Resolves with the last state reported for the run (at once when submission failed). */
  readonly done: Promise<WorkflowState>;
}

interface Task {
  readonly workflowId: string;
  readonly abort: AbortController;
  readonly done: Promise<WorkflowState>;
}

/** flowServ puts the stack trace lines in the ERROR state; field violations come first here. */
function errorMessages(err: unknown): string[] {
  const violations = err instanceof InvalidArgumentError ? err.violations.map((v) => `${v.field}: ${v.description}`) : [];
  return [...violations, ...(err instanceof Error ? (err.stack ?? String(err)) : String(err)).split('\n')];
}

/** The workflow controller for remote engines. */
export class RemoteWorkflowController {
  private readonly tasks = new Map<string, Task>();

  constructor(
    readonly client: GrpcRemoteClient,
    private readonly options: RemoteWorkflowControllerOptions = {},
  ) {}

  /**
   * Submits the run. Async: returns the handle's state at once and follows in the background.
   * Sync: follows to the end and returns the final state. A failed submission is reported as an
   * ERROR state with the error's stack lines (and a null runstore), as flowServ does.
   */
  async execWorkflow(
    run: RunObject,
    template: TemplateInput,
    args: ArgumentValues,
    staticfs: StorageVolume | null,
    options?: CreateWorkflowOptions,
  ): Promise<ExecResult> {
    let handle: RemoteWorkflowHandle;
    try {
      handle = await this.client.createWorkflow(run, template, args, staticfs, options);
    } catch (err) {
      const state = new StatePending().error(errorMessages(err));
      return { state, runstore: null, done: Promise.resolve(state) };
    }
    const abort = new AbortController();
    const done = this.monitor(handle, abort.signal);
    this.tasks.set(run.runId, { workflowId: handle.workflowId, abort, done });
    if (this.options.isAsync === false) return { state: await done, runstore: handle.runstore, done };
    return { state: handle.state, runstore: handle.runstore, done };
  }

  /** Stops the run's workflow (errors ignored, as in flowServ); the CANCELED state is still reported. */
  async cancelRun(runId: string, reason?: string): Promise<void> {
    const task = this.tasks.get(runId);
    if (!task) return;
    try {
      await this.client.stopWorkflow(task.workflowId, { ...(reason !== undefined && { reason }) });
    } catch (err) {
      this.options.onError?.(runId, err);
    }
  }

  /** Run ids still being followed. */
  activeRuns(): string[] {
    return [...this.tasks.keys()];
  }

  /** Stops following every run (the workflows keep running) and waits for the monitors to end. */
  async close(): Promise<void> {
    const tasks = [...this.tasks.values()];
    for (const t of tasks) t.abort.abort();
    await Promise.allSettled(tasks.map((t) => t.done));
  }

  private async monitor(handle: RemoteWorkflowHandle, signal: AbortSignal): Promise<WorkflowState> {
    const { runId } = handle;
    const listener = this.options.onStateChange;
    try {
      const events = followWorkflow(this.client, handle.workflowId, {
        signal,
        ...(this.options.pollIntervalMs !== undefined && { pollIntervalMs: this.options.pollIntervalMs }),
        ...(this.options.reconnect && { reconnect: this.options.reconnect }),
        ...(this.options.poll && { poll: true }),
        onReconnect: (n, err) => this.options.onReconnect?.(runId, n, err),
      });
      for await (const event of events) {
        if (event.kind !== 'state') continue;
        const state = await handle.advance(event.state, { signal });
        try {
          await listener?.(runId, state, handle.runstore);
        } catch (err) {
          this.options.onError?.(runId, err);
          if (state.isActive()) await this.client.stopWorkflow(handle.workflowId).catch(() => undefined);
          return state;
        }
      }
      return handle.state;
    } catch (err) {
      if (signal.aborted) return handle.state;
      this.options.onError?.(runId, err);
      const current = handle.state;
      if (current.type !== 'PENDING' && current.type !== 'RUNNING') return current;
      const failed = current.error(errorMessages(err));
      await Promise.resolve(listener?.(runId, failed, handle.runstore)).catch(() => undefined);
      return failed;
    } finally {
      this.tasks.delete(runId);
    }
  }
}
