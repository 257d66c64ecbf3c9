import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../../../src/errors.js';
import { ANONYMOUS_OWNER } from '../../../../src/model/owner.js';
import { ANONYMOUS_CALLER, callerResolver, rememberPrincipal } from '../../../../src/server/security/callers.js';

describe('callerResolver', () => {
  it('without authentication every call is the anonymous owner, who sees all, whatever its headers say', () => {
    const md = new Metadata();
    md.set('x-owner', 'token:root');
    expect(callerResolver(false)(md)).toEqual({ owner: ANONYMOUS_OWNER, seesAll: true });
    expect(ANONYMOUS_CALLER).toEqual({ owner: ANONYMOUS_OWNER, seesAll: true });
  });

  it("with authentication, the principal the gate recorded for this very metadata object: owner and admin's reach", () => {
    const resolve = callerResolver(true);
    const alice = new Metadata();
    const root = new Metadata();
    rememberPrincipal(alice, { id: 'alice', owner: 'token:alice', readOnly: false, admin: false });
    rememberPrincipal(root, { id: 'root', owner: 'token:root', readOnly: true, admin: true });
    expect(resolve(alice)).toEqual({ owner: 'token:alice', seesAll: false });
    expect(resolve(root)).toEqual({ owner: 'token:root', seesAll: true });
    // A copy of the headers (or any other call's) carries no principal: fail closed.
    expect(() => resolve(alice.clone())).toThrow(UnauthenticatedError);
    expect(() => resolve(new Metadata())).toThrow(UnauthenticatedError);
  });
});
