/** Opaque ListWorkflows page tokens: a base64url keyset cursor (createdAt, workflowId). */
import { InvalidArgumentError, ViolationReason } from '../errors.js';

/** The cursor a token carries. */
export interface PageCursor {
  readonly createdAt: string;
  readonly workflowId: string;
}

/** Encodes a cursor. */
export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.workflowId])).toString('base64url');
}

/** Decodes a token; a malformed one is INVALID_ARGUMENT on `page_token`. */
export function decodePageToken(token: string): PageCursor {
  try {
    const [createdAt, workflowId] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    // The time must be one this server wrote (an ISO instant); no stored id contains NUL.
    const instant = typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && new Date(createdAt).toISOString() === createdAt;
    if (instant && typeof workflowId === 'string' && !workflowId.includes('\0')) return { createdAt, workflowId };
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError('invalid page token', [{ field: 'page_token', description: 'not a token this server issued', reason: ViolationReason.INVALID_PAGE_TOKEN }]);
}
