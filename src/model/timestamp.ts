/**
 * flowServ stores timestamps as Python `datetime.isoformat()` strings (FLOWSERV.md §3), and
 * orders them by plain string comparison, so the exact format matters:
 * `2026-11-29T17:49:42.520000+00:00`, with the fraction dropped when it is zero.
 */
import { InvalidTimestampError } from './errors.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Formats a Date in UTC like Python's isoformat (microseconds, `+00:00`, no fraction when zero). */
export function formatTimestamp(date: Date): string {
  const base =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const ms = date.getUTCMilliseconds();
  return `${base}${ms === 0 ? '' : `.${pad(ms * 1000, 6)}`}+00:00`;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses flowServ timestamps leniently: the isoformat above, naive values (read as UTC, as
 * flowServ writes only UTC), `Z` suffixes, and anything else `Date.parse` understands.
 * Sub-millisecond digits are truncated because Date has millisecond resolution.
 */
export function parseTimestamp(text: string, field?: string): Date {
  const m = ISO.exec(text.trim());
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
    let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
    if (zone && zone !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    const date = new Date(time);
    if (!Number.isNaN(date.getTime())) return date;
  }
  const fallback = Date.parse(text);
  if (Number.isNaN(fallback)) throw new InvalidTimestampError(text, field);
  return new Date(fallback);
}
