/** Routes kafkajs's own logger into pino, so the client never prints to the console by itself. */
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from '../../lib/log.ts';

export const KAFKA_LOG_LEVEL = logLevel.WARN;

export function pinoLogCreator(logger: Logger): logCreator {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { namespace, ...extra };
      if (level === logLevel.ERROR || level === logLevel.NOTHING) kafkaLogger.error(fields, message);
      else if (level === logLevel.WARN) kafkaLogger.warn(fields, message);
      else if (level === logLevel.INFO) kafkaLogger.info(fields, message);
      else kafkaLogger.debug(fields, message);
    };
}
