/**
 * The client's one error decoder: this service's ErrorInfo reason picks the class first, the
 * status code only when there is no reason of this service; protocol breaches are typed.
 */
import { Metadata, status as Code, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  CallCancelledError,
  ChecksumMismatchError,
  DownloadCorruptError,
  FileNotFoundError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  ProtocolError,
  required,
  ResourceExhaustedError,
  toRemoteError,
  UnavailableError,
  UnimplementedError,
  WorkflowNotFoundError,
} from '../../../src/client/errors.js';
import { ERROR_DOMAIN, ErrorReason } from '../../../src/wire/reasons.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY, type StatusDetails } from '../../../src/wire/status-details.js';

type Extra = Partial<Pick<StatusDetails, 'fieldViolations' | 'retryDelayMs'>> & { readonly metadata?: Record<string, string> };

function answer(code: Code, reason?: string, extra: Extra = {}, domain = ERROR_DOMAIN): ServiceError {
  const metadata = new Metadata();
  if (reason !== undefined) {
    const { metadata: infoMetadata = {}, fieldViolations = [], ...rest } = extra;
    metadata.set(
      STATUS_DETAILS_KEY,
      encodeStatusDetails({ code, message: `${reason} message`, errorInfo: { reason, domain, metadata: infoMetadata }, fieldViolations, ...rest }),
    );
  }
  return Object.assign(new Error(`${code}`), { code, details: 'plain details', metadata });
}

describe('toRemoteError: reason first, then code', () => {
  it.each([
    [Code.NOT_FOUND, ErrorReason.WORKFLOW_NOT_FOUND, WorkflowNotFoundError],
    [Code.NOT_FOUND, ErrorReason.FILE_NOT_FOUND, FileNotFoundError],
    [Code.NOT_FOUND, ErrorReason.SERVICE_NOT_FOUND, NotFoundError],
    [Code.INVALID_ARGUMENT, ErrorReason.CHECKSUM_MISMATCH, ChecksumMismatchError],
    [Code.ALREADY_EXISTS, ErrorReason.ALREADY_EXISTS, AlreadyExistsError],
    [Code.UNIMPLEMENTED, ErrorReason.UNIMPLEMENTED, UnimplementedError],
    [Code.CANCELLED, ErrorReason.CANCELLED, CallCancelledError],
  ])('code %i with reason %s is a %o', (code, reason, Class) => {
    const err = toRemoteError(answer(code, reason));
    expect(err).toBeInstanceOf(Class);
    expect(err).toMatchObject({ code, reason, domain: ERROR_DOMAIN, message: `${reason} message` });
  });

  it('a NOT_FOUND with another reason is not taken for a missing workflow', () => {
    expect(toRemoteError(answer(Code.NOT_FOUND, ErrorReason.SERVICE_NOT_FOUND))).not.toBeInstanceOf(WorkflowNotFoundError);
    const future = toRemoteError(answer(Code.NOT_FOUND, 'SOMETHING_A_LATER_SERVER_ADDS'));
    expect(future).toBeInstanceOf(NotFoundError);
    expect(future).not.toBeInstanceOf(WorkflowNotFoundError);
    expect(future).toMatchObject({ reason: 'SOMETHING_A_LATER_SERVER_ADDS' });
  });

  it("reasons of another domain do not pick a class; the code does", () => {
    const foreign = toRemoteError(answer(Code.NOT_FOUND, ErrorReason.FILE_NOT_FOUND, {}, 'example.com'));
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(foreign).not.toBeInstanceOf(FileNotFoundError);
  });

  it('without details the code picks the class and the plain details are the message', () => {
    expect(toRemoteError(answer(Code.UNAVAILABLE))).toBeInstanceOf(UnavailableError);
    expect(toRemoteError(answer(Code.DATA_LOSS))).toMatchObject({ message: 'plain details' });
    expect(toRemoteError(answer(Code.DATA_LOSS))).toBeInstanceOf(InternalError);
  });

  it('keeps the data each class carries: violations, the retry delay', () => {
    const mismatch = toRemoteError(answer(Code.INVALID_ARGUMENT, ErrorReason.CHECKSUM_MISMATCH, { fieldViolations: [{ field: 'header.sha256', description: 'd', reason: 'INVALID_DIGEST' }] }));
    expect(mismatch).toBeInstanceOf(InvalidArgumentError);
    expect((mismatch as InvalidArgumentError).violations).toEqual([{ field: 'header.sha256', description: 'd', reason: 'INVALID_DIGEST' }]);
    const limited = toRemoteError(answer(Code.RESOURCE_EXHAUSTED, ErrorReason.RESOURCE_EXHAUSTED, { retryDelayMs: 1500 }));
    expect(limited).toBeInstanceOf(ResourceExhaustedError);
    expect((limited as ResourceExhaustedError).retryDelayMs).toBe(1500);
    expect((toRemoteError(answer(Code.RESOURCE_EXHAUSTED, ErrorReason.RESOURCE_EXHAUSTED)) as ResourceExhaustedError).retryDelayMs).toBeUndefined();
  });
});

describe('errors the client raises itself', () => {
  it('a protocol breach is a typed ProtocolError (an InternalError), never a plain Error', () => {
    expect(required('x', 'GetWorkflowStateResponse.state')).toBe('x');
    const err = (() => {
      try {
        required(undefined, 'GetWorkflowStateResponse.state');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err).toBeInstanceOf(InternalError);
    expect(err).toMatchObject({ code: Code.INTERNAL, reason: 'PROTOCOL_ERROR', message: 'protocol error: the server sent no GetWorkflowStateResponse.state' });
  });

  it('a corrupt download is DATA_LOSS with its own reason, not the upload mismatch', () => {
    const err = new DownloadCorruptError('bad bytes');
    expect(err).toMatchObject({ code: Code.DATA_LOSS, reason: 'DOWNLOAD_CORRUPT' });
    expect(err).not.toBeInstanceOf(ChecksumMismatchError);
  });
});
