/**
 * flowServ's RemoteWorkflowHandle (FLOWSERV.md §2.1) with the 0.9 output contract: when the
 * handle reports SUCCESS, every declared output file is already in `runstore`, downloaded and
 * sha256-verified. A download failure leaves the handle in its previous state, so the next poll
 * tries again.
 */
import { StateSuccess, type WorkflowState } from '../model/index.js';
import type { CallOptions } from './call.js';
import type { RemoteClient } from './remote-client.js';
import type { StorageVolume } from './volume/storage-volume.js';

/** What a handle needs from its client. */
export interface HandleClient extends Pick<RemoteClient, 'getWorkflowState'> {
  /** Downloads and verifies each key into `runstore`. */
  downloadOutputs(workflowId: string, keys: readonly string[], runstore: StorageVolume, options?: CallOptions): Promise<void>;
}

/** The SUCCESS state flowServ's monitor reports: the polled timestamps with `files` = the output keys. */
export function successWithOutputs(state: StateSuccess, outputFiles: readonly string[]): StateSuccess {
  return new StateSuccess(state.createdAt, state.startedAt, state.finishedAt, outputFiles);
}

/** A workflow submitted through a RemoteClient. */
export class RemoteWorkflowHandle {
  readonly runId: string;
  /** The server's id of the workflow. */
  readonly workflowId: string;
  /** Relative `/`-separated keys of the declared result files. */
  readonly outputFiles: readonly string[];
  /** Where the result files are placed before SUCCESS is reported. */
  readonly runstore: StorageVolume;
  private current: WorkflowState;
  private readonly client: HandleClient;

  constructor(init: {
    runId: string;
    workflowId: string;
    state: WorkflowState;
    outputFiles: readonly string[];
    runstore: StorageVolume;
    client: HandleClient;
  }) {
    this.runId = init.runId;
    this.workflowId = init.workflowId;
    this.current = init.state;
    this.outputFiles = [...init.outputFiles];
    this.runstore = init.runstore;
    this.client = init.client;
  }

  /** The last state reported. */
  get state(): WorkflowState {
    return this.current;
  }

  /** PENDING or RUNNING. */
  isActive(): boolean {
    return this.current.isActive();
  }

  /**
   * Asks for the next state. Undefined when its type did not change (flowServ's None);
   * otherwise the new state, which becomes `state`. Before SUCCESS is returned the outputs are
   * downloaded into `runstore`.
   */
  async pollState(options?: CallOptions): Promise<WorkflowState | undefined> {
    const next = await this.client.getWorkflowState(this.workflowId, this.current, options);
    if (next.sameType(this.current)) return undefined;
    return this.advance(next, options);
  }

  /**
   * Moves the handle to `next` (a state observed elsewhere, e.g. on a watch stream): downloads
   * the outputs first when it is SUCCESS. Returns the state recorded.
   */
  async advance(next: WorkflowState, options?: CallOptions): Promise<WorkflowState> {
    let state = next;
    if (next instanceof StateSuccess) {
      await this.client.downloadOutputs(this.workflowId, this.outputFiles, this.runstore, options);
      state = successWithOutputs(next, this.outputFiles);
    }
    this.current = state;
    return state;
  }
}
