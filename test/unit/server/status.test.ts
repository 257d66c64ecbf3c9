/**
 * The one error-to-status mapping: every catalogue error gets its code and ErrorInfo
 * {reason, domain}; validation errors carry BadRequest field violations; anything else is
 * INTERNAL with a generic message, logged once, and nothing of the original reaches the caller.
 */
import { status as Code } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  ChecksumMismatchError,
  ERROR_DOMAIN,
  ErrorReason,
  FailedPreconditionError,
  FileNotFoundError,
  InvalidArgumentError,
  OutOfRangeError,
  PermissionDeniedError,
  RateLimitedError,
  ResourceExhaustedError,
  ServiceError,
  UnauthenticatedError,
  WorkflowNotFoundError,
} from '../../../src/errors.js';
import { EngineUnavailableError } from '../../../src/engines/types.js';
import { CODE_BY_REASON, INTERNAL_MESSAGE, toGrpcStatus, unimplemented } from '../../../src/server/status.js';
import { decodeStatusDetails, STATUS_DETAILS_KEY } from '../../../src/wire/status-details.js';
import { memoryLogger } from '../../support/logger.js';

const cases: [string, Error, Code, string][] = [
  ['WorkflowNotFoundError', new WorkflowNotFoundError('wf-1'), Code.NOT_FOUND, ErrorReason.WORKFLOW_NOT_FOUND],
  ['FileNotFoundError', new FileNotFoundError('out/a.txt'), Code.NOT_FOUND, ErrorReason.FILE_NOT_FOUND],
  ['AlreadyExistsError', new AlreadyExistsError('run r1 exists'), Code.ALREADY_EXISTS, ErrorReason.ALREADY_EXISTS],
  ['FailedPreconditionError', new FailedPreconditionError('blob missing'), Code.FAILED_PRECONDITION, ErrorReason.FAILED_PRECONDITION],
  ['OutOfRangeError', new OutOfRangeError('cursor ahead'), Code.OUT_OF_RANGE, ErrorReason.OUT_OF_RANGE],
  ['ChecksumMismatchError', new ChecksumMismatchError('sha256 differs'), Code.INVALID_ARGUMENT, ErrorReason.CHECKSUM_MISMATCH],
  ['ResourceExhaustedError', new ResourceExhaustedError('too big'), Code.RESOURCE_EXHAUSTED, ErrorReason.RESOURCE_EXHAUSTED],
  ['RateLimitedError', new RateLimitedError('slow down', 1500), Code.RESOURCE_EXHAUSTED, ErrorReason.RESOURCE_EXHAUSTED],
  ['UnauthenticatedError', new UnauthenticatedError('no token', 'MISSING_CREDENTIALS'), Code.UNAUTHENTICATED, ErrorReason.UNAUTHENTICATED],
  ['PermissionDeniedError', new PermissionDeniedError('not yours'), Code.PERMISSION_DENIED, ErrorReason.PERMISSION_DENIED],
  ['unimplemented()', unimplemented('x.Y/Z'), Code.UNIMPLEMENTED, ErrorReason.UNIMPLEMENTED],
];

