import type { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';
import type { AppConfig } from 'src/config/config.types';

export function createPino(app: Pick<AppConfig, 'logLevel'>): Pino {
  return pino({
    level: app.logLevel,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Tokens and passwords never reach a log line, whichever object carries them.
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'refreshToken',
        '*.refreshToken',
        'accessToken',
        '*.accessToken',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}

/** Nest's logger interface over pino: one JSON line per message, `context` = the class name. */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: pino.Level, message: unknown, rest: unknown[]): void {
    // Nest passes the context as the last string argument.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (typeof message === 'object' && message !== null) {
      const text = rest.find((r): r is string => typeof r === 'string');
      this.pino[level]({ ...fields, ...(message) }, text);
      return;
    }
    const stack = rest.find((r): r is string => typeof r === 'string');
    if (stack) {
      fields.stack = stack;
    }
    this.pino[level](fields, String(message));
  }
}
