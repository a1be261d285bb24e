import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { deepFreeze } from '../server/lib/freeze.ts';
import { DEFAULT_PLANS, plansSchema, type Plan } from './plans.ts';

export const ROLE_NAMES = ['api', 'rooms', 'workers'] as const;
export type Role = (typeof ROLE_NAMES)[number];

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const urlString = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL with protocol ${protocols.join(' or ')}`,
    );

const optionalUrl = (protocols: string[]) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    urlString(protocols).optional(),
  );

const hostPortList = z
  .string()
  .trim()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((list) => list.length > 0, 'must list at least one host[:port]')
  .refine(
    (list) => list.every((hp) => /^[A-Za-z0-9.\-_[\]:]+$/.test(hp)),
    'each entry must be host or host:port, comma-separated',
  );

/** `scheme://host[:port]` exactly as browsers send it in `Origin` (no path, no trailing slash). */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

const optionalPort = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.coerce.number().int().min(1024).max(65535).optional(),
);

/** ICE_SERVERS: a JSON array of RTCIceServer objects with stun:, stuns:, turn: or turns: URLs. */
const iceServersSchema = z
  .array(
    z.object({
      urls: z
        .union([z.string(), z.array(z.string()).min(1)])
        .refine(
          (urls) => (typeof urls === 'string' ? [urls] : urls).every((u) => /^(stuns?|turns?):\S+$/.test(u)),
          'each URL must start with stun:, stuns:, turn: or turns:',
        ),
      username: z.string().optional(),
      credential: z.string().optional(),
    }),
  )
  .readonly();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(2567),
  HOST: z.string().trim().default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  PUBLIC_URL: optionalUrl(['http:', 'https:']),
  ROOMS_PUBLIC_ADDRESS: z
    .string()
    .trim()
    .regex(
      /^$|^[A-Za-z0-9.\-_[\]:]+(\/[A-Za-z0-9._~-][A-Za-z0-9._~/-]*)?$/,
      'must be host[:port][/path], without a scheme',
    )
    .transform((v) => (v === '' ? undefined : v))
    .optional(),
  ROLES: z
    .string()
    .trim()
    .default(ROLE_NAMES.join(','))
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.enum(ROLE_NAMES)).min(1, 'must name at least one of api, rooms, workers')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  SMTP_URL: optionalUrl(['smtp:', 'smtps:']),
  MAIL_FROM: z.string().trim().default('Dojo <no-reply@dojo.local>'),
  CASSANDRA_CONTACT_POINTS: hostPortList.optional(),
  CASSANDRA_KEYSPACE: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, 'must be a lower-case CQL identifier')
    .default('dojo'),
  CASSANDRA_LOCAL_DC: z.string().trim().min(1).default('datacenter1'),
  CASSANDRA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(9).default(1),
  CASSANDRA_USERNAME: optionalString,
  CASSANDRA_PASSWORD: optionalString,
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  REDIS_KEY_PREFIX: z.string().trim().default('dojo:'),
  KAFKA_BROKERS: hostPortList.optional(),
  KAFKA_CLIENT_ID: z.string().trim().min(1).default('dojo'),
  KAFKA_TOPIC_PREFIX: z.string().trim().default('dojo.'),
  S3_ENDPOINT: optionalUrl(['http:', 'https:']),
  S3_BUCKET: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
    .default('dojo'),
  S3_REGION: z.string().trim().min(1).default('us-east-1'),
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  URL_SIGNING_SECRET: optionalString,
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  POC_SEARCH_THREADS: z.coerce.number().int().min(0).max(16).optional(),
  CORS_ORIGINS: z
    .string()
    .trim()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every(isOrigin), 'each entry must be an origin: scheme://host[:port], no path'),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  METRICS_PORT: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce.number().int().min(1).max(65535).optional(),
  ),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  POSTGRES_URL: optionalUrl(['postgres:', 'postgresql:']),
  POSTGRES_SCHEMA: z
    .string()
    .trim()
    .regex(/^$|^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .transform((v) => (v === '' ? undefined : v))
    .optional(),
  BILLING_PLANS: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    plansSchema.optional(),
  ),
  PAYMENT_GATEWAYS: z
    .string()
    .trim()
    .default('')
    .transform((v) => [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.enum(['stripe'], 'the only gateway besides sandbox is stripe'))),
  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_URL: optionalUrl(['http:', 'https:']),
  MEDIA_ANNOUNCED_ADDRESS: optionalString.refine(
    (v) => v === undefined || isIP(v) !== 0,
    'must be an IPv4 or IPv6 address (the public address mapped to this host)',
  ),
  MEDIA_PORT_MIN: optionalPort,
  MEDIA_PORT_MAX: optionalPort,
  ICE_SERVERS: z.preprocess((v) => {
    if (typeof v !== 'string' || v.trim() === '') return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }, iceServersSchema.optional()),
});