describe('toGrpcStatus', () => {
  it.each(cases)('%s → its code, message and ErrorInfo', (_name, error, code, reason) => {
    const { logger, lines } = memoryLogger();
    const status = toGrpcStatus(error, logger);
    expect(status.code).toBe(code);
    expect(status.details).toBe(error.message);
    const details = decodeStatusDetails(status.metadata);
    expect(details).toMatchObject({ code, message: error.message, errorInfo: { reason, domain: ERROR_DOMAIN } });
    expect(lines).toEqual([]);
  });

  it('carries ErrorInfo metadata (workflow id)', () => {
    const details = decodeStatusDetails(toGrpcStatus(new WorkflowNotFoundError('wf-9'), memoryLogger().logger).metadata);
    expect(details?.errorInfo?.metadata).toEqual({ workflow_id: 'wf-9' });
  });

  it('maps every catalogue reason (the table is exhaustive)', () => {
    expect(Object.keys(CODE_BY_REASON).sort()).toEqual(Object.values(ErrorReason).sort());
  });

  it('turns InvalidArgumentError violations into BadRequest field violations', () => {
    const error = new InvalidArgumentError('bad arguments', [
      { field: 'arguments.names', description: 'missing required parameter', reason: 'MISSING_ARGUMENT' },
      { field: 'template.parameters[2].dtype', description: 'unknown type', reason: 'INVALID_PARAMETER' },
    ]);
    const details = decodeStatusDetails(toGrpcStatus(error, memoryLogger().logger).metadata);
    expect(details?.fieldViolations).toEqual([
      { field: 'arguments.names', description: 'missing required parameter', reason: 'MISSING_ARGUMENT' },
      { field: 'template.parameters[2].dtype', description: 'unknown type', reason: 'INVALID_PARAMETER' },
    ]);
  });

  it('sends a rate limit with RetryInfo and its metadata, and an authentication failure with its cause', () => {
    const limited = decodeStatusDetails(toGrpcStatus(new RateLimitedError('slow down', 1500, { limit: 'create_rate' }), memoryLogger().logger).metadata);
    expect(limited).toMatchObject({ retryDelayMs: 1500, errorInfo: { metadata: { limit: 'create_rate', retry_after_ms: '1500' } } });
    const refused = decodeStatusDetails(toGrpcStatus(new UnauthenticatedError('no token', 'EXPIRED_TOKEN'), memoryLogger().logger).metadata);
    expect(refused?.errorInfo?.metadata).toEqual({ cause: 'EXPIRED_TOKEN' });
    expect(refused?.retryDelayMs).toBeUndefined();
  });

  it('knows no engine errors: an engine error that escaped the service is an internal fault', () => {
    const { logger, lines } = memoryLogger();
    expect(toGrpcStatus(new EngineUnavailableError('slurm', 'down'), logger).code).toBe(Code.INTERNAL);
    expect(lines.length).toBe(1);
  });

  it('answers unknown errors with INTERNAL and a generic message, logging the error once', () => {
    const { logger, lines } = memoryLogger();
    const secret = new Error('ENOENT: /srv/secret/path/db.sqlite (password=hunter2)');
    const status = toGrpcStatus(secret, logger);
    expect(status.code).toBe(Code.INTERNAL);
    expect(status.details).toBe(INTERNAL_MESSAGE);
    const raw = status.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer;
    expect(raw.toString('latin1')).not.toContain('secret');
    expect(decodeStatusDetails(status.metadata)).toMatchObject({ message: INTERNAL_MESSAGE, errorInfo: { reason: 'INTERNAL' }, fieldViolations: [] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', err: { message: secret.message } });
  });

  it('answers a database that cannot be reached with UNAVAILABLE and STORE_UNAVAILABLE (the caller retries), nothing of the error revealed', () => {
    const pgError = (message: string, code: string) => Object.assign(new Error(message), { code });
    const gone = [
      pgError('terminating connection due to administrator command', '57P01'),
      pgError('the database system is shutting down', '57P03'),
      pgError('the database system is starting up', '57P03'),
      pgError('sorry, too many clients already', '53300'),
      pgError('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new Error('connect ENOENT /run/db/.s.PGSQL.5432'), { code: 'ENOENT', syscall: 'connect' }),
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED', syscall: 'connect' }),
      Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }),
      new Error('wrapped', { cause: pgError('terminating connection due to administrator command', '57P01') }),
    ];
    for (const err of gone) {
      const { logger, lines } = memoryLogger();
      const status = toGrpcStatus(err, logger);
      expect(status.code, err.message).toBe(Code.UNAVAILABLE);
      expect(decodeStatusDetails(status.metadata)).toMatchObject({ errorInfo: { reason: ErrorReason.STORE_UNAVAILABLE, domain: ERROR_DOMAIN } });
      expect(status.details).not.toContain('PGSQL');
      expect(lines).toMatchObject([{ level: 'warn', msg: 'storage fault' }]);
    }
    // A missing file, a constraint violation, a syntax error: faults, not an unreachable database.
    for (const err of [Object.assign(new Error('ENOENT: open x'), { code: 'ENOENT', syscall: 'open' }), pgError('duplicate key', '23505'), pgError('syntax error', '42601')]) {
      expect(toGrpcStatus(err, memoryLogger().logger).code, err.message).toBe(Code.INTERNAL);
    }
  });

  it('also treats thrown non-errors as internal', () => {
    expect(toGrpcStatus('a string', memoryLogger().logger).code).toBe(Code.INTERNAL);
  });
});
