import { pino, type DestinationStream, type Logger } from 'pino';
import { LineBatch } from './line-batch.ts';

export type { Logger };

export interface LoggerOptions {
  readonly level: string;
  readonly name?: string;
  /** Where lines go; stdout in batches by default (see createLogger). */
  readonly destination?: DestinationStream;
}

/** What createLogger keeps of a logger it built, for plainLineWriter and flushLogs. */
interface Sink {
  readonly stream: DestinationStream & { flushSync?: () => void };
  /** The `time` field as pino writes it (the very function pino is given). */
  readonly time: () => string;
  /** The `pid` field, from the `base` pino is given: `,"pid":N`. */
  readonly pid: string;
}

/**
 * Our own key on every logger createLogger builds and on each of its children (set through pino's public
 * `onChild` hook), naming its Sink. A property rather than a WeakMap: children are made per request, and a
 * WeakMap entry each measured as dear as the child itself.
 */
const SINK = Symbol('dojo.log.sink');
type WithSink = Logger & { [SINK]?: Sink };

/**
 * Secrets never logged. Every path is nested (an object's field, or a request's header), so a line whose
 * fields are all strings or numbers cannot hold one: see `plainLineWriter`.
 */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.refreshToken',
  '*.refresh_token',
] as const;

/** pino's isoTime, formatted once per millisecond rather than once per line (same text). */
function isoTimeEveryMs(): () => string {
  let at = Number.NaN;
  let text = '';
  return () => {
    const now = Date.now();
    if (now !== at) {
      at = now;
      text = `,"time":"${new Date(now).toISOString()}"`;
    }
    return text;
  };
}

/** Characters of lines gathered before one write, and the longest a line waits in a quiet moment (ms). */
const BATCH_CHARS = 8192;
const BATCH_MS = 100;

/**
 * JSON logs on stdout; children carry the request id and, once authenticated, the tenant id.
 *
 * Lines are written in batches of about 8 KiB, and at least every 100 ms: one write(2) per batch instead
 * of one per line (per request, that write cost more than the rest of the request's logging; measured
 * cheaper than pino's asynchronous destination too, whose writes go through the thread pool; see
 * `LineBatch`). The
 * writes stay synchronous, so nothing is ever in flight: a `fatal` line goes out at once with everything
 * buffered before it (pino flushes after fatal), and whatever is buffered when the process exits, on a
 * crash too, is written by the exit hook (`flushLogs`).
 */
export function createLogger(options: LoggerOptions): Logger {
  const stream = options.destination ?? new LineBatch({ fd: 1, batchChars: BATCH_CHARS, flushMs: BATCH_MS });
  const pid = process.pid;
  const sink: Sink = { stream, time: isoTimeEveryMs(), pid: `,"pid":${pid}` };
  const logger: WithSink = pino(
    {
      name: options.name ?? 'dojo',
      level: options.level,
      base: { pid },
      timestamp: sink.time,
      redact: { paths: [...REDACTED], censor: '[redacted]' },
      onChild: (child: WithSink) => {
        child[SINK] = sink;
      },
    },
    stream,
  );
  logger[SINK] = sink;
  if (!options.destination) process.once('exit', () => flushLogs(logger));
  return logger;
}

/**
 * Writes out whatever the logger still buffers, synchronously (a no-op for destinations without a
 * buffer): for the last moments of a process, when the event loop may not run again.
 */
export function flushLogs(logger: Logger): void {
  try {
    (logger as WithSink)[SINK]?.stream.flushSync?.();
  } catch {
    // The stream is already closed: nothing is left to write.
  }
}

/** A line of flat fields: strings and finite numbers only, so no redaction path can name one of them. */
export type PlainFields = Readonly<Record<string, string | number>>;

/**
 * Writes `info` lines of flat fields (the access line of every request) in the logger's own format and to
 * its own destination, formatted here: pino's general path (merging, serializers, redaction checks against
 * wildcard paths) cost several times the line itself, once per request. The line is the one pino would
 * write: level, time, pid, the logger's bindings (`name`, then those of its `child` calls), the fields in
 * order, then `msg`. The bindings are read once, here, through pino's public `bindings()` (which leaves
 * out any binding named `pid` or `hostname`, and keeps one of a name bound twice: bind neither). A logger
 * createLogger did not build (no stream of ours to write to) gets its lines through `info` instead.
 */
export function plainLineWriter(logger: Logger): (fields: PlainFields, msg: string) => void {
  const sink = (logger as WithSink)[SINK];
  if (!sink) return (fields, msg) => logger.info(fields, msg);
  const { stream, time } = sink;
  let bindings = sink.pid;
  for (const [key, value] of Object.entries(logger.bindings())) {
    bindings += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  const head = `{"level":${logger.levels.values.info ?? 30}`;
  // The same few field names on every line: each is encoded once.
  const names = new Map<string, string>();
  const nameOf = (key: string) => {
    let text = names.get(key);
    if (text === undefined) {
      text = `,${JSON.stringify(key)}:`;
      if (names.size < 256) names.set(key, text);
    }
    return text;
  };
  return (fields, msg) => {
    if (!logger.isLevelEnabled('info')) return;
    let line = head + time() + bindings;
    for (const key of Object.keys(fields)) {
      const value = fields[key] as string | number;
      line +=
        nameOf(key) +
        (typeof value === 'number' && Number.isFinite(value) ? value : JSON.stringify(String(value)));
    }
    stream.write(`${line},"msg":${JSON.stringify(msg)}}\n`);
  };
}

/** A logger that drops everything, for tests. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
