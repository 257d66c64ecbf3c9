/** JSON encoding of StateRecord for the event log (dates as ISO strings). */
import type { StateRecord } from './records.js';

interface StateJson {
  type: StateRecord['type'];
  sequence: number;
  createdAt: string;
  startedAt?: string;
  stoppedAt?: string;
  finishedAt?: string;
  messages: string[];
  files: StateRecord['files'][number][];
}

/** Serializes a state for storage. */
export function encodeState(state: StateRecord): string {
  const json: StateJson = {
    type: state.type,
    sequence: state.sequence,
    createdAt: state.createdAt.toISOString(),
    ...(state.startedAt && { startedAt: state.startedAt.toISOString() }),
    ...(state.stoppedAt && { stoppedAt: state.stoppedAt.toISOString() }),
    ...(state.finishedAt && { finishedAt: state.finishedAt.toISOString() }),
    messages: [...state.messages],
    files: [...state.files],
  };
  return JSON.stringify(json);
}

/** Parses a stored state. */
export function decodeState(text: string): StateRecord {
  const json = JSON.parse(text) as StateJson;
  return {
    type: json.type,
    sequence: json.sequence,
    createdAt: new Date(json.createdAt),
    ...(json.startedAt !== undefined && { startedAt: new Date(json.startedAt) }),
    ...(json.stoppedAt !== undefined && { stoppedAt: new Date(json.stoppedAt) }),
    ...(json.finishedAt !== undefined && { finishedAt: new Date(json.finishedAt) }),
    messages: json.messages,
    files: json.files,
  };
}