export type Env = Record<string, string | undefined>;

/** Variables that only make sense together, checked after each one is valid on its own. */
function crossChecks(e: z.infer<typeof envSchema>): { variable: string; message: string }[] {
  const issues: { variable: string; message: string }[] = [];
  if (e.PAYMENT_GATEWAYS.includes('stripe')) {
    if (!e.STRIPE_SECRET_KEY)
      issues.push({ variable: 'STRIPE_SECRET_KEY', message: 'is required with PAYMENT_GATEWAYS=stripe' });
    if (!e.STRIPE_WEBHOOK_SECRET)
      issues.push({ variable: 'STRIPE_WEBHOOK_SECRET', message: 'is required with PAYMENT_GATEWAYS=stripe' });
  }
  if ((e.MEDIA_PORT_MIN === undefined) !== (e.MEDIA_PORT_MAX === undefined)) {
    issues.push({
      variable: e.MEDIA_PORT_MIN === undefined ? 'MEDIA_PORT_MIN' : 'MEDIA_PORT_MAX',
      message: 'MEDIA_PORT_MIN and MEDIA_PORT_MAX are set together',
    });
  } else if (
    e.MEDIA_PORT_MIN !== undefined &&
    e.MEDIA_PORT_MAX !== undefined &&
    e.MEDIA_PORT_MIN >= e.MEDIA_PORT_MAX
  ) {
    issues.push({ variable: 'MEDIA_PORT_MAX', message: 'must be greater than MEDIA_PORT_MIN' });
  }
  return issues;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly publicUrl: string;
  /**
   * host[:port] where clients reach this node's rooms directly (Colyseus publicAddress): set on each node
   * when several nodes serve rooms, so a seat reserved through one node connects to the node with the room.
   */
  readonly roomsPublicAddress: string | undefined;
  readonly roles: readonly Role[];
  readonly logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  readonly nodeEnv: z.infer<typeof envSchema>['NODE_ENV'];
  readonly bodyLimitBytes: number;
  /**
   * Threads that compute POC search pages (store reads, JSON) beside the event loop, on api nodes; 0 keeps
   * them on the event loop. By default one per core but one, at least one, at most four.
   */
  readonly pocSearchThreads: number;
  readonly shutdownTimeoutMs: number;
  /** Origins a browser may call the API from (CORS) and open WebSockets from; by default the server's own. */
  readonly corsOrigins: readonly string[];
  /** Proxy hops in front of the server whose `X-Forwarded-For` entries are believed (0: none). */
  readonly trustProxy: number;
  /**
   * Where `/metrics` is served: on its own port (`port`), on the main port to bearer `token` holders, or,
   * with neither, on the main port to loopback clients only.
   */
  readonly metrics: { readonly port: number | undefined; readonly token: string | undefined };
  /** Secret for the app's own signed URLs; generated per data dir when unset (see server/lib/secrets.ts). */
  readonly urlSigningSecret: string | undefined;
  readonly mail: { readonly smtpUrl: string | undefined; readonly from: string };
  readonly cassandra:
    | {
        readonly contactPoints: readonly string[];
        readonly keyspace: string;
        readonly localDataCenter: string;
        readonly replicationFactor: number;
        readonly username: string | undefined;
        readonly password: string | undefined;
      }
    | undefined;
  readonly redis: { readonly url: string; readonly keyPrefix: string } | undefined;
  /** PostgreSQL for the reporting read model and the reports table; unset: embedded PGlite under dataDir. */
  readonly postgres: { readonly url: string; readonly schema: string | undefined } | undefined;
  /** The price list: the server's truth for what a plan costs and buys. */
  readonly plans: readonly Plan[];
  /** Gateways offered besides `sandbox` (always on), with their settings. */
  readonly payments: {
    readonly stripe:
      | { readonly secretKey: string; readonly webhookSecret: string; readonly apiUrl: string | undefined }
      | undefined;
  };
  readonly kafka:
    | { readonly brokers: readonly string[]; readonly clientId: string; readonly topicPrefix: string }
    | undefined;
  /** The SFU's network: announced public address, UDP port range, STUN/TURN servers (also handed to clients). */
  readonly media: {
    readonly announcedAddress: string | undefined;
    readonly portRange: readonly [number, number] | undefined;
    readonly iceServers: readonly {
      readonly urls: string | readonly string[];
      readonly username?: string | undefined;
      readonly credential?: string | undefined;
    }[];
  };
  readonly s3:
    | {
        readonly endpoint: string;
        readonly bucket: string;
        readonly region: string;
        readonly accessKeyId: string | undefined;
        readonly secretAccessKey: string | undefined;
      }
    | undefined;
}

