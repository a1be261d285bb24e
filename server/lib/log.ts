import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; children carry the request id and, once authenticated, the tenant id. */
export function createLogger(options: { level: string; name?: string }): Logger {
  return pino({
    name: options.name ?? 'dojo',
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.token',
        '*.refreshToken',
        '*.refresh_token',
      ],
      censor: '[redacted]',
    },
  });
}

/** A logger that drops everything, for tests. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
