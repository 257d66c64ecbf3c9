/**
 * The FieldViolation reason catalogue in the proto comments is the contract clients in other
 * languages map from; it must list exactly the reasons the server can send (src/wire/reasons.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorReason, ViolationReason } from '../../../src/wire/reasons.js';

const PROTO = readFileSync(fileURLToPath(new URL('../../../proto/flowserv/remote/v1/service.proto', import.meta.url)), 'utf8');

/** The catalogue section of the service comment: `//   NAME  description [flowServ class]` lines. */
function documentedViolationReasons(): Map<string, string> {
  const start = PROTO.indexOf('// FieldViolation reasons:');
  const end = PROTO.indexOf('service RemoteWorkflowService');
  const rows = new Map<string, string>();
  let current: string | undefined;
  for (const line of PROTO.slice(start, end).split('\n')) {
    const m = /^\/\/ {3}([A-Z_]+) +(.*)$/.exec(line);
    if (m) {
      current = m[1]!;
      rows.set(current, m[2]!);
    } else if (current && /^\/\/ {5,}/.test(line)) rows.set(current, `${rows.get(current)} ${line.replace(/^\/\/\s+/, '')}`);
    else current = undefined;
  }
  return rows;
}

describe('the FieldViolation reason catalogue in service.proto', () => {
  const documented = documentedViolationReasons();
  const notSent = ['INVALID_MANIFEST', 'INVALID_RUN_STATE', 'INVALID_STATE_DOCUMENT', 'INVALID_TIMESTAMP', 'VALIDATION_FAILED'];

  it('lists every reason the server sends, and nothing else', () => {
    const sent = Object.values(ViolationReason).filter((r) => !notSent.includes(r));
    expect([...documented.keys()].sort()).toEqual([...new Set(sent)].sort());
  });

  it('names, for each reason, the flowServ exception it corresponds to (or none)', () => {
    for (const [reason, text] of documented) expect(text, reason).toMatch(/\[[^\]]+\]$/);
  });

  it('says which model codes are not sent', () => {
    for (const reason of notSent) expect(PROTO).toContain(reason);
  });

  it('lists every ErrorInfo reason, and nothing else', () => {
    const section = PROTO.slice(PROTO.indexOf('// ErrorInfo reasons'), PROTO.indexOf('// FieldViolation reasons:'));
    for (const reason of Object.values(ErrorReason)) expect(section, reason).toMatch(new RegExp(`\\b${reason}\\b`));
    // Upper-case words of the list that are neither a reason nor the status code it travels with.
    const codes = new Set(['INVALID_ARGUMENT', 'NOT_FOUND', 'UNAVAILABLE']);
    const listed = section.replace(/^\/\/ ErrorInfo reasons[^:]*:/, '').match(/\b[A-Z][A-Z_]+\b/g) ?? [];
    const unknown = listed.filter((word) => !codes.has(word) && !(Object.values(ErrorReason) as string[]).includes(word));
    expect(unknown).toEqual([]);
  });
});
