/**
 * Keeps every error answer small enough for any client. Status messages and violations echo
 * caller input (ids, values, paths); unbounded, a long value or hundreds of violations produced
 * trailers over grpc-js's 64 KiB header limit (the client never got the status and its whole
 * connection hung) or over the 8 KB metadata limit of C-core clients (Python, C++, Ruby), which
 * then saw RESOURCE_EXHAUSTED with the details lost. Here every text is shortened, at most
 * {@link MAX_VIOLATIONS} violations are kept plus one "and N more" entry, and the encoded
 * details are held under {@link MAX_DETAILS_BYTES}.
 */
import { ViolationReason, type FieldViolation } from '../errors.js';
import type { FieldViolationDetail } from '../wire/status-details.js';

/** Longest status message, in characters; percent-encoded it stays under ~2.3 KB. */
export const MAX_MESSAGE_CHARS = 256;
/** Longest violation field path or description, and longest ErrorInfo metadata value. */
export const MAX_TEXT_CHARS = 200;
/** Longest violation reason or metadata key. */
export const MAX_CODE_CHARS = 64;
/** Most field violations in one answer, before the "and N more" entry. */
export const MAX_VIOLATIONS = 50;
/**
 * Budget for the serialized google.rpc.Status (sent base64, so ~4.8 KB on the wire): with the
 * message and the fixed headers, the whole trailer block stays under C-core's 8 KB.
 */
export const MAX_DETAILS_BYTES = 3584;
/** Reason of the entry that stands for the violations left out. */
export const MORE_VIOLATIONS_REASON = ViolationReason.MORE_VIOLATIONS;

/** `text` cut to at most `max` characters, ending in `…` when cut; never splits a surrogate pair. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** ErrorInfo metadata with keys and values shortened, and at most 16 entries. */
export function boundMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata).slice(0, 16)) out[shorten(key, MAX_CODE_CHARS)] = shorten(value, MAX_TEXT_CHARS);
  return out;
}

function boundViolation(v: FieldViolation): FieldViolationDetail {
  return { field: shorten(v.field, MAX_TEXT_CHARS), description: shorten(v.description, MAX_TEXT_CHARS), reason: shorten(v.reason, MAX_CODE_CHARS) };
}

/** The entry that replaces `count` violations left out. */
export function moreViolations(count: number): FieldViolationDetail {
  return { field: '', description: `and ${count} more violation${count === 1 ? '' : 's'}`, reason: MORE_VIOLATIONS_REASON };
}

/**
 * The violations to send: each shortened, at most MAX_VIOLATIONS, plus an "and N more" entry
 * when some were left out. `fits(kept)` says whether a candidate list fits the byte budget;
 * violations are dropped from the end until it does.
 */
export function boundViolations(
  violations: readonly FieldViolation[],
  fits: (kept: readonly FieldViolationDetail[]) => boolean,
): FieldViolationDetail[] {
  let keep = Math.min(violations.length, MAX_VIOLATIONS);
  const bounded = violations.slice(0, keep).map(boundViolation);
  const withTail = (n: number) => (n < violations.length ? [...bounded.slice(0, n), moreViolations(violations.length - n)] : bounded.slice(0, n));
  let candidate = withTail(keep);
  while (keep > 0 && !fits(candidate)) {
    keep -= 1;
    candidate = withTail(keep);
  }
  return candidate;
}
