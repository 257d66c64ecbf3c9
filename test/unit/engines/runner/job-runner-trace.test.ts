import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeJobRunner } from '../../../../src/engines/runner/job-runner.js';
import type { JobSpec } from '../../../../src/engines/types.js';

const run = promisify(execFile);
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function job(traceparent: string | undefined): JobSpec {
  const base = mkdtempSync(join(tmpdir(), 'fsr-runner-'));
  mkdirSync(join(base, 'work'));
  return {
    workflowId: 'w1',
    workDir: join(base, 'work'),
    controlDir: join(base, 'control'),
    steps: [
      { name: 'inherit', commands: ['printf %s "$TRACEPARENT" > inherited.txt'] },
      { name: 'own-env', commands: ['printf %s "$TRACEPARENT:$ONLY" > own.txt'], env: { ONLY: 'yes', PATH: '/usr/bin:/bin' } },
    ],
    ...(traceparent !== undefined && { traceparent }),
  };
}

describe('job runner trace context', () => {
  it('exports TRACEPARENT to every command, also to steps with an env of their own', async () => {
    const spec = job(TRACEPARENT);
    await run('/bin/sh', [await writeJobRunner(spec)], { env: { PATH: '/usr/bin:/bin' } });
    expect(readFileSync(join(spec.workDir, 'inherited.txt'), 'utf8')).toBe(TRACEPARENT);
    expect(readFileSync(join(spec.workDir, 'own.txt'), 'utf8')).toBe(`${TRACEPARENT}:yes`);
  });

  it('exports nothing without a trace, and never a value that is not a traceparent', async () => {
    for (const traceparent of [undefined, "00-x'; touch pwned; '"]) {
      const spec = job(traceparent);
      await run('/bin/sh', [await writeJobRunner(spec)], { env: { PATH: '/usr/bin:/bin' } });
      expect(readFileSync(join(spec.workDir, 'inherited.txt'), 'utf8')).toBe('');
      expect(readFileSync(join(spec.workDir, 'own.txt'), 'utf8')).toBe(':yes');
    }
  });
});
