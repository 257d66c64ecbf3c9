/**
 * Loggers for tests: the project's own logger (same redaction and format as production) writing
 * into memory, parsed per line or as raw text, and a silent one for tests that ignore the log.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';

/** A JSON log line as pino wrote it (plain text lines as `{msg}`). */
export type LogLine = Record<string, unknown> & { msg?: string };

/** A logger at `level` (debug by default) whose lines land in `lines`, parsed, and in `text()`, as written. */
export function memoryLogger(level: LogLevel = 'debug'): { logger: Logger; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const logger = createLogger({
    level,
    destination: {
      write: (line: string) => {
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      },
    },
  });
  return { logger, lines, text: () => raw.join('') };
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
