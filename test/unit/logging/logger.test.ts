/** The root logger: JSON lines, level names, component children, credentials redacted. */
import { describe, expect, it } from 'vitest';
import { componentLogger, createLogger } from '../../../src/logging/logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with a level name, an ISO time and the component of a child', () => {
    const { logger, lines } = capture();
    componentLogger(logger, 'engine.slurm').info({ jobId: '12' }, 'submitted');
    expect(lines[0]).toMatchObject({ level: 'info', component: 'engine.slurm', jobId: '12', msg: 'submitted' });
    expect(new Date(lines[0]!.time as string).toISOString()).toBe(lines[0]!.time);
  });

  it('redacts authorization headers, tokens and passwords wherever they appear', () => {
    const { logger, lines } = capture();
    logger.info({
      authorization: 'Bearer a',
      token: 'b',
      metadata: { authorization: 'Bearer c', cookie: 'd' },
      headers: { authorization: 'Bearer e' },
      auth: { token: 'f', password: 'g' },
    }, 'call');
    const text = JSON.stringify(lines[0]);
    for (const secret of ['Bearer', '"b"', '"d"', '"f"', '"g"']) expect(text).not.toContain(secret);
    expect(text).toContain('[Redacted]');
  });

  it('honours the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
  });
});
