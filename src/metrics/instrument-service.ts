/**
 * Workflow and transfer metrics that only the service's answers know: CreateWorkflow results
 * (engine, replayed or not), bytes accepted by UploadFile and bytes sent by DownloadFile. A
 * decorator around the WorkflowService, so the service itself stays unaware of metrics.
 */
import type { WorkflowService } from '../service/workflow-service.js';
import type { Metrics } from './metrics.js';

async function* counted(chunks: AsyncIterable<Uint8Array>, metrics: Metrics): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    metrics.downloadedBytes.inc(chunk.byteLength);
    yield chunk;
  }
}

/** Returns a service that behaves exactly like `inner` and counts creations and bytes moved. */
export function instrumentService(inner: WorkflowService, metrics: Metrics): WorkflowService {
  return {
    ...inner,
    async createWorkflow(input, caller) {
      const result = await inner.createWorkflow(input, caller);
      metrics.workflowsCreated.inc({ engine: result.workflow.engine, replayed: String(result.replayed) });
      return result;
    },
    async uploadFile(chunks, declared, signal) {
      const result = await inner.uploadFile(chunks, declared, signal);
      metrics.uploadedBytes.inc(result.sizeBytes);
      return result;
    },
    async openDownload(workflowId, path, offset, caller) {
      const source = await inner.openDownload(workflowId, path, offset, caller);
      return { ...source, chunks: counted(source.chunks, metrics) };
    },
  };
}
