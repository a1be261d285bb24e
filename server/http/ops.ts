import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../lib/errors.ts';
import { withTimeout } from '../lib/timeout.ts';
import { defineEndpoint, reply, type AnyEndpoint } from './endpoint.ts';
import type { Metrics } from './metrics.ts';
import { clientAddress } from './middleware.ts';
import type { Middleware } from './types.ts';

export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => Promise<void>;
  /** A failing non-critical check is reported (`degraded`) without making the node unready. */
  readonly critical?: boolean;
}

const checkResult = z.object({ status: z.enum(['ok', 'fail']), ms: z.number() });
const readySchema = z.object({
  status: z.enum(['ok', 'degraded', 'fail']),
  checks: z.record(z.string(), checkResult),
});

async function timed(check: ReadinessCheck, timeoutMs: number) {
  const started = performance.now();
  try {
    await withTimeout(
      () => check.check(),
      timeoutMs,
      () => new Error('timeout'),
    );
    return { status: 'ok' as const, ms: Math.round(performance.now() - started) };
  } catch {
    return { status: 'fail' as const, ms: Math.round(performance.now() - started) };
  }
}

/**
 * Who may read `/metrics`: anyone who reaches it (its own port, bound to a cluster network), bearer
 * holders of the configured token, or, with neither configured, clients on this machine only (a local
 * agent scrapes it; the public port never shows it to the world).
 */
export type MetricsAccess = { readonly token: string } | 'anyone' | 'loopback';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

function metricsGate(access: MetricsAccess): Middleware {
  const hidden = () =>
    new AppError('HTTP.ROUTE_NOT_FOUND', 'No route for GET /metrics.', { kind: 'NOT_FOUND' });
  if (access === 'anyone') return (_req, _res, next) => next();
  if (access === 'loopback')
    return (req, _res, next) => next(LOOPBACK.test(clientAddress(req)) ? undefined : hidden());
  const expected = createHash('sha256').update(access.token).digest();
  return (req, res, next) => {
    const given = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (timingSafeEqual(createHash('sha256').update(given).digest(), expected)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    next(
      new AppError('METRICS.TOKEN_REQUIRED', 'The metrics token is required.', { kind: 'UNAUTHENTICATED' }),
    );
  };
}

function metricsEndpoint(metrics: Metrics, access: MetricsAccess): AnyEndpoint {
  return defineEndpoint({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (no tenant or user ids)',
    description:
      'Served on METRICS_PORT when set; otherwise on the main port to holders of METRICS_TOKEN, or to local clients only.',
    tags: ['operations'],
    before: [metricsGate(access)],
    responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain' } },
    handler: async () => {
      const text = await metrics.registry.metrics().catch((cause: unknown) => {
        throw new AppError('METRICS.FAILED', 'metrics collection failed', { kind: 'INTERNAL', cause });
      });
      return { status: 200, raw: { contentType: metrics.registry.contentType, text } };
    },
  });
}

/** Liveness, readiness (every adapter in use), Prometheus metrics and the OpenAPI document. */
export function opsEndpoints(options: {
  readonly checks: readonly ReadinessCheck[];
  readonly metrics: Metrics;
  readonly openapi: () => unknown;
  readonly isShuttingDown: () => boolean;
  /** Who may scrape `/metrics` here; undefined: it is not served by this app (it has a port of its own). */
  readonly metricsAccess: MetricsAccess | undefined;
}): AnyEndpoint[] {
  return [
    defineEndpoint({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process is up',
      tags: ['operations'],
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      handler: () => reply(200, { status: 'ok' }),
    }),
    defineEndpoint({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: every dependency in use answers',
      tags: ['operations'],
      responses: {
        200: { description: 'Ready', schema: readySchema },
        503: { description: 'Not ready (body lists the failing checks)', schema: readySchema },
      },
      handler: async () => {
        const results = await Promise.all(options.checks.map(async (c) => ({ c, r: await timed(c, 2000) })));
        const checks = Object.fromEntries(results.map(({ c, r }) => [c.name, r]));
        const failing = results.filter(({ r }) => r.status === 'fail');
        const ready = !options.isShuttingDown() && failing.every(({ c }) => c.critical === false);
        const status = !ready ? 'fail' : failing.length ? 'degraded' : 'ok';
        return reply(ready ? 200 : 503, { status, checks });
      },
    }),
    ...(options.metricsAccess ? [metricsEndpoint(options.metrics, options.metricsAccess)] : []),
    defineEndpoint({
      method: 'get',
      path: '/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document',
      tags: ['operations'],
      responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
      handler: () => reply(200, options.openapi()),
    }),
  ];
}