export class ConfigError extends Error {
  readonly issues: readonly { variable: string; message: string }[];
  constructor(issues: readonly { variable: string; message: string }[]) {
    super('Invalid configuration:\n' + issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Reads, validates and freezes the configuration. Throws ConfigError naming every bad variable. */
export function loadConfig(env: Env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(unknown)'),
        message: issue.message,
      })),
    );
  }
  const e = parsed.data;
  const crossIssues = crossChecks(e);
  if (crossIssues.length) throw new ConfigError(crossIssues);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    publicUrl,
    roomsPublicAddress: e.ROOMS_PUBLIC_ADDRESS,
    roles: e.ROLES,
    logLevel: e.LOG_LEVEL,
    nodeEnv: e.NODE_ENV,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    pocSearchThreads: e.POC_SEARCH_THREADS ?? Math.min(4, Math.max(1, availableParallelism() - 1)),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    corsOrigins: e.CORS_ORIGINS.length ? e.CORS_ORIGINS : [new URL(publicUrl).origin],
    trustProxy: e.TRUST_PROXY,
    metrics: { port: e.METRICS_PORT, token: e.METRICS_TOKEN },
    urlSigningSecret: e.URL_SIGNING_SECRET,
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM },
    cassandra: e.CASSANDRA_CONTACT_POINTS
      ? {
          contactPoints: e.CASSANDRA_CONTACT_POINTS,
          keyspace: e.CASSANDRA_KEYSPACE,
          localDataCenter: e.CASSANDRA_LOCAL_DC,
          replicationFactor: e.CASSANDRA_REPLICATION_FACTOR,
          username: e.CASSANDRA_USERNAME,
          password: e.CASSANDRA_PASSWORD,
        }
      : undefined,
    redis: e.REDIS_URL ? { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX } : undefined,
    postgres: e.POSTGRES_URL ? { url: e.POSTGRES_URL, schema: e.POSTGRES_SCHEMA } : undefined,
    plans: e.BILLING_PLANS ?? DEFAULT_PLANS,
    payments: {
      stripe:
        e.PAYMENT_GATEWAYS.includes('stripe') && e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET
          ? {
              secretKey: e.STRIPE_SECRET_KEY,
              webhookSecret: e.STRIPE_WEBHOOK_SECRET,
              apiUrl: e.STRIPE_API_URL,
            }
          : undefined,
    },
    kafka: e.KAFKA_BROKERS
      ? { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID, topicPrefix: e.KAFKA_TOPIC_PREFIX }
      : undefined,
    media: {
      announcedAddress: e.MEDIA_ANNOUNCED_ADDRESS,
      portRange:
        e.MEDIA_PORT_MIN !== undefined && e.MEDIA_PORT_MAX !== undefined
          ? [e.MEDIA_PORT_MIN, e.MEDIA_PORT_MAX]
          : undefined,
      iceServers: e.ICE_SERVERS ?? [],
    },
    s3: e.S3_ENDPOINT
      ? {
          endpoint: e.S3_ENDPOINT,
          bucket: e.S3_BUCKET,
          region: e.S3_REGION,
          accessKeyId: e.AWS_ACCESS_KEY_ID,
          secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
        }
      : undefined,
  };
  return deepFreeze(config);
}

/** The configuration of this process, from its environment: the one place that reads process.env. */
export function loadProcessConfig(): Config {
  return loadConfig(process.env);
}
