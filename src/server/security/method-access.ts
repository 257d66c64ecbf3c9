/**
 * What each RPC needs from its caller. Health is public (Kubernetes probes and load balancers
 * send no credentials). Reflection needs a token, read-only suffices: it reveals the API, and a
 * production server shows that to authenticated callers only. In RemoteWorkflowService the calls
 * that change state (CreateWorkflow, StopWorkflow, UploadFile) need a read-write token.
 */
import { RemoteWorkflowServiceService } from '../../gen/flowserv/remote/v1/service.js';

/** `public`: no token; `read`: any valid token; `write`: a valid token that is not read-only. */
export type Access = 'public' | 'read' | 'write';

/** Every RemoteWorkflowService method; a new RPC fails to compile until it is listed here. */
const SERVICE_ACCESS: Readonly<Record<keyof typeof RemoteWorkflowServiceService, Exclude<Access, 'public'>>> = {
  createWorkflow: 'write',
  stopWorkflow: 'write',
  uploadFile: 'write',
  getWorkflowState: 'read',
  watchState: 'read',
  watchLogs: 'read',
  findFiles: 'read',
  downloadFile: 'read',
  getWorkflow: 'read',
  listWorkflows: 'read',
  getServiceInfo: 'read',
};

const BY_PATH = new Map<string, Access>(
  Object.entries(SERVICE_ACCESS).map(([key, access]) => [RemoteWorkflowServiceService[key as keyof typeof SERVICE_ACCESS].path, access]),
);

/** The path of CreateWorkflow, which the rate limiter meters. */
export const CREATE_WORKFLOW_PATH = RemoteWorkflowServiceService.createWorkflow.path;

/** Access needed by the method at `path` (`/package.Service/Method`); unknown methods need `write`. */
export function accessOf(path: string): Access {
  if (path.startsWith('/grpc.health.v1.Health/')) return 'public';
  if (path.startsWith('/grpc.reflection.v1.ServerReflection/') || path.startsWith('/grpc.reflection.v1alpha.ServerReflection/')) return 'read';
  return BY_PATH.get(path) ?? 'write';
}
