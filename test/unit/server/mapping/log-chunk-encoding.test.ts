import { describe, expect, it } from 'vitest';
import { WatchLogsResponse } from '../../../../src/gen/flowserv/remote/v1/service.js';
import { encodedLogChunk, logChunkToProto } from '../../../../src/server/mapping/logs.js';
import type { LogChunkRecord } from '../../../../src/service/logs/log-types.js';

const decoded = (chunk: LogChunkRecord) => WatchLogsResponse.decode(encodedLogChunk(chunk));

describe('encodedLogChunk', () => {
  it('decodes to the same message the generated encoder describes, for small and large data', () => {
    const big = Buffer.alloc(300_000, 'x');
    const records: LogChunkRecord[] = [
      { step: 0, command: 0, stream: 'stdout', offset: 0, data: Buffer.from('hello\n') },
      { step: 3, command: 2, commandText: 'echo héllo', stream: 'stderr', offset: 2 ** 40 + 7, data: big },
      { step: 1, command: 0, stream: 'stdout', offset: 129, data: new Uint8Array(0), droppedBytes: 5000 },
      { step: 0, command: 0, stream: 'stdout', offset: 127, data: Buffer.alloc(127, 1) },
      { step: 0, command: 0, stream: 'stdout', offset: 128, data: Buffer.alloc(128, 2) },
    ];
    for (const record of records) {
      const message = decoded(record);
      expect(message.event?.$case).toBe('chunk');
      const chunk = message.event?.$case === 'chunk' ? message.event.value : undefined;
      const expected = logChunkToProto(record);
      expect({ ...chunk, data: undefined }).toEqual({ ...expected, data: undefined });
      expect(Buffer.from(chunk!.data).equals(Buffer.from(expected.data))).toBe(true);
    }
  });

  it('encodes a record once, however many times it is sent', () => {
    const record: LogChunkRecord = { step: 0, command: 0, stream: 'stdout', offset: 0, data: Buffer.from('line\n') };
    expect(encodedLogChunk(record)).toBe(encodedLogChunk(record));
    expect(encodedLogChunk({ ...record })).not.toBe(encodedLogChunk(record));
  });
});
