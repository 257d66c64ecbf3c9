/**
 * How a job's outcome becomes the workflow's terminal state: success only when every declared
 * output exists inside the working directory (stored with size and sha256), else ERROR naming the
 * files; failures carry flowServ's messages; a vanished job is an ERROR saying so.
 */
import type { JobOutcome } from '../engines/types.js';
import type { BlobStore } from '../store/blob-store.js';
import { cancelState, errorState, successState } from '../model/state.js';
import type { NewState, StateRecord, WorkflowRecord } from '../store/records.js';
import { collectOutputFiles } from './output-files.js';

/** Returns the builder of the terminal state for `outcome` (outputs are collected first). */
export async function finalStateBuilder(
  wf: WorkflowRecord,
  outcome: JobOutcome,
  blobs: BlobStore,
  maxOutputBytes?: number,
): Promise<(current: StateRecord) => NewState> {
  const at = outcome.at;
  switch (outcome.kind) {
    case 'succeeded': {
      const collected = await collectOutputFiles(wf.job.workDir, wf.outputFiles, blobs, maxOutputBytes);
      return (s) => (collected.ok ? successState(s, at, collected.files) : errorState(s, at, collected.messages));
    }
    case 'failed': {
      const messages = outcome.messages.length > 0 ? outcome.messages : [`workflow failed with exit code ${outcome.exitCode}`];
      return (s) => errorState(s, at, messages);
    }
    case 'canceled':
      return (s) => cancelState(s, at, outcome.message ? [outcome.message] : null);
    case 'lost':
      return (s) => errorState(s, at, [outcome.message]);
  }
}
