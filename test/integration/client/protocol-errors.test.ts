/**
 * A server that breaks the protocol (OK without a required field, an enum value the client does
 * not know) makes the client's calls fail with a typed ProtocolError, through the one generic
 * unary call every client method uses.
 */
import { status as Code } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcRemoteClient, ProtocolError } from '../../../src/client/index.js';
import { RemoteWorkflowServiceService } from '../../../src/gen/flowserv/remote/v1/service.js';
import { WorkflowStateType } from '../../../src/gen/flowserv/remote/v1/workflow.js';
import { defineService } from '../../../src/server/service-adapter.js';
import { startGrpcServer, type BareGrpcServer } from '../../support/grpc-server.js';

describe('a server that breaks the protocol', () => {
  let server: BareGrpcServer;
  let client: GrpcRemoteClient;

  beforeAll(async () => {
    const registration = defineService(RemoteWorkflowServiceService, {
      async getWorkflowState() {
        return { state: undefined, changed: false };
      },
      async getWorkflow() {
        return { workflow: undefined };
      },
      async stopWorkflow() {
        return { state: { type: 42 as WorkflowStateType, sequence: 2, messages: [], files: [] } };
      },
    });
    server = await startGrpcServer({ services: [registration] });
    client = new GrpcRemoteClient(server.address, { retry: { maxAttempts: 1 } });
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it('a missing required field is a ProtocolError naming it', async () => {
    await expect(client.getState('wf')).rejects.toThrow(ProtocolError);
    await expect(client.getState('wf')).rejects.toMatchObject({ code: Code.INTERNAL, message: 'protocol error: the server sent no GetWorkflowStateResponse.state' });
    await expect(client.getWorkflow('wf')).rejects.toMatchObject({ name: 'ProtocolError', message: expect.stringContaining('GetWorkflowResponse.workflow') });
  });

  it('an unknown state type is a ProtocolError', async () => {
    await expect(client.stopWorkflow('wf')).rejects.toMatchObject({ name: 'ProtocolError', message: expect.stringContaining('(42)') });
  });

  it('methods without a handler still answer through the same call, typed by reason', async () => {
    await expect(client.getServiceInfo()).rejects.toMatchObject({ name: 'UnimplementedError', code: Code.UNIMPLEMENTED, reason: 'UNIMPLEMENTED' });
  });
});
