/**
 * Public API of the TypeScript client: flowServ's RemoteClient contract over gRPC, the workflow
 * handle and controller, storage volumes, and the typed errors calls fail with.
 */
export type { RunObject, RemoteClient, CreateWorkflowOptions, StopWorkflowOptions } from './remote-client.js';
export { GrpcRemoteClient, type GrpcRemoteClientOptions, type ListWorkflowsQuery, type WorkflowPage } from './grpc-remote-client.js';
export { bearerTokenInterceptor } from './bearer-token.js';
export { RemoteWorkflowHandle, successWithOutputs, type HandleClient } from './workflow-handle.js';
export {
  RemoteWorkflowController,
  type RemoteWorkflowControllerOptions,
  type StateListener,
  type ExecResult,
} from './workflow-controller.js';
export { followWorkflow, DEFAULT_RECONNECT_POLICY, type FollowOptions } from './state-follower.js';
export type { WatchEvent, StateEvent, HeartbeatEvent, ProgressEvent } from './watch-stream.js';
export { LogCursor, type LogEvent, type WatchLogsOptions } from './log-follower.js';
export type { LogChunk, LogOffset, LogStreamName, StepProgress, WorkflowProgress } from './mapping/logs.js';
export { DEFAULT_RETRY_POLICY, type CallOptions, type RetryPolicy } from './call.js';
export type { Digest, UploadResult } from './uploads.js';
export type { OutputFileInfo, SequencedState } from './mapping/state.js';
export type { WorkflowInfo, ServiceInfo } from './mapping/workflow.js';
export type { TemplateInput } from './mapping/template.js';
export type { ArgumentValues } from './mapping/arguments.js';
export * from './errors.js';
export type { StorageVolume, VolumeDoc } from './volume/storage-volume.js';
export { copyFiles, joinKey } from './volume/storage-volume.js';
export { FileSystemStorage, volumeFromDict, newIdentifier } from './volume/fs-storage.js';
export { FSFile, IOBuffer, UnknownFileError, readAll, type IOHandle } from './volume/io-handle.js';
