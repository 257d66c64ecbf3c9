/**
 * Ctrl-C on `npm start` in a terminal: `npm start` runs in a pseudo-terminal (util-linux
 * `script`), and a Ctrl-C character typed into it makes the terminal send SIGINT to the whole
 * foreground process group (npm, the shell, tsx and the server), while npm and tsx may relay
 * their own copies a few milliseconds later (the test delivers such a copy itself, since whether a
 * relay reaches the server depends on a race inside npm and tsx). That one interrupt must be one graceful drain: an upload still open when the
 * interrupt comes finishes, and the server exits after draining, not with the fast exit that a
 * second, separate signal asks for.
 */
import { credentials } from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { RemoteWorkflowServiceClient } from '../../../src/gen/flowserv/remote/v1/service.js';
import { call, sha256 } from '../../support/grpc-calls.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
type Line = Record<string, unknown> & { msg?: string };

let groupId: number | undefined;
afterAll(() => {
  if (groupId !== undefined) {
    try {
      process.kill(-groupId, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Resolves with the first line matching `test`, or rejects after `ms`. */
function waitForLine(lines: Line[], onLine: Set<() => void>, test: (l: Line) => boolean, ms: number): Promise<Line> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const found = lines.find(test);
      if (found) {
        onLine.delete(listener);
        clearTimeout(timer);
        resolve(found);
      }
      return found !== undefined;
    };
    const listener = (): void => void check();
    const timer = setTimeout(() => {
      onLine.delete(listener);
      reject(new Error(`no such line within ${ms} ms; got: ${lines.map((l) => l.msg).join(' | ')}`));
    }, ms);
    onLine.add(listener);
    check();
  });
}

describe('one Ctrl-C on npm start', () => {
  it('is one graceful drain: an open upload finishes and the server exits after draining', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fsr-interrupt-'));
    const command = `npm start -- --port 0 --data-dir ${dataDir} --log-level debug --shutdown-grace-ms 20000`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: REPO_ROOT, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    groupId = child.pid!;
    const lines: Line[] = [];
    const onLine = new Set<() => void>();
    createInterface({ input: child.stdout! }).on('line', (raw) => {
      const text = raw.replace(/\r$/, '').replace(/^[^{]*(?=\{)/, ''); // the terminal echoes ^C before the next line
      try {
        lines.push(JSON.parse(text) as Line);
      } catch {
        lines.push({ msg: text });
      }
      for (const f of onLine) f();
    });
    const closed = new Promise<void>((resolve) => child.stdout!.on('close', () => resolve()));
    const listening = await waitForLine(lines, onLine, (l) => l.msg === 'listening', 60_000);
    const client = new RemoteWorkflowServiceClient(`127.0.0.1:${String(listening.port)}`, credentials.createInsecure());
    try {
      const content = Buffer.alloc(4096, 'x');
      let uploadRest = (): void => {};
      const uploaded = new Promise<{ err: Error | null }>((resolve) => {
        const stream = client.uploadFile((err) => resolve({ err }));
        stream.write({ content: { $case: 'header', value: { sha256: sha256(content), sizeBytes: content.length } } });
        stream.write({ content: { $case: 'chunk', value: content.subarray(0, 1000) } });
        uploadRest = () => {
          stream.write({ content: { $case: 'chunk', value: content.subarray(1000) } });
          stream.end();
        };
      });
      await call(client, 'findFiles', { sha256s: [] }); // the upload's stream is open on the server by now

      child.stdin!.write('\x03'); // Ctrl-C typed into the terminal
      const shuttingDown = await waitForLine(lines, onLine, (l) => l.msg === 'shutting down', 10_000);
      // Whether npm's or tsx's relayed copy reaches the server depends on a race inside them;
      // deliver the copy that the relay sends, so that the test does not depend on that race.
      process.kill(shuttingDown.pid as number, 'SIGINT');
      const duplicate = await waitForLine(lines, onLine, (l) => l.msg === 'same interrupt delivered again: ignored' || l.msg === 'second signal during shutdown: exiting now', 10_000);
      expect(duplicate.msg).toBe('same interrupt delivered again: ignored');
      uploadRest();
      expect((await uploaded).err).toBeNull();
      await closed;
      expect(lines.find((l) => l.msg === 'exiting')).toMatchObject({ forced: false });
      expect(lines.some((l) => l.msg === 'second signal during shutdown: exiting now')).toBe(false);
    } finally {
      client.close();
    }
  }, 90_000);
});
